"""BK-1 / BK-5: the organizer adds people to a meeting and removes them. Nobody is
deleted: a removed invitee's row is turned off (`Attendee.is_active`), so the record of
who was invited stays, and inviting them again turns it back on. A removed invitee no
longer sees a confidential meeting (`bookings.secrecy`).

BK-10: someone added to an approved meeting gets its invitation alone, someone removed
its CANCEL alone; `lifecycle` queues them (`bookings.invitations`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from bookings import rules
from bookings.models import Attendee, Booking
from bookings.permissions import can_change
from bookings.services import lifecycle
from bookings.services.rows import booking_locked
from bookings.validation import (
    BookingInputError,
    active_invitees,
    attendee_limit_check,
    clean_emails,
)
from meetingops.errors import InvalidTransition, NotFoundError, PermissionDeniedError
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

# The bookings whose people may still change: a meeting rejected, cancelled or past
# has no one left to invite.
OPEN_STATUSES = (Booking.Status.PENDING, Booking.Status.APPROVED)
# The room's rules that the people invited can break (`rules.check_room`): how many it
# holds (and its provider's licence admits), and whether it admits external guests.
ATTENDEE_RULES = frozenset({"capacity", "participant_cap", "external_guests_not_allowed"})


@dataclass(frozen=True)
class AttendeesAdded:
    """The invitations written: new rows and rows turned back on. Those already invited
    are left as they were."""

    added: list[Attendee]


def _checked_open(*, booking: Booking, actor: User) -> None:
    if not can_change(actor, booking):
        raise PermissionDeniedError(
            _("Only the organizer can change who is invited to this meeting."),
            code="not_organizer",
        )
    if booking.status not in OPEN_STATUSES:
        raise InvalidTransition(
            _("People can be added or removed only while the meeting is pending or approved."),
            code="not_changeable",
        )


def booking_attendees_add(
    *,
    booking: Booking,
    actor: User,
    users: Sequence[User] = (),
    emails: Sequence[str] = (),
) -> AttendeesAdded:
    """Invite `users` (open accounts, not the organizer) and external guests by
    `emails` to `booking`. Checked as a request's invitees are (`clean_emails`,
    `active_invitees`, `attendee_limit_check` over everyone invited afterwards), and
    against the room: guests only where it admits them, and everyone within its
    capacity. Someone invited before and removed is invited again."""
    _checked_open(booking=booking, actor=actor)
    cleaned = clean_emails(emails)
    with transaction.atomic():
        booking = booking_locked(booking)
        _checked_open(booking=booking, actor=actor)
        invitees = active_invitees(users, organizer=booking.organizer)
        if not invitees and not cleaned:
            raise BookingInputError(
                _("Name at least one colleague or guest to invite."),
                code="attendees_required",
                fields=["attendee_user_ids", "attendee_emails"],
            )
        rows = list(booking.attendees.all())
        by_user = {a.user_id: a for a in rows if a.user_id is not None}
        by_email = {a.email: a for a in rows if a.user_id is None}
        active_users = {a.user_id for a in rows if a.user_id is not None and a.is_active}
        active_emails = {a.email for a in rows if a.user_id is None and a.is_active}
        new_users = [u for u in invitees if u.pk not in active_users]
        new_emails = [e for e in cleaned if e not in active_emails]
        attendee_limit_check(
            users=[*active_users, *(u.pk for u in new_users)],
            emails=[*active_emails, *new_emails],
        )
        _room_checked(
            booking=booking,
            colleagues=len(active_users) + len(new_users),
            guests=len(active_emails) + len(new_emails),
            adding_guests=bool(new_emails),
        )
        reactivated = [by_user[u.pk] for u in new_users if u.pk in by_user] + [
            by_email[e] for e in new_emails if e in by_email
        ]
        for a in reactivated:
            a.is_active = True
        Attendee.objects.bulk_update(reactivated, ["is_active"])
        created = Attendee.objects.bulk_create(
            [Attendee(booking=booking, user=u) for u in new_users if u.pk not in by_user]
            + [Attendee(booking=booking, email=e) for e in new_emails if e not in by_email]
        )
        added = [*reactivated, *created]
        if added:
            lifecycle.attendees_added(booking=booking, attendees=added)
            # The label names the booking by id; guests are counted, never named.
            audit.record(
                actor=actor,
                action="booking.attendees_added",
                target=booking,
                data={
                    "users": [a.user_id for a in added if a.user_id is not None],
                    "external": sum(1 for a in added if a.user_id is None),
                },
            )
    return AttendeesAdded(added=added)


def _room_checked(*, booking: Booking, colleagues: int, guests: int, adding_guests: bool) -> None:
    """BK-2: the room admits the guests (asked only when guests are being added, so a
    room that stopped admitting them still lets colleagues be added) and holds
    everyone invited with the organizer. Caller holds the booking's lock."""
    violations = [
        v
        for v in rules.check_room(
            room=booking.room,
            headcount=rules.headcount_counted(booking.expected_headcount, colleagues + guests),
            recording_allowed=False,
            external_guests=guests if adding_guests else 0,
        )
        if v.code in ATTENDEE_RULES
    ]
    if violations:
        first = violations[0]
        field = (
            "attendee_emails"
            if first.code == "external_guests_not_allowed"
            else "attendee_user_ids"
        )
        raise BookingInputError(
            first.message(), code=first.code, fields=[field], extra={"value": first.value}
        )


def booking_attendee_remove(*, booking: Booking, actor: User, attendee: Attendee) -> Attendee:
    """Remove one invitee from `booking`: their row is turned off, never deleted.
    Removing someone already removed changes nothing (and audits nothing)."""
    _checked_open(booking=booking, actor=actor)
    with transaction.atomic():
        booking = booking_locked(booking)
        _checked_open(booking=booking, actor=actor)
        row = Attendee.objects.filter(pk=attendee.pk, booking=booking).first()
        if row is None:
            raise NotFoundError(
                _("This person is not invited to this meeting."), code="attendee_not_found"
            )
        if not row.is_active:
            return row
        row.is_active = False
        row.save(update_fields=["is_active"])
        lifecycle.attendee_removed(booking=booking, attendee=row)
        audit.record(
            actor=actor,
            action="booking.attendee_removed",
            target=booking,
            data={"attendee": row.pk, "user": row.user_id, "external": row.user_id is None},
        )
    return row
