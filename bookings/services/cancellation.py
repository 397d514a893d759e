"""BK-6: the organizer cancels meetings that have not started."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import rules, selectors
from bookings.models import (
    Booking,
    BookingChange,
    Occurrence,
)
from bookings.permissions import can_cancel
from bookings.services import lifecycle
from bookings.services.rows import booking_locked, notify_on_commit
from bookings.services.status import (
    booking_summary_refresh,
    occurrence_transition,
    occurrences_save,
)
from meetingops.errors import InvalidTransition, PermissionDeniedError
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

S = Occurrence.Status


def booking_cancel(
    *, booking: Booking, actor: User, reason: str = "", occurrence: Occurrence | None = None
) -> Booking:
    """BK-6: cancel before the start, the whole booking (its future meetings) or one
    occurrence. After the policy's deadline it counts as a late cancellation."""
    if not can_cancel(actor, booking):
        raise PermissionDeniedError(
            _("Only the organizer can cancel this booking."), code="not_organizer"
        )
    with transaction.atomic():
        booking = booking_locked(booking)
        now = timezone.now()
        policy = rules.policy_current()
        occupying = list(booking.occurrences.filter(status__in=Occurrence.OCCUPYING))
        change = selectors.booking_pending_change(booking=booking)
        # A pending change's proposed slots, never agreed: they go with their change.
        proposed = [o for o in occupying if o.replaces_id and o.status == S.PENDING]
        future = _cancel_targets(
            occupying=occupying, proposed=proposed, occurrence=occurrence, now=now
        )
        withdrawn = change is not None and _change_withdrawn(
            occupying=occupying, proposed=proposed, future=future, occurrence=occurrence, now=now
        )
        if withdrawn:
            future += [o for o in occupying if o not in future and o in proposed]
        _meetings_cancelled(
            meetings=future,
            actor=actor,
            reason=reason,
            deadline=dt.timedelta(hours=policy.cancellation_deadline_hours),
            now=now,
        )
        if withdrawn:
            change.status = BookingChange.Status.WITHDRAWN
            change.decided_at = now
            change.save(update_fields=["status", "decided_at"])
        booking_summary_refresh(booking)
        lifecycle.meetings_cancelled(booking=booking, occurrences=future, now=now)
        audit.record(
            actor=actor,
            action="booking.cancelled",
            target=booking,
            data={
                "occurrences": [o.pk for o in future],
                "late": [o.pk for o in future if o.late_cancellation],
                "reason": reason,
                "change_withdrawn": change.pk if withdrawn else None,
                "policy_version": policy.version,
            },
        )
        # The meetings as people know them: not a change's proposed slot. Withdrawing a
        # change's proposed slot cancels no meeting anyone knew of.
        told = [o.pk for o in future if o not in proposed]
        if told:
            notify_on_commit("cancelled", booking, occurrence_ids=told, reason=reason)
    return booking


def _cancel_targets(
    *,
    occupying: list[Occurrence],
    proposed: list[Occurrence],
    occurrence: Occurrence | None,
    now: dt.datetime,
) -> list[Occurrence]:
    """The meetings to cancel, among the booking's `occupying` ones (of which
    `proposed` are a pending change's new slots): all that have not started, or the one
    named with the slot a pending change proposes for it, or, for a proposed slot, all
    the change proposes. InvalidTransition (`already_started`) when none is left.
    Caller holds the booking's lock."""
    if occurrence is None:
        targets = occupying
    elif occurrence in proposed:
        # One proposed slot cancelled: the organizer no longer wants the move.
        targets = proposed
    else:
        # One meeting, with the slot a pending change proposes for it.
        targets = [o for o in occupying if o == occurrence or o.replaces_id == occurrence.pk]
        targets = [o for o in targets if o == occurrence or o in proposed]
    future = [o for o in targets if o.start > now]
    if not future:
        raise InvalidTransition(
            _("Only meetings that have not started can be cancelled."), code="already_started"
        )
    return future


def _change_withdrawn(
    *,
    occupying: list[Occurrence],
    proposed: list[Occurrence],
    future: list[Occurrence],
    occurrence: Occurrence | None,
    now: dt.datetime,
) -> bool:
    """Whether cancelling `future` withdraws the pending change: the whole booking is
    cancelled, or a slot the change proposed, or every slot it proposed, or no meeting
    it could still apply to is left. Precondition: a change is pending, `proposed` are
    its new slots and `future` comes from `_cancel_targets`; caller holds the booking's
    lock."""
    if occurrence is None or occurrence in proposed:
        return True
    rest = [o for o in occupying if o not in future]
    return bool(proposed and not [o for o in rest if o in proposed]) or not [
        o for o in rest if o not in proposed and o.start > now
    ]


def _meetings_cancelled(
    *,
    meetings: list[Occurrence],
    actor: User,
    reason: str,
    deadline: dt.timedelta,
    now: dt.datetime,
) -> None:
    """Cancel `meetings`, each late when it was confirmed and the policy's `deadline`
    before its start has passed (001 §2.5). Caller holds the booking's lock."""
    for o in meetings:
        occurrence_transition(o, to=S.CANCELLED, actor=actor, reason=reason, now=now)
        # Only a meeting that was confirmed can be cancelled late (001 §2.5).
        o.late_cancellation = o.decided_at is not None and now > o.start - deadline
    occurrences_save(meetings)
