"""What follows when a meeting's life changes (BK-10 to BK-13, BK-17): the services
that approve, change, cancel and invite call these, inside their transaction, holding
the booking's row lock; each keeps the participants and reminders in step
(`participants`), then queues on commit what reaches people and providers: the
invitations with their iCalendar (BK-10) and the provider's meeting (BK-17).

One place for it, so that approving from admin, from the API or by the usage policy
itself, and a change approved, all start the same things."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bookings import invitations
from bookings.models import Attendee, Booking, Occurrence, Participant
from bookings.services import participants, remote_meetings


def meetings_approved(
    *,
    booking: Booking,
    occurrences: Sequence[Occurrence],
    attendees: Sequence[Attendee] | None = None,
    now: dt.datetime | None = None,
) -> list[Participant]:
    """Meetings of `booking` were approved (a request, or one meeting of a series).
    `attendees`: its invitees, when the caller has just written them."""
    rows = participants.participants_open(
        booking=booking, occurrences=occurrences, attendees=attendees, now=now
    )
    # BK-17: a Tencent Meeting or Zoom room's meeting is created by the worker on commit.
    remote_meetings.remote_meeting_want(booking=booking)
    # BK-10: the invitees' invitations, on commit (or once a remote link has come).
    invitations.invitations_on_approval(booking=booking, occurrences=occurrences, participants=rows)
    return rows


def meetings_moved(
    *,
    booking: Booking,
    moves: Sequence[tuple[Occurrence, Occurrence]],
    time_moved: bool,
    now: dt.datetime | None = None,
) -> list[Participant]:
    """An approved change replaced each old meeting by its new one (`moves`)."""
    rows = participants.participants_move(
        booking=booking, moves=moves, time_moved=time_moved, now=now
    )
    # BK-17: the provider's meeting moves too (or, in another provider's room, is
    # cancelled there and created anew).
    remote_meetings.remote_meeting_want(booking=booking, update=time_moved)
    invitations.invitations_on_move(booking=booking, moves=moves)  # BK-10: the update
    return rows


def meetings_cancelled(
    *, booking: Booking, occurrences: Sequence[Occurrence], now: dt.datetime | None = None
) -> None:
    """Approved or pending meetings of `booking` were cancelled."""
    participants.participants_close(occurrences=occurrences, now=now)
    # BK-17: cancelled at the provider too, whole or one meeting of a series.
    remote_meetings.remote_meetings_cancel(booking=booking, occurrences=list(occurrences))
    invitations.invitations_on_cancel(booking=booking, occurrences=occurrences)  # BK-10


def attendees_added(
    *, booking: Booking, attendees: Sequence[Attendee], now: dt.datetime | None = None
) -> list[Participant]:
    """People were invited to `booking`, which may have approved meetings to come."""
    rows = participants.attendees_join(booking=booking, attendees=attendees, now=now)
    invitations.invitations_on_join(booking=booking, participants=rows)  # BK-10
    return rows


def attendee_removed(
    *, booking: Booking, attendee: Attendee, now: dt.datetime | None = None
) -> list[Participant]:
    """A person was removed from `booking`."""
    rows = participants.attendee_leave(booking=booking, attendee=attendee, now=now)
    invitations.invitations_on_leave(booking=booking, participants=rows)  # BK-10: CANCEL
    return rows


def details_changed(*, booking: Booking, fields: Sequence[str]) -> None:
    """Fields of `booking` changed at once, without an approval (BK-5: the topic, the
    agenda, the settings): the calendar entries out already are updated (BK-10)."""
    invitations.invitations_on_details(booking=booking, fields=fields)


def reminder_leads_changed(*, booking: Booking, now: dt.datetime | None = None) -> None:
    """The organizer changed the meeting's reminder lead times (BK-12): its approved
    meetings to come get the new ones."""
    participants.reminders_replan(booking=booking, now=now)
