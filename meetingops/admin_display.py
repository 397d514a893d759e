"""How our admins show values that admin's defaults leave unclear."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def yes_no(value: bool) -> SafeString:
    """A boolean as the word "Yes" or "No" beside admin's icon (an icon alone is
    unclear, and a colour-blind reader cannot tell a tick's colour)."""
    html = render_to_string("admin/yes_no.html", {"value": bool(value)})
    return mark_safe(html.strip())  # noqa: S308 - a rendered template, escaped as it renders


def yes_no_column(field: models.BooleanField):
    """A list column showing the model's boolean `field` with yes_no, sorted and
    headed as the field's own column (and with its CSS class, field-<name>)."""

    def column(obj) -> SafeString:
        return yes_no(getattr(obj, field.name))

    column.__name__ = field.name
    return admin.display(description=field.verbose_name, ordering=field.name)(column)


class YesNoColumnsMixin:
    """Mix into a ModelAdmin (before admin.ModelAdmin): its list's boolean model fields
    read "Yes" or "No" beside the icon."""

    def get_list_display(self, request):
        columns = []
        for name in super().get_list_display(request):
            field = None
            if isinstance(name, str):
                try:
                    field = self.model._meta.get_field(name)
                except FieldDoesNotExist:
                    field = None
            columns.append(yes_no_column(field) if isinstance(field, models.BooleanField) else name)
        return columns


class LabelledDateTimesMixin:
    """Mix into a ModelAdmin (before admin.ModelAdmin): admin's split date and time
    inputs sit under the field's legend with no label of their own (axe: label); each
    is named "<field>: date" and "<field>: time" in the reader's language."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if isinstance(widget, AdminSplitDateTime):
            name = capfirst(field.label or db_field.verbose_name)
            date_widget, time_widget = widget.widgets
            date_widget.attrs["aria-label"] = _("%(field)s: date") % {"field": name}
            time_widget.attrs["aria-label"] = _("%(field)s: time") % {"field": name}
        return field
