"""BK-1/BK-2/BK-3/BK-8: an employee asks for a room, for one meeting or a series."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    UsagePolicy,
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
    attendee_limit_check,
    booking_input_checked,
    clean_emails,
)
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

Slots = list[tuple[dt.datetime, dt.datetime]]


@dataclass(frozen=True)
class BookingRequested:
    """What `booking_request` wrote, as it stands when it returns: the booking, its
    meetings (approved already when the policy approved them) and its invitees. A
    caller that shows the new booking needs to read nothing again."""

    booking: Booking
    occurrences: list[Occurrence]
    attendees: list[Attendee]


@dataclass(frozen=True)
class _Invitees:
    users: list[User]
    emails: list[str]


def booking_request(
    *,
    organizer: User,
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
    attendee_users: Sequence[User] = (),
    attendee_emails: Sequence[str] = (),
    recurrence_rule: dict | None = None,
    skip_unavailable: bool = False,
    reminder_lead_minutes: str = "",
) -> BookingRequested:
    """BK-1/BK-2/BK-3/BK-8: an employee asks for a room. Returns the rows written.
    Raises UsageRuleViolation, BookingConflict or BookingInputError and then changes
    nothing.

    For a series, `skip_unavailable` books the free occurrences and leaves out those
    the preview showed as taken or against the rules (at least one must be free).

    `reminder_lead_minutes`: the meeting's own reminders ("1440,15", BK-12); empty, the
    usage policy's."""
    checked = booking_input_checked(
        {
            "start": start,
            "end": end,
            "topic": topic,
            "agenda": agenda,
            "expected_headcount": expected_headcount,
            "mode": mode,
            "reminder_lead_minutes": reminder_lead_minutes,
        }
    )
    invitees = _invitees_checked(organizer=organizer, users=attendee_users, emails=attendee_emails)
    rule = recurrence.rule_from(recurrence_rule) if recurrence_rule else None
    slots = _slots_planned(
        organizer=organizer,
        room=room,
        start=start,
        end=end,
        rule=rule,
        recurrence_rule=recurrence_rule,
        skip_unavailable=skip_unavailable,
    )
    headcount = rules.headcount_counted(
        expected_headcount, len(invitees.users) + len(invitees.emails)
    )
    booking = Booking(
        organizer=organizer,
        # The id: the department row itself is not needed (bench/bookings.py (c)).
        department_id=organizer.department_id,
        room=room,
        topic=checked["topic"],
        agenda=checked["agenda"],
        mode=mode,
        expected_headcount=expected_headcount,
        recording_allowed=recording_allowed,
        chat_allowed=chat_allowed,
        password_required=password_required,
        confidential=confidential,
        recurrence=rule.as_json() if rule else {},
        reminder_lead_minutes=checked["reminder_lead_minutes"],
    )
    try:
        with transaction.atomic():
            policy = _policy_for(organizer=organizer)
            _rules_checked(
                policy=policy,
                booking=booking,
                slots=slots,
                headcount=headcount,
                external_guests=len(invitees.emails),
            )
            raise_if_blocked(room, slots)
            requested = _request_written(
                booking=booking, policy=policy, slots=slots, invitees=invitees
            )
            automatic = rules.auto_approvable(policy=policy, booking=booking, slots=slots)
            if automatic:
                occurrences_approve(
                    booking=booking,
                    occurrences=requested.occurrences,
                    actor=None,
                    note=_("Approved automatically by the usage policy."),
                    attendees=requested.attendees,
                )
    except IntegrityError as error:
        _raise_if_taken_meanwhile(error, room=room, slots=slots)
        raise
    if not automatic:
        # BK-4: approvers review what waits for them; the policy has decided the rest,
        # and the organizer is told of the approval (occurrences_approve).
        notify_on_commit("requested", booking)
    return requested


def _invitees_checked(
    *, organizer: User, users: Sequence[User], emails: Sequence[str]
) -> _Invitees:
    """The guests' addresses, then the colleagues invited, checked (BookingInputError).
    Reads nothing but the users given."""
    cleaned = clean_emails(emails)
    invitees = active_invitees(users, organizer=organizer)
    attendee_limit_check(users=invitees, emails=cleaned)
    return _Invitees(users=invitees, emails=cleaned)


def _slots_planned(
    *,
    organizer: User,
    room: Room,
    start: dt.datetime,
    end: dt.datetime,
    rule: recurrence.Rule | None,
    recurrence_rule: dict | None,
    skip_unavailable: bool,
) -> Slots:
    """The meetings to book: the one slot, or the series' slots; with `skip_unavailable`
    only those the series preview shows free (BookingInputError `series_unavailable`
    when none is). Precondition: `start` and `end` passed the input checks."""
    slots = recurrence.occurrence_slots(start=start, end=end, rule=rule, tz=settings.TIME_ZONE)
    if not (rule and skip_unavailable):
        return slots
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
    return slots


def _policy_for(*, organizer: User) -> UsagePolicy:
    """The policy in force; with quotas, the organizer's row locked, so that their
    requests are counted one at a time. Caller is inside the request's transaction."""
    policy = rules.policy_current()
    if policy.has_quotas:
        get_user_model().objects.select_for_update().filter(pk=organizer.pk).first()
    return policy


def _rules_checked(
    *,
    policy: UsagePolicy,
    booking: Booking,
    slots: Slots,
    headcount: int,
    external_guests: int,
) -> None:
    """BK-2: every usage rule for `booking` (not yet saved) in `slots`,
    UsageRuleViolation naming all that are broken. Caller is inside the request's
    transaction (with the organizer locked when quotas apply)."""
    violations = rules.check_request(
        policy=policy,
        organizer=booking.organizer,
        department=booking.department_id,
        rooms=[booking.room],
        slots=slots,
        headcount=headcount,
        recording_allowed=booking.recording_allowed,
        external_guests=external_guests,
    )
    if violations:
        raise rules.UsageRuleViolation(violations)


def _request_written(
    *, booking: Booking, policy: UsagePolicy, slots: Slots, invitees: _Invitees
) -> BookingRequested:
    """The booking (built, not yet saved), its meetings and its invitees written, and
    the request audited. Caller is inside the request's transaction and has checked the
    rules and the room for `slots`."""
    first_start = min(start for start, _end in slots)
    booking.policy_version = policy.version
    booking.first_start = booking.first_pending_start = first_start
    booking.save(force_insert=True)
    occurrences = occurrences_create(booking, booking.room, slots)
    attendees = Attendee.objects.bulk_create(
        [Attendee(booking=booking, user=u) for u in invitees.users]
        + [Attendee(booking=booking, email=e) for e in invitees.emails]
    )
    audit.record(
        actor=booking.organizer,
        action="booking.requested",
        target=booking,
        data={
            "room": booking.room_id,
            "occurrences": slot_json(occurrences),
            "headcount": booking.expected_headcount,
            "confidential": booking.confidential,
            "recurrence": booking.recurrence,
            "attendees": {
                "users": [u.pk for u in invitees.users],
                "external": len(invitees.emails),
            },
            "policy_version": policy.version,
        },
    )
    return BookingRequested(booking=booking, occurrences=occurrences, attendees=attendees)


def _raise_if_taken_meanwhile(error: IntegrityError, *, room: Room, slots: Slots) -> None:
    """BK-3: another request took the slot between our check and our insert, and the
    exclusion constraint refused ours: BookingConflict, named as the check names it.
    Returns for any other integrity error (the caller re-raises it). Caller's
    transaction has been rolled back."""
    if not is_overlap_violation(error):
        return
    raise_if_taken(room, slots)
    raise conflicts.BookingConflict(
        [conflicts.Conflict("booking", room.pk, room.name, slots[0][0], slots[0][1])]
    ) from None
