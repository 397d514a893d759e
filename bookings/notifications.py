"""Emails about a booking's decisions (BK-4, BK-5, BK-6), each in its recipient's
language and time zone. Invitations with .ics come with BK-10."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bookings.models import Booking, Occurrence

SUBJECTS = {
    "requested": lambda: _("New booking request: %(topic)s"),
    "changed": lambda: _("Booking change to review: %(topic)s"),
    "approved": lambda: _("Booking confirmed: %(topic)s"),
    "rejected": lambda: _("Booking rejected: %(topic)s"),
    "cancelled": lambda: _("Meeting cancelled: %(topic)s"),
    "change_approved": lambda: _("Booking change approved: %(topic)s"),
    "change_rejected": lambda: _("Booking change rejected: %(topic)s"),
}


def _approvers():
    # Active users holding the permission, through a group or their own, and superusers.
    return get_user_model().objects.with_perm("bookings.approve_booking")


def recipients(booking: Booking, kind: str) -> list:
    if kind in ("requested", "changed"):
        return [u for u in _approvers() if u.pk != booking.organizer_id]
    people = [booking.organizer]
    if kind == "cancelled":
        people += [
            a.user
            for a in booking.attendees.filter(is_active=True, user__isnull=False).select_related(
                "user"
            )
        ]
    return people


def _body(booking: Booking, kind: str, occurrences, reason: str) -> str:
    lines = [
        _("Meeting topic: %(topic)s") % {"topic": booking.topic},
        _("Online meeting room: %(room)s") % {"room": booking.room.name},
        _("Organizer: %(name)s") % {"name": booking.organizer.get_full_name()},
    ]
    for o in occurrences:
        start, end = timezone.localtime(o.start), timezone.localtime(o.end)
        lines.append(f"  {start:%Y-%m-%d %H:%M}–{end:%H:%M} ({start.tzname()})")
    if reason:
        lines.append(_("Reason: %(reason)s") % {"reason": reason})
    if kind == "approved" and booking.join_url:
        lines.append(_("Meeting link: %(url)s") % {"url": booking.join_url})
    return "\n".join(lines)


def booking_notify(*, booking_id: int, kind: str, occurrence_ids=(), reason: str = "") -> int:
    """Send one kind of message about a booking; returns how many were sent."""
    booking = Booking.objects.select_related("room", "organizer").get(pk=booking_id)
    occurrences = Occurrence.objects.filter(booking=booking).order_by("start")
    occurrences = (
        occurrences.filter(pk__in=occurrence_ids)
        if occurrence_ids
        else occurrences.exclude(status=Occurrence.Status.SUPERSEDED)
    )
    occurrences = list(occurrences[:50])
    sent = 0
    for person in recipients(booking, kind):
        language = person.language or settings.LANGUAGE_CODE
        zone = zoneinfo.ZoneInfo(person.time_zone or settings.TIME_ZONE)
        with translation.override(language), timezone.override(zone):
            subject = SUBJECTS[kind]() % {"topic": booking.topic}
            body = _body(booking, kind, occurrences, reason)
        sent += send_mail(f"[MeetingOps] {subject}", body, None, [person.email])
    return sent
