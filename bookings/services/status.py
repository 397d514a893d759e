"""BK-4 to BK-7: the status machine of a booking's meetings (DESIGN), in one table, and
what the booking row says of its meetings.

Status machine: pending → approved → completed; pending → rejected;
pending|approved → cancelled; approved → no_show; and approved → superseded when an
approved change (BK-5) moves the meeting to its new slot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import (
    Booking,
    BookingChange,
    Occurrence,
)
from meetingops.errors import InvalidTransition

if TYPE_CHECKING:
    from security.models import User

S = Occurrence.Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.COMPLETED, S.CANCELLED, S.NO_SHOW, S.SUPERSEDED}),
}


def occurrence_transition(
    occurrence: Occurrence,
    *,
    to: str,
    actor: User | None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> bool:
    """Move one occurrence along the table; `actor` None is the system (the usage
    policy approving automatically). Same status: no-op (False). A move the table does
    not allow raises InvalidTransition. Caller holds the booking's row lock and saves
    the occurrence (`occurrences_save`)."""
    if occurrence.status == to:
        return False
    if to not in TRANSITIONS.get(occurrence.status, frozenset()):
        raise InvalidTransition(
            _("A %(from)s meeting cannot become %(to)s.")
            % {"from": S(occurrence.status).label.lower(), "to": S(to).label.lower()},
            extra={"from": occurrence.status, "to": to},
        )
    now = now or timezone.now()
    occurrence.status = to
    if to in (S.APPROVED, S.REJECTED):
        occurrence.decided_by = actor if actor is not None and actor.is_authenticated else None
        occurrence.decided_at = now
    if reason:
        occurrence.reason = reason
    if to == S.CANCELLED:
        occurrence.cancelled_at = now
    return True


def occurrences_save(occurrences: Iterable[Occurrence]) -> None:
    """Save what `occurrence_transition` changed. Caller holds the booking's lock."""
    Occurrence.objects.bulk_update(
        list(occurrences),
        ["status", "decided_by", "decided_at", "reason", "cancelled_at", "late_cancellation"],
    )


def booking_summary_refresh(booking: Booking) -> str:
    """What the booking row says of its occurrences, brought up to date after they
    changed: its status (a series mixes them), its first meeting not replaced by a
    change and its first meeting awaiting a decision (the approvers' queue order).
    Returns the status."""
    meetings = list(booking.occurrences.exclude(status=S.SUPERSEDED).values_list("status", "start"))
    statuses = {status for status, _start in meetings}
    if (
        S.PENDING in statuses
        or booking.changes.filter(status=BookingChange.Status.PENDING).exists()
    ):
        status = Booking.Status.PENDING
    elif S.APPROVED in statuses:
        status = Booking.Status.APPROVED
    elif S.COMPLETED in statuses:
        status = Booking.Status.COMPLETED
    elif S.NO_SHOW in statuses:
        status = Booking.Status.NO_SHOW
    elif statuses == {S.REJECTED}:
        status = Booking.Status.REJECTED
    else:
        status = Booking.Status.CANCELLED
    first_start = min((start for _s, start in meetings), default=booking.first_start)
    # A change that moves no meeting waits in the queue from the next meeting it concerns.
    now = timezone.now()
    upcoming = [start for s, start in meetings if s in Occurrence.OCCUPYING and start > now]
    summary = {
        "status": status,
        "first_start": first_start,
        # Set exactly when the booking is pending: the queue orders no empty values.
        "first_pending_start": min(
            (start for s, start in meetings if s == S.PENDING),
            default=min(upcoming, default=first_start)
            if status == Booking.Status.PENDING
            else None,
        ),
    }
    changed = [f for f, value in summary.items() if getattr(booking, f) != value]
    if changed:
        for f in changed:
            setattr(booking, f, summary[f])
        booking.save(update_fields=[*changed, "updated_at"])
    return status
