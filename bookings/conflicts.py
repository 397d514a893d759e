"""BK-3: the one place that decides whether slots are free in a room. Occupied ranges
are half-open: [start - preparation, end). The PostgreSQL exclusion constraint is the
guarantee; this module exists to give a friendly error before it is needed, naming
the taken slot but never a meeting's topic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Blackout, Booking, Occurrence, Room
from bookings.rules import MAX_OCCURRENCE_DURATION
from meetingops.errors import ConflictError

# Preparation is at most 240 minutes (Room.preparation_minutes' validator).
MAX_PREPARATION = dt.timedelta(minutes=240)


# An occupied range lasts at most a meeting's longest plus the longest preparation, so
# whatever overlaps [a, b) has `occupied_from` in [a - OCCUPANCY_REACH, b): a bounded
# range of the (room, occupied_from, end) index, never a scan of the whole history.
OCCUPANCY_REACH = MAX_OCCURRENCE_DURATION + MAX_PREPARATION


def occupying_between(start: dt.datetime, end: dt.datetime, *, rooms=None) -> QuerySet:
    """Pending and approved occurrences whose occupied range overlaps [start, end), in
    `rooms` (a room, a queryset of rooms) or in any room."""
    taken = Occurrence.objects.filter(
        status__in=Occurrence.OCCUPYING,
        occupied_from__gte=start - OCCUPANCY_REACH,
        occupied_from__lt=end,
        end__gt=start,
    )
    if isinstance(rooms, Room):
        return taken.filter(room=rooms)
    return taken if rooms is None else taken.filter(room__in=rooms)


def blackouts_between(start: dt.datetime, end: dt.datetime, *, rooms=None) -> QuerySet:
    """Active blackout periods overlapping [start, end) that apply to `rooms` (a room,
    a queryset of rooms; those for all rooms always apply) or to any room."""
    blackouts = Blackout.objects.filter(is_active=True, start__lt=end, end__gt=start)
    if isinstance(rooms, Room):
        return blackouts.filter(Q(room=rooms) | Q(room__isnull=True))
    if rooms is None:
        return blackouts
    return blackouts.filter(Q(room__in=rooms) | Q(room__isnull=True))


def blackout_overlaps(*, room: Room, slots: Sequence[tuple[dt.datetime, dt.datetime]]) -> bool:
    """Whether an active blackout for `room` or for every room overlaps one of `slots`
    (each with the room's preparation before it): what `slot_conflicts(meetings=False)`
    says, without naming the blackout. Every booking request asks before it writes
    (bookings.services.rows.raise_if_blocked), so on PostgreSQL it is one plain
    statement rather than a queryset to build (bench/bookings.py (c))."""
    if not slots:
        return False
    if connection.vendor != "postgresql":
        return bool(slot_conflicts(room=room, slots=slots, meetings=False))
    prep = room.preparation
    wanted = [(start - prep, end) for start, end in slots]
    quote = connection.ops.quote_name
    column = {f.name: quote(f.column) for f in Blackout._meta.concrete_fields}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column['start']}, {column['end']} FROM {quote(Blackout._meta.db_table)} "  # noqa: S608 (names only)
            f"WHERE {column['is_active']} AND {column['start']} < %s AND {column['end']} > %s "
            f"AND ({column['room']} = %s OR {column['room']} IS NULL)",
            [max(e for _s, e in wanted), min(s for s, _e in wanted), room.pk],
        )
        blackouts = cursor.fetchall()
    return any(
        b_start < occ_end and occ_from < b_end
        for b_start, b_end in blackouts
        for occ_from, occ_end in wanted
    )


@dataclass(frozen=True)
class Conflict:
    kind: str  # "booking" or "blackout"
    room_id: int
    room_name: str
    start: dt.datetime
    end: dt.datetime
    reason: str = ""  # a blackout's reason; never a booking's topic

    @property
    def code(self) -> str:
        """The rule it breaks, as errors and the series preview name it: `blackout` (a
        period the room cannot be booked in) or `conflict` (another booking holds it)."""
        return "blackout" if self.kind == "blackout" else "conflict"

    def describe(self) -> str:
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        times = {
            "room": self.room_name,
            "day": start.strftime("%Y-%m-%d"),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M")
            if end.date() == start.date()
            else end.strftime("%Y-%m-%d %H:%M"),
        }
        if self.kind == "blackout":
            return _("%(room)s cannot be booked from %(day)s %(start)s to %(end)s: %(reason)s.") % {
                **times,
                "reason": self.reason,
            }
        return _("%(room)s is already booked from %(start)s to %(end)s on %(day)s.") % times

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "kind": self.kind,
            "room": self.room_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "detail": self.describe(),
        }


class BookingConflict(ConflictError):
    """The slots asked for are taken (409). Its code and message are its first
    conflict's, and a blackout comes first: the room cannot be booked then, whatever
    else holds it (`blackout`), else `conflict`."""

    code = "conflict"

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        conflicts = sorted(conflicts, key=lambda c: c.kind != "blackout")
        super().__init__(
            conflicts[0].describe(),
            code=conflicts[0].code,
            extra={"conflicts": [c.as_dict() for c in conflicts]},
        )
        self.conflicts = conflicts


def slot_conflicts(
    *,
    room: Room,
    slots: Sequence[tuple[dt.datetime, dt.datetime]],
    exclude_booking: Booking | None = None,
    meetings: bool = True,
) -> dict[int, list[Conflict]]:
    """For each slot (by index) the occupying occurrences and blackouts it runs into.
    Two queries whatever the number of slots; one with `meetings` False, which looks
    at blackouts only."""
    if not slots:
        return {}
    prep = room.preparation
    wanted = [(start - prep, end) for start, end in slots]
    span_start = min(s for s, _ in wanted)
    span_end = max(e for _, e in wanted)
    taken_ranges = []
    if meetings:
        taken = occupying_between(span_start, span_end, rooms=room)
        if exclude_booking is not None:
            taken = taken.exclude(booking=exclude_booking)
        taken_ranges = list(taken.values_list("occupied_from", "end", "start"))
    blackouts = list(
        blackouts_between(span_start, span_end, rooms=room).values_list("start", "end", "reason")
    )
    found: dict[int, list[Conflict]] = {}
    for index, (occ_from, occ_end) in enumerate(wanted):
        hits = [
            Conflict("booking", room.pk, room.name, start, end)
            for taken_from, end, start in taken_ranges
            if taken_from < occ_end and occ_from < end
        ]
        hits += [
            Conflict("blackout", room.pk, room.name, b_start, b_end, reason)
            for b_start, b_end, reason in blackouts
            if b_start < occ_end and occ_from < b_end
        ]
        if hits:
            found[index] = hits
    return found
