"""BK-1/BK-2/BK-3/BK-8: an employee asks for a room, for one meeting or a series."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bookings import conflicts, recurrence, rules
from bookings.models import (
    Attendee,
    Booking,
    Occurrence,
    Room,
)
from bookings.selectors.availability import series_preview
from bookings.services.decisions import occurrences_approve
from bookings.services.rows import (
    is_overlap_violation,
    notify_on_commit,
    occurrences_create,
    raise_if_blocked,
    raise_if_taken,
    slot_json,
)
from bookings.validation import (
    BookingInputError,
    active_invitees,
    clean_emails,
    clean_topic,
    validate_basics,
)
from oversight import audit


@dataclass(frozen=True)
class WrittenParts:
    occurrences: list[Occurrence]
    attendees: list[Attendee]


def booking_request(
    *,
    organizer,
    room: Room,
    start: dt.datetime,
    end: dt.datetime,
    topic: str,
    expected_headcount: int,
    agenda: str = "",
    mode: str = Booking.Mode.VIDEO,
    recording_allowed: bool = False,
    chat_allowed: bool = True,
    password_required: bool = False,
    confidential: bool = False,
    attendee_users: Sequence = (),
    attendee_emails: Sequence[str] = (),
    recurrence_rule: dict | None = None,
    skip_unavailable: bool = False,
) -> Booking:
    """BK-1/BK-2/BK-3/BK-8: an employee asks for a room. Raises UsageRuleViolation,
    BookingConflict or BookingInputError and then changes nothing.

    For a series, `skip_unavailable` books the free occurrences and leaves out those
    the preview showed as taken or against the rules (at least one must be free).
    The booking returned carries the rows written in `written_parts`."""
    validate_basics(start=start, end=end, topic=topic, headcount=expected_headcount)
    if mode not in Booking.Mode.values:
        raise BookingInputError(_("Choose video, voice or screen sharing."), code="invalid_mode")
    emails = clean_emails(attendee_emails)
    users = active_invitees(attendee_users, organizer=organizer)
    rule = recurrence.rule_from(recurrence_rule) if recurrence_rule else None
    slots = recurrence.occurrence_slots(start=start, end=end, rule=rule, tz=settings.TIME_ZONE)
    if rule and skip_unavailable:
        slots = [
            (p["start"], p["end"])
            for p in series_preview(
                organizer=organizer,
                room=room,
                start=start,
                end=end,
                recurrence_rule=recurrence_rule,
            )
            if p["free"]
        ]
        if not slots:
            raise BookingInputError(
                _("None of the series' meetings can be booked."), code="series_unavailable"
            )
    headcount = rules.headcount_counted(expected_headcount, len(users) + len(emails))
    try:
        with transaction.atomic():
            policy = rules.policy_current()
            if policy.has_quotas:
                # Quotas count the organizer's other bookings: take them one at a time.
                get_user_model().objects.select_for_update().filter(pk=organizer.pk).first()
            violations = rules.check_request(
                policy=policy,
                organizer=organizer,
                department=organizer.department_id,
                rooms=[room],
                slots=slots,
                headcount=headcount,
                recording_allowed=recording_allowed,
                external_guests=len(emails),
            )
            if violations:
                raise rules.UsageRuleViolation(violations)
            raise_if_blocked(room, slots)
            booking = Booking.objects.create(
                organizer=organizer,
                department_id=organizer.department_id,
                room=room,
                topic=clean_topic(topic),
                agenda=agenda,
                mode=mode,
                expected_headcount=expected_headcount,
                recording_allowed=recording_allowed,
                chat_allowed=chat_allowed,
                password_required=password_required,
                confidential=confidential,
                recurrence=rule.as_json() if rule else {},
                policy_version=policy.version,
                first_start=min(start for start, _end in slots),
                first_pending_start=min(start for start, _end in slots),
            )
            occurrences = occurrences_create(booking, room, slots)
            attendees = Attendee.objects.bulk_create(
                [Attendee(booking=booking, user=u) for u in users]
                + [Attendee(booking=booking, email=e) for e in emails]
            )
            audit.record(
                actor=organizer,
                action="booking.requested",
                target=booking,
                data={
                    "room": room.pk,
                    "occurrences": slot_json(occurrences),
                    "headcount": expected_headcount,
                    "confidential": confidential,
                    "recurrence": booking.recurrence,
                    "attendees": {"users": [u.pk for u in users], "external": len(emails)},
                    "policy_version": policy.version,
                },
            )
            if rules.auto_approvable(policy=policy, booking=booking, slots=slots):
                occurrences_approve(
                    booking,
                    occurrences,
                    actor=None,
                    note=_("Approved automatically by the usage policy."),
                )
    except IntegrityError as error:
        if not is_overlap_violation(error):
            raise
        # Another request took the slot between our check and our insert (BK-3).
        raise_if_taken(room, slots)
        raise conflicts.BookingConflict(
            [conflicts.Conflict("booking", room.pk, room.name, slots[0][0], slots[0][1])]
        ) from None
    notify_on_commit("requested", booking)
    # What was just written, for a caller that shows the new booking without reading it
    # again (the API). A plain attribute: the booking's own managers still read afresh.
    booking.written_parts = WrittenParts(occurrences=occurrences, attendees=attendees)
    return booking
