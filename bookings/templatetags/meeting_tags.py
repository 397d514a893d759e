"""How a meeting's page names a booking's fields (its change history and a pending
change's proposal): by the models' own translated names."""

from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import pgettext

from bookings.models import Booking, Occurrence

register = template.Library()


@register.filter
def field_label(name: str) -> str:
    """The translated name of a booking's field ("expected_headcount": "headcount"),
    or of its meeting's ("start", "end"); the name itself for one neither has."""
    for model in (Occurrence, Booking) if name in ("start", "end") else (Booking,):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name


@register.filter
def field_labels(names) -> str:
    """The translated names of several fields as one list in the reader's language
    ("room, start" in English, "会议室、开始" in Chinese): the sentence around it is one
    translated string, with its own full stop."""
    return pgettext("list separator", ", ").join(field_label(name) for name in names)
