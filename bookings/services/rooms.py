"""BK-17 / 001 §4: rooms, and their status. A room is added and edited here, put under
maintenance (with a reason) and taken out of it, retired and reinstated; never deleted,
since its bookings keep naming it. Bookings already made stay as they are: the room's
organizers are asked to move them (the admin says so)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from bookings.models import Provider, Room
from bookings.validation import required_reason
from meetingops.errors import InvalidTransition
from meetingops.updates import created_values, model_create, model_update
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

RS = Room.Status

# What room_update edits; the status moves only through the services below.
ROOM_FIELDS = (
    "name",
    "provider",
    "capacity",
    "preparation_minutes",
    "supports_recording",
    "supports_large_meeting",
    "allows_external_guests",
    "maintenance_reason",
    "join_url",
    "meeting_code",
    "meeting_password",
)
ROOM_STATUS_FIELDS = ("status", "maintenance_reason")


def room_create(
    *,
    actor: User,
    name: str,
    provider: Provider,
    capacity: int,
    preparation_minutes: int = 0,
    supports_recording: bool = False,
    supports_large_meeting: bool = False,
    allows_external_guests: bool = False,
    status: str = RS.ACTIVE,
    maintenance_reason: str = "",
    join_url: str = "",
    meeting_code: str = "",
    meeting_password: str = "",
) -> Room:
    """A new room. Raises ModelInvalid (a name taken, a capacity under one, under
    maintenance without a reason...) and then writes nothing."""
    data = {
        "name": name,
        "provider": provider,
        "capacity": capacity,
        "preparation_minutes": preparation_minutes,
        "supports_recording": supports_recording,
        "supports_large_meeting": supports_large_meeting,
        "allows_external_guests": allows_external_guests,
        "status": status,
        "maintenance_reason": maintenance_reason.strip(),
        "join_url": join_url,
        "meeting_code": meeting_code,
        "meeting_password": meeting_password,
    }
    with transaction.atomic():
        room = model_create(model=Room, data=data, fields=(*ROOM_FIELDS, "status"))
        audit.record(
            actor=actor,
            action="room.created",
            target=room,
            data={"values": created_values(room, (*ROOM_FIELDS, "status"))},
        )
    return room


def room_update(*, room: Room, actor: User, data: Mapping[str, Any]) -> Room:
    """Edit a room's description (any of ROOM_FIELDS). Audited with old and new values
    (the meeting password only as changed); nothing written when nothing changes."""
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        if "maintenance_reason" in data:
            data = {**data, "maintenance_reason": (data["maintenance_reason"] or "").strip()}
        changes = model_update(instance=room, data=data, fields=ROOM_FIELDS)
        if changes:
            audit.record(actor=actor, action="room.changed", target=room, data={"changes": changes})
    return room


# (from, to) -> the audit action: the moves a room's status may make.
ROOM_MOVES = {
    (RS.ACTIVE, RS.MAINTENANCE): "room.maintenance_started",
    (RS.MAINTENANCE, RS.ACTIVE): "room.maintenance_ended",
    (RS.ACTIVE, RS.RETIRED): "room.retired",
    (RS.MAINTENANCE, RS.RETIRED): "room.retired",
    (RS.RETIRED, RS.ACTIVE): "room.reinstated",
}


def _room_move(*, room: Room, actor: User, to: str, reason: str = "") -> Room:
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        action = ROOM_MOVES.get((room.status, to))
        if action is None:
            raise InvalidTransition(
                _(
                    "%(room)s is “%(status)s”, so it cannot become “%(new)s”. A retired "
                    "room is made active again before it is put under maintenance."
                )
                % {
                    "room": room.name,
                    "status": RS(room.status).label,
                    "new": RS(to).label if to in RS.values else to,
                },
                code="room_status_move",
                fields=["status"],
            )
        # A reason belongs to maintenance alone: it goes when maintenance does.
        changes = model_update(
            instance=room,
            data={"status": to, "maintenance_reason": reason},
            fields=ROOM_STATUS_FIELDS,
        )
        audit.record(actor=actor, action=action, target=room, data={"changes": changes})
    return room


def room_maintenance_start(*, room: Room, actor: User, reason: str) -> Room:
    """001 §4: the room cannot be booked until maintenance ends; say why. Meetings
    already booked stay: their organizers are asked to move them."""
    reason = required_reason(
        reason, message=_("Say why the room is under maintenance."), field="maintenance_reason"
    )
    return _room_move(room=room, actor=actor, to=RS.MAINTENANCE, reason=reason)


def room_maintenance_end(*, room: Room, actor: User) -> Room:
    """The room can be booked again; its maintenance reason is cleared."""
    return _room_move(room=room, actor=actor, to=RS.ACTIVE)


def room_retire(*, room: Room, actor: User) -> Room:
    """The room is no longer offered; it stays, since bookings name it."""
    return _room_move(room=room, actor=actor, to=RS.RETIRED)


def room_reinstate(*, room: Room, actor: User) -> Room:
    """A retired room is offered again."""
    return _room_move(room=room, actor=actor, to=RS.ACTIVE)


def room_status_set(*, room: Room, actor: User, status: str, reason: str = "") -> Room:
    """The status a form chose, through the service for that move (admin's status
    field); the status the room has already is no move and writes nothing."""
    current = Room.objects.values_list("status", flat=True).get(pk=room.pk)
    if status == current:
        return room
    if status == RS.MAINTENANCE:
        return room_maintenance_start(room=room, actor=actor, reason=reason)
    if status == RS.RETIRED:
        return room_retire(room=room, actor=actor)
    if status == RS.ACTIVE and current == RS.RETIRED:
        return room_reinstate(room=room, actor=actor)
    return _room_move(room=room, actor=actor, to=status)
