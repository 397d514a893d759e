"""BK-2: blackout periods (不可预约时段), when no one can book a room, or any room.
Never deleted: a blackout is ended early by making it inactive. Meetings already booked
within one stay booked; the audit records how many there were, and the admin tells the
person who set it to ask their organizers to move them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from bookings import selectors
from bookings.models import Blackout, Room
from bookings.validation import require_aware
from meetingops.updates import created_values, model_create, model_update
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

BLACKOUT_FIELDS = ("room", "start", "end", "reason", "is_active")


def blackout_create(
    *,
    actor: User,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    room: Room | None = None,
    is_active: bool = True,
) -> Blackout:
    """A new blackout period, for `room` or (None) for every room. Raises
    BookingInputError (a time without its zone) or ModelInvalid (no reason, an end not
    after the start) and then writes nothing."""
    require_aware("start", start)
    require_aware("end", end)
    data = {
        "room": room,
        "start": start,
        "end": end,
        "reason": reason.strip(),
        "is_active": is_active,
    }
    with transaction.atomic():
        blackout = model_create(model=Blackout, data=data, fields=BLACKOUT_FIELDS, created_by=actor)
        audit.record(
            actor=actor,
            action="blackout.created",
            target=blackout,
            data={
                "values": created_values(blackout, BLACKOUT_FIELDS),
                "booked_meetings": selectors.blackout_booked_meetings(blackout=blackout),
            },
        )
    return blackout


def blackout_update(*, blackout: Blackout, actor: User, data: Mapping[str, Any]) -> Blackout:
    """Edit a blackout period (any of BLACKOUT_FIELDS; `is_active` off ends it early).
    Audited with old and new values; nothing written when nothing changes."""
    for name in ("start", "end"):
        if name in data:
            require_aware(name, data[name])
    if "reason" in data:
        data = {**data, "reason": (data["reason"] or "").strip()}
    with transaction.atomic():
        blackout = Blackout.objects.select_for_update().get(pk=blackout.pk)
        changes = model_update(instance=blackout, data=data, fields=BLACKOUT_FIELDS)
        if changes:
            audit.record(
                actor=actor,
                action="blackout.changed",
                target=blackout,
                data={
                    "changes": changes,
                    "booked_meetings": selectors.blackout_booked_meetings(blackout=blackout),
                },
            )
    return blackout
