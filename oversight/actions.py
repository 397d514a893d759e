"""OV-1: what each audit action code means, in the reader's language. The log stores the
stable code (`<entity>.<past tense>`, STYLE); the audit pages and a booking's history show
its label. A code with no label here is shown as it is, so a new action never hides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SCHEDULE_KINDS = ("crontabschedule", "intervalschedule", "solarschedule", "clockedschedule")

ACTION_LABELS = {
    "booking.requested": _("Booking requested"),
    "booking.approved": _("Booking approved"),
    "booking.rejected": _("Booking rejected"),
    "booking.cancelled": _("Booking cancelled"),
    "booking.changed": _("Booking changed"),
    "booking.change_requested": _("Booking change requested"),
    "booking.change_approved": _("Booking change approved"),
    "booking.change_rejected": _("Booking change rejected"),
    "participant.answered": _("Invitation answered"),
    "booking.no_show": _("Meeting became a no-show"),
    "booking.completed": _("Meeting completed"),
    "booking.attendance_reconciled": _("Meeting attendance reconciled"),
    "participant.signed_in": _("Signed in to a meeting"),
    "occurrence.no_show_noted": _("No-show noted for oversight"),
    "blackout.created": _("Blackout period created"),
    "blackout.changed": _("Blackout period changed"),
    "room.created": _("Room created"),
    "room.changed": _("Room changed"),
    "room.maintenance_started": _("Room put under maintenance"),
    "room.maintenance_ended": _("Room maintenance ended"),
    "room.retired": _("Room retired"),
    "room.reinstated": _("Room reinstated"),
    "provider.created": _("Provider created"),
    "provider.changed": _("Provider changed"),
    "provider.secrets_rotated": _("Providers' secrets re-encrypted"),
    "booking.link_given": _("Meeting link received from the provider"),
    "providermeeting.failed": _("Provider's meeting failed"),
    "providermeeting.retried": _("Provider's meeting retried"),
    "providermeeting.cancelled": _("Provider's meeting cancelled"),
    "usagepolicy.created": _("Usage policy version created"),
    "bookingsuspension.imposed": _("Booking rights suspended"),
    "bookingsuspension.lifted": _("Booking suspension lifted"),
    "apitoken.created": _("API token created"),
    "apitoken.revoked": _("API token revoked"),
    "calendarfeed.created": _("Calendar feed address made"),
    "calendarfeed.revoked": _("Calendar feed address revoked"),
    "department.created": _("Department created"),
    "department.changed": _("Department changed"),
    "user.created": _("User created"),
    "user.changed": _("User changed"),
    "user.language_changed": _("Language changed"),
    "user.password_set_by_admin": _("Password set by an administrator"),
    "user.signed_in": _("Signed in"),
    "user.signed_out": _("Signed out"),
    "user.sign_in_failed": _("Sign-in failed"),
    "periodictask.created": _("Scheduled job created"),
    "periodictask.changed": _("Scheduled job changed"),
    "periodictask.enabled": _("Scheduled job enabled"),
    "periodictask.disabled": _("Scheduled job disabled"),
    "periodictask.run": _("Scheduled job run now"),
    **{f"{kind}.created": _("Schedule created") for kind in SCHEDULE_KINDS},
    **{f"{kind}.changed": _("Schedule changed") for kind in SCHEDULE_KINDS},
}


def action_label(code: str) -> str:
    """The action's label in the active language, or the code itself when it has none."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
