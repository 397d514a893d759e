"""BK-2: the versioned usage policy; saving writes a new version."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Subquery
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from bookings.models import (
    UsagePolicy,
)
from bookings.rules import policy_current
from bookings.services import (
    POLICY_FIELDS,
    usage_policy_create,
    usage_policy_update,
)
from meetingops.admin_display import yes_no
from oversight.admin_mixins import ServiceAdminMixin


@admin.register(UsagePolicy)
class UsagePolicyAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Versioned: saving the form adds a new version (the one in force) and leaves the
    one edited as it was; older versions are read-only (and the service refuses to
    change them)."""

    list_display = (
        "version_label",
        "in_force",
        "created_at",
        "created_by",
        "min_advance_hours",
        "max_duration_minutes",
        "horizon_days",
        "working_hours",
        "auto_approve",
    )
    list_select_related = ("created_by",)
    ordering = ("-version",)
    readonly_fields = ("version", "created_at", "created_by")
    fieldsets = (
        (
            None,
            {
                "description": _(
                    "Saving adds a new version of the usage policy, in force at once; "
                    "earlier versions are kept unchanged."
                ),
                "fields": ("version", "created_at", "created_by"),
            },
        ),
        (
            _("Booking"),
            {
                "fields": (
                    "min_advance_hours",
                    "max_duration_minutes",
                    "horizon_days",
                    "workday_start",
                    "workday_end",
                    "allowed_weekdays",
                )
            },
        ),
        (_("Quotas"), {"fields": ("user_weekly_quota_hours", "department_weekly_quota_hours")}),
        (
            _("Approval"),
            {"fields": ("auto_approve", "auto_approve_max_headcount", "auto_approve_max_minutes")},
        ),
        (
            _("Meetings"),
            {
                "fields": (
                    "reminder_lead_minutes",
                    "sign_in_opens_minutes",
                    "no_show_grace_minutes",
                    "cancellation_deadline_hours",
                )
            },
        ),
    )

    def get_queryset(self, request):
        latest = UsagePolicy.objects.order_by("-version").values("version")[:1]
        return super().get_queryset(request).annotate(latest_version=Subquery(latest))

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.version != self._latest_version(obj):
            return False  # an old version is history: read-only
        return super().has_change_permission(request, obj)

    @staticmethod
    def _latest_version(obj: UsagePolicy) -> int:
        latest = getattr(obj, "latest_version", None)
        return latest if latest is not None else policy_current().version

    def get_changeform_initial_data(self, request) -> dict:
        # A new version starts from the one in force.
        current = policy_current()
        initial = model_to_dict(current, fields=POLICY_FIELDS)
        return {**initial, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change) -> None:
        values = {n: form.cleaned_data[n] for n in POLICY_FIELDS if n in form.cleaned_data}
        if change:
            saved = usage_policy_update(policy=obj, actor=request.user, data=values)
        else:
            saved = usage_policy_create(actor=request.user, values=values)
        # The edited row stays as it was in the database; admin goes on with the new one.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def response_change(self, request, obj):
        return self.response_add(request, obj)

    @admin.display(description=_("version"), ordering="version")
    def version_label(self, obj: UsagePolicy) -> str:
        return f"v{obj.version}"

    @admin.display(description=_("in force"))
    def in_force(self, obj: UsagePolicy) -> str:
        return yes_no(obj.version == obj.latest_version)

    @admin.display(description=_("working hours"))
    def working_hours(self, obj: UsagePolicy) -> str:
        return f"{obj.workday_start:%H:%M}–{obj.workday_end:%H:%M} ({obj.allowed_weekdays})"
