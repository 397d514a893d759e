"""BK-17: the bookings' meetings at Tencent Meeting and Zoom, for IT: where each stands,
its attempts and last error, and "retry now" (through the service, audited). Read-only
otherwise: the worker writes these rows; nothing is added or deleted here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bookings import selectors
from bookings.admin.display import booking_label
from bookings.models import ProviderMeeting
from bookings.services import provider_meeting_retry
from meetingops.admin_display import LabelledDateTimesMixin
from meetingops.errors import ApplicationError


@admin.register(ProviderMeeting)
class ProviderMeetingAdmin(LabelledDateTimesMixin, admin.ModelAdmin):
    list_display = (
        "booking_shown",
        "provider",
        "state",
        "action",
        "attempts",
        "last_error",
        "next_attempt_at",
        "updated_at",
    )
    list_filter = ("state", "provider")
    list_per_page = 50
    actions = ("retry_selected",)
    fields = (
        "booking_shown",
        "provider",
        "state",
        "action",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "failed_at",
        "last_error",
        "remote_id",
        "occurrence_cancels",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.provider_meeting_list_for(viewer=request.user)

    def has_add_permission(self, request) -> bool:
        return False  # the services want them, the worker writes them

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # read-only; "retry now" is the action below

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # never hard-deleted

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("bookings.retry_providermeeting")

    @admin.display(description=_("booking"))
    def booking_shown(self, obj: ProviderMeeting) -> str:
        # SE-5: the topic only for whoever may read it (annotated by the selector).
        return booking_label(obj.booking, visible=obj.details_visible)

    def _retry(self, request, rows) -> int:
        done = 0
        for row in rows:
            try:
                provider_meeting_retry(meeting=row, actor=request.user)
            except ApplicationError as error:
                self.message_user(
                    request,
                    _("%(booking)s: %(error)s")
                    % {"booking": self.booking_shown(row), "error": error.detail},
                    level=messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d provider meeting is being tried again.",
                    "%(count)d provider meetings are being tried again.",
                    done,
                )
                % {"count": done},
                level=messages.SUCCESS,
            )
        return done

    @admin.action(permissions=["retry"], description=_("Retry now"))
    def retry_selected(self, request, queryset):
        self._retry(request, queryset)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/retry/",
                self.admin_site.admin_view(self.retry_view),
                name="{}_{}_retry".format(*info),
            ),
            *super().get_urls(),
        ]

    def retry_view(self, request, object_id):
        """The booking page's "retry now" button (POST), back to where it was pressed."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_retry_permission(request):
            raise PermissionDenied
        row = self.get_object(request, unquote(object_id))
        if row is None:
            raise PermissionDenied
        self._retry(request, [row])
        back = reverse("admin:bookings_booking_change", args=[row.booking_id])
        return HttpResponseRedirect(back)
