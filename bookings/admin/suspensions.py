"""BK-2 / OV-5: suspended and removed booking rights, for the supervision team."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.admin.display import moment_label
from bookings.models import (
    BookingSuspension,
)
from bookings.rules import suspensions_in_force_at
from bookings.services import (
    booking_suspension_check,
    booking_suspension_impose,
    booking_suspension_lift,
)
from meetingops.admin_display import LabelledDateTimesMixin, yes_no
from meetingops.errors import ApplicationError


class SuspensionStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("in_force", _("In force")), ("lifted", _("Lifted")))

    def queryset(self, request, queryset):
        if self.value() == "in_force":
            return queryset.filter(suspensions_in_force_at(timezone.now()))
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


class SuspensionImposeForm(forms.ModelForm):
    class Meta:
        model = BookingSuspension
        fields = ("user", "start", "end", "reason")

    actor = None  # set by the admin for the request

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The service's own refusals, shown on the form before anything is saved.
        try:
            booking_suspension_check(
                user=cleaned["user"],
                actor=self.actor,
                reason=cleaned.get("reason", ""),
                start=cleaned.get("start"),
                end=cleaned.get("end"),
            )
        except ApplicationError as error:
            field = next((f for f in error.fields if f in self.fields), None)
            self.add_error(field, error.detail)
        return cleaned


class SuspensionLiftForm(forms.ModelForm):
    class Meta:
        model = BookingSuspension
        fields = ("lift_reason",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lift_reason"].required = True
        self.fields["lift_reason"].help_text = _("To lift the suspension now, say why and save.")


@admin.register(BookingSuspension)
class BookingSuspensionAdmin(LabelledDateTimesMixin, admin.ModelAdmin):
    """OV-5: the supervision team suspends or removes a user's right to book, and lifts
    a suspension early; both through `bookings.services`, which audits them. A lifted
    suspension is history: read-only. Nothing is deleted."""

    list_display = ("user", "start", "until", "reason", "in_force", "imposed_by", "lifted_at")
    list_filter = (SuspensionStateFilter,)
    list_select_related = ("user", "imposed_by")
    search_fields = ("user__email", "user__name", "reason")
    autocomplete_fields = ("user",)
    date_hierarchy = "start"

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = SuspensionLiftForm if obj is not None else SuspensionImposeForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "start", "end", "reason")
        return (
            "user",
            "start",
            "end",
            "reason",
            "imposed_by",
            "created_at",
            "lifted_at",
            "lifted_by",
            "lift_reason",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fields = self.get_fields(request, obj)
        return fields if obj.lifted_at else tuple(f for f in fields if f != "lift_reason")

    def get_changeform_initial_data(self, request) -> dict:
        return {"start": timezone.now(), **super().get_changeform_initial_data(request)}

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.lifted_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            lifted = booking_suspension_lift(
                suspension=obj, actor=request.user, reason=form.cleaned_data["lift_reason"]
            )
        else:
            lifted = booking_suspension_impose(
                user=obj.user,
                actor=request.user,
                reason=obj.reason,
                start=obj.start,
                end=obj.end,
            )
        obj.pk = lifted.pk
        obj.refresh_from_db()

    @admin.display(description=_("until"), ordering="end")
    def until(self, obj: BookingSuspension) -> str:
        return moment_label(obj.end) if obj.end else _("Removed")

    @admin.display(description=_("in force"))
    def in_force(self, obj: BookingSuspension) -> str:
        return yes_no(obj.in_force_at(timezone.now()))
