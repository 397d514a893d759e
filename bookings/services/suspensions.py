"""BK-2 / OV-5: suspended and removed booking rights."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import (
    BookingSuspension,
)
from bookings.validation import BookingInputError, require_aware, required_reason
from meetingops.errors import PermissionDeniedError
from oversight import audit

if TYPE_CHECKING:
    from security.models import User


def booking_suspension_check(
    *,
    user: User,
    actor: User,
    reason: str,
    end: dt.datetime | None,
    start: dt.datetime | None = None,
) -> tuple[str, dt.datetime]:
    """What `booking_suspension_impose` refuses, checked without writing (a form asks it
    before saving); returns the cleaned reason and the start."""
    if not actor.has_perm("bookings.add_bookingsuspension"):
        raise PermissionDeniedError(
            _("Suspending booking rights is for the supervision team."), code="not_supervisor"
        )
    if user.pk == actor.pk:
        raise PermissionDeniedError(
            _(
                "You cannot suspend your own booking rights: ask another member of the "
                "supervision team."
            ),
            code="own_suspension",
            fields=["user"],
        )
    reason = required_reason(reason, message=_("Say why the booking rights are suspended."))
    start = start or timezone.now()
    for name, value in (("start", start), ("end", end)):
        if value is not None:
            require_aware(name, value)
    if end is not None and end <= start:
        raise BookingInputError(
            _("A suspension must start before it ends."),
            code="end_before_start",
            fields=["end"],
        )
    return reason, start


def booking_suspension_impose(
    *,
    user: User,
    actor: User,
    reason: str,
    end: dt.datetime | None,
    start: dt.datetime | None = None,
) -> BookingSuspension:
    """OV-5: suspend `user`'s right to book from `start` (now when not given) until
    `end`, or remove it (`end` None). The supervision team decides
    (`bookings.add_bookingsuspension`); no one suspends themselves."""
    reason, start = booking_suspension_check(
        user=user, actor=actor, reason=reason, end=end, start=start
    )
    with transaction.atomic():
        suspension = BookingSuspension.objects.create(
            user=user, start=start, end=end, reason=reason[:255], imposed_by=actor
        )
        audit.record(
            actor=actor,
            action="bookingsuspension.imposed",
            target=suspension,
            data={
                "user": user.pk,
                "start": start.isoformat(),
                "end": end.isoformat() if end else None,
                "reason": suspension.reason,
            },
        )
    return suspension


def booking_suspension_lift(
    *, suspension: BookingSuspension, actor: User, reason: str
) -> BookingSuspension:
    """OV-5: end a suspension early, with a reason (`bookings.change_bookingsuspension`).
    Lifting a lifted one changes nothing."""
    if not actor.has_perm("bookings.change_bookingsuspension"):
        raise PermissionDeniedError(
            _("Lifting suspensions of booking rights is for the supervision team."),
            code="not_supervisor",
        )
    reason = required_reason(
        reason, message=_("Say why the suspension is lifted."), field="lift_reason"
    )
    with transaction.atomic():
        suspension = BookingSuspension.objects.select_for_update().get(pk=suspension.pk)
        if suspension.lifted_at is not None:
            return suspension
        suspension.lifted_at = timezone.now()
        suspension.lifted_by = actor
        suspension.lift_reason = reason[:255]
        suspension.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit.record(
            actor=actor,
            action="bookingsuspension.lifted",
            target=suspension,
            data={"user": suspension.user_id, "reason": suspension.lift_reason},
        )
    return suspension
