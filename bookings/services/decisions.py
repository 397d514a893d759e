"""BK-4: approvers decide pending requests, whole or one meeting at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import selectors
from bookings.models import (
    Booking,
    Occurrence,
)
from bookings.permissions import can_approve, is_approver
from bookings.services.changes import change_decide
from bookings.services.rows import booking_locked, join_info_give, notify_on_commit
from bookings.services.status import (
    booking_summary_refresh,
    occurrence_transition,
    occurrences_save,
)
from bookings.validation import required_reason
from meetingops.errors import InvalidTransition, PermissionDeniedError
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

S = Occurrence.Status


def _awaiting_decision(*, booking: Booking, occurrence: Occurrence | None) -> list[Occurrence]:
    """The pending meetings of the request itself (not a change's new slots), or the one
    named; InvalidTransition when there is none. Caller holds the booking's lock."""
    pending = booking.occurrences.filter(status=S.PENDING, replaces__isnull=True)
    if occurrence is not None:
        pending = pending.filter(pk=occurrence.pk)
    targets = list(pending)
    if not targets:
        raise InvalidTransition(
            _("Nothing in this booking is waiting for a decision."), code="nothing_pending"
        )
    return targets


def occurrences_approve(
    *, booking: Booking, occurrences: Sequence[Occurrence], actor: User | None, note: str = ""
) -> list[Occurrence]:
    """Approve `occurrences` of `booking` (those still pending), give the booking its
    join information, audit and notify the organizer; `actor` None is the usage policy
    approving automatically. Returns the meetings approved. Caller holds the booking's
    lock, or has just created it in the same transaction."""
    now = timezone.now()
    moved = [
        o
        for o in occurrences
        if occurrence_transition(o, to=S.APPROVED, actor=actor, reason=note, now=now)
    ]
    occurrences_save(moved)
    if moved:
        join_info_give(booking)
        booking_summary_refresh(booking)
        audit.record(
            actor=actor,
            action="booking.approved",
            target=booking,
            data={"occurrences": [o.pk for o in moved], "note": note, "automatic": actor is None},
        )
        notify_on_commit("approved", booking, occurrence_ids=[o.pk for o in moved])
    return moved


def _require_decider(*, actor: User, booking: Booking) -> None:
    """PermissionDeniedError (`not_approver`) unless `actor` may decide `booking`,
    saying why and who can."""
    if can_approve(actor, booking):
        return
    if is_approver(actor):
        message = _("You requested this booking: ask another approver to decide it.")
    else:
        message = _("Only approvers decide booking requests.")
    raise PermissionDeniedError(message, code="not_approver")


def booking_approve(
    *, booking: Booking, actor: User, occurrence: Occurrence | None = None, note: str = ""
) -> Booking:
    """BK-4: approve the pending request (or its pending change), or one occurrence."""
    _require_decider(actor=actor, booking=booking)
    with transaction.atomic():
        booking = booking_locked(booking)
        change = selectors.booking_pending_change(booking=booking)
        if change is not None and occurrence is None:
            change_decide(booking=booking, change=change, approve=True, actor=actor, reason=note)
            return booking
        occurrences_approve(
            booking=booking,
            occurrences=_awaiting_decision(booking=booking, occurrence=occurrence),
            actor=actor,
            note=note,
        )
    return booking


def booking_reject(
    *, booking: Booking, actor: User, reason: str, occurrence: Occurrence | None = None
) -> Booking:
    """BK-4: reject with a reason (required), the whole request or one occurrence."""
    _require_decider(actor=actor, booking=booking)
    reason = required_reason(reason, message=_("Say why the request is rejected."))
    with transaction.atomic():
        booking = booking_locked(booking)
        change = selectors.booking_pending_change(booking=booking)
        if change is not None and occurrence is None:
            change_decide(booking=booking, change=change, approve=False, actor=actor, reason=reason)
            return booking
        targets = _awaiting_decision(booking=booking, occurrence=occurrence)
        now = timezone.now()
        for o in targets:
            occurrence_transition(o, to=S.REJECTED, actor=actor, reason=reason, now=now)
        occurrences_save(targets)
        booking_summary_refresh(booking)
        audit.record(
            actor=actor,
            action="booking.rejected",
            target=booking,
            data={"occurrences": [o.pk for o in targets], "reason": reason},
        )
        notify_on_commit("rejected", booking, occurrence_ids=[o.pk for o in targets], reason=reason)
    return booking
