"""BK-10: when invitations, updates and cancellations of a meeting's calendar entry go
out. `bookings.services.lifecycle` calls the `invitations_on_*` functions inside the
service's transaction, holding the booking's row lock; they raise the entry's
`SEQUENCE` (`Booking.ical_sequence`) when what they send replaces an entry already out,
and queue the emails on commit to the worker, which sends them through
`bookings.notifications` (one delivery row per recipient, X-3).

- Approval: each invitee gets an "invitation" (the organizer's "approved" carries their
  entry). A further meeting of a series approved later is an update of the series.
- An approved change: its "change_approved" is the update (same UID, higher SEQUENCE);
  a new topic, which needs no approval, sends an "updated".
- A cancellation: its "cancelled" carries the CANCEL.
- Someone invited later gets the invitation alone; someone removed an "uninvited" with
  the CANCEL alone.
- A room whose link comes from Tencent Meeting or Zoom after the approval
  (`providers.link_comes_later`): the invitations wait for it, and
  `invitations_join_info_arrived` sends them (and the organizer's entry) once it has
  come."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F

from bookings.models import Booking, NotificationDelivery, Occurrence, Participant
from bookings.providers import link_comes_later
from bookings.services.rows import notify_on_commit

ORGANIZER = Participant.Role.ORGANIZER


def sequence_raise(booking: Booking) -> int:
    """The calendar entry changes: its SEQUENCE goes up by one (saved). Caller holds the
    booking's row lock."""
    Booking.objects.filter(pk=booking.pk).update(ical_sequence=F("ical_sequence") + 1)
    booking.refresh_from_db(fields=["ical_sequence"])
    return booking.ical_sequence


def _entries_sent(booking: Booking) -> bool:
    from bookings.notifications import _ENTRY_KINDS

    return NotificationDelivery.objects.filter(
        booking=booking, kind__in=_ENTRY_KINDS, sent_at__isnull=False
    ).exists()


def invitations_on_approval(
    *, booking: Booking, occurrences: Sequence[Occurrence], participants: Sequence[Participant]
) -> None:
    """Meetings of `booking` were approved and `participants` written for them."""
    if not participants:
        return
    others = Participant.objects.filter(booking=booking).exclude(
        occurrence__in=[o.pk for o in occurrences]
    )
    if others.exists():
        sequence_raise(booking)  # a series' entry, out already, gains meetings
    if link_comes_later(booking):
        return  # invitations_join_info_arrived sends them
    if any(p.role != ORGANIZER for p in participants):
        notify_on_commit(
            "invitation",
            booking,
            occurrence_ids=sorted({p.occurrence_id for p in participants}),
        )


def invitations_on_move(
    *, booking: Booking, moves: Sequence[tuple[Occurrence, Occurrence]]
) -> None:
    """An approved change moved meetings: its "change_approved" email is the update."""
    if moves:
        sequence_raise(booking)


def invitations_on_cancel(*, booking: Booking, occurrences: Sequence[Occurrence]) -> None:
    """Meetings were cancelled: its "cancelled" email carries the CANCEL, which is a new
    version of the entry for those who had it."""
    if Participant.objects.filter(occurrence__in=[o.pk for o in occurrences]).exists():
        sequence_raise(booking)


def invitations_on_join(*, booking: Booking, participants: Sequence[Participant]) -> None:
    """People invited to an approved booking joined its meetings to come."""
    if not participants or link_comes_later(booking):
        return
    notify_on_commit(
        "invitation",
        booking,
        occurrence_ids=sorted({p.occurrence_id for p in participants}),
        emails=sorted({p.email.lower() for p in participants}),
    )


def invitations_on_leave(*, booking: Booking, participants: Sequence[Participant]) -> None:
    """A person removed left the meetings to come: they get the CANCEL alone."""
    if not participants:
        return
    sequence_raise(booking)
    notify_on_commit(
        "uninvited",
        booking,
        occurrence_ids=sorted({p.occurrence_id for p in participants}),
        emails=sorted({p.email.lower() for p in participants}),
    )


# The fields a change applies at once that a calendar entry shows.
ENTRY_FIELDS = frozenset({"topic"})


def invitations_on_details(*, booking: Booking, fields: Sequence[str]) -> None:
    """A change applied at once renamed the meeting: everyone sent its entry gets the
    update ("updated"), the organizer too."""
    if not ENTRY_FIELDS & set(fields) or link_comes_later(booking) or not _entries_sent(booking):
        return
    sequence_raise(booking)
    notify_on_commit("updated", booking, organizer=True)


def invitations_join_info_arrived(*, booking: Booking) -> bool:
    """BK-10, BK-17: a remote provider's link for `booking` has arrived (called on
    commit by the providers' integration): the invitations that waited for it go to the
    invitees of its approved meetings to come, and the organizer's calendar entry with
    them. An update for those sent the entry before (a change moved the meeting to a
    Tencent Meeting or Zoom room). Returns whether anything was queued; nothing while
    the link is still missing."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update()
            .select_related("room__provider", "organizer")
            .get(pk=booking.pk)
        )
        if link_comes_later(booking):
            return False
        upcoming = Participant.objects.filter(
            booking=booking,
            is_active=True,
            occurrence__status=Occurrence.Status.APPROVED,
        ).exists()
        if not upcoming:
            return False
        if _entries_sent(booking):
            sequence_raise(booking)
        notify_on_commit("invitation", booking, organizer=True)
    return True
