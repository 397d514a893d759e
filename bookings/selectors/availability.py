"""BK-9: which rooms are free for a slot, and when a room is free on a day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import conflicts, recurrence, rules
from bookings.models import Occurrence, Room
from bookings.validation import validate_basics
from meetingops.errors import ApplicationError

S = Occurrence.Status


# Room.FEATURES by the short names the API filters on.
ROOM_FEATURES = {
    "recording": "supports_recording",
    "large_meeting": "supports_large_meeting",
    "external_guests": "allows_external_guests",
}


def room_list_active() -> QuerySet[Room]:
    """Rooms that can be booked, by name (the API filters them by capacity and
    features: bookings.api.filters)."""
    # A handful of providers serve many rooms: fetch each once, not once per room.
    return (
        Room.objects.prefetch_related("provider").filter(status=Room.Status.ACTIVE).order_by("name")
    )


def rooms_narrowed(
    rooms: QuerySet[Room],
    *,
    capacity_min: int | None = None,
    features: Iterable[str] = (),
    provider_id: int | None = None,
) -> QuerySet[Room]:
    """BK-9: `rooms` holding at least `capacity_min` people, with every feature named
    (keys of ROOM_FEATURES), of the provider given: the booking form's and the room
    finder's filters (the API's are django-filter's, bookings.api.filters)."""
    if capacity_min:
        rooms = rooms.filter(capacity__gte=capacity_min)
    for name in features:
        rooms = rooms.filter(**{ROOM_FEATURES[name]: True})
    if provider_id:
        rooms = rooms.filter(provider_id=provider_id)
    return rooms


def room_get_listed(*, room_id: int) -> Room | None:
    """A room employees may look at: active or under maintenance, not retired."""
    return (
        Room.objects.select_related("provider")
        .exclude(status=Room.Status.RETIRED)
        .filter(pk=room_id)
        .first()
    )


def room_list_free_for_slot(
    *,
    start: dt.datetime,
    end: dt.datetime,
    rooms: QuerySet[Room] | None = None,
) -> list[Room]:
    """BK-9: the active rooms (`rooms`, of room_list_active: all unless told) that the slot
    [start, end) fits in: no pending or approved meeting and no active blackout in
    [start - the room's preparation, end). Three queries whatever the number of rooms:
    the rooms and their providers, then what occupies any of them near the slot (read
    through bounded index ranges) with the blackouts; each room's own preparation is
    applied here. A slot that ends before it starts, or lasts over a day, is refused
    (`end_before_start`, `slot_too_long`)."""
    if end <= start:
        raise ApplicationError(
            _("The end must come after the start."), code="end_before_start", fields=["end"]
        )
    if end - start > rules.MAX_OCCURRENCE_DURATION:
        raise ApplicationError(
            _("Search a slot of one day at most."), code="slot_too_long", fields=["end"]
        )
    candidates = room_list_active() if rooms is None else rooms
    rooms = list(candidates)
    if not rooms:
        return []
    reach_from = start - max(room.preparation for room in rooms)
    # The same rooms as a subquery: one parameter list to compile, not hundreds of ids.
    room_ids = candidates.order_by().values("pk")
    ends: dict[int | None, list[dt.datetime]] = defaultdict(list)
    taken = conflicts.occupying_between(reach_from, end, rooms=room_ids)
    blackouts = conflicts.blackouts_between(reach_from, end, rooms=room_ids)
    # One round trip for both: meetings, and blackouts (room None: every room).
    for room_id, taken_end in (
        taken.order_by()
        .values_list("room_id", "end")
        .union(blackouts.order_by().values_list("room_id", "end"), all=True)
    ):
        ends[room_id].append(taken_end)
    return [
        room
        for room in rooms
        if not any(e > start - room.preparation for e in (*ends[room.pk], *ends[None]))
    ]


@dataclass(frozen=True)
class DaySlots:
    opens: dt.datetime | None  # None: no working hours that day
    closes: dt.datetime | None
    free: list[tuple[dt.datetime, dt.datetime]]


def room_free_slots_on_day(*, room: Room, day: dt.date) -> DaySlots:
    """BK-9: when on `day` (company time) a meeting can be held in `room`: the policy's
    working hours minus what is occupied and blacked out. A meeting needs the room's
    preparation time free before it, so a free stretch [a, b) of the room's time line
    admits meetings in [a + preparation, b). Two queries."""
    policy = rules.policy_current()
    if day.isoweekday() not in policy.weekdays:
        return DaySlots(None, None, [])
    zone = rules.company_zone()
    opens = dt.datetime.combine(day, policy.workday_start, tzinfo=zone)
    closes = dt.datetime.combine(day, policy.workday_end, tzinfo=zone)
    if room.status != Room.Status.ACTIVE:
        return DaySlots(opens, closes, [])
    prep = room.preparation
    reach_from = opens - prep
    busy = list(
        conflicts.occupying_between(reach_from, closes, rooms=room).values_list(
            "occupied_from", "end"
        )
    )
    busy += conflicts.blackouts_between(reach_from, closes, rooms=room).values_list("start", "end")
    slots = free_slots_within(opens=opens, closes=closes, busy=busy, preparation=prep)
    return DaySlots(opens, closes, [(a.astimezone(zone), b.astimezone(zone)) for a, b in slots])


def free_slots_within(
    *,
    opens: dt.datetime,
    closes: dt.datetime,
    busy: Iterable[tuple[dt.datetime, dt.datetime]],
    preparation: dt.timedelta,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """BK-9: the stretches of [opens, closes) in which a meeting can be held in a room
    whose time line is taken by `busy` (occupied ranges [from, until): meetings with
    their preparation, blackouts). A meeting needs the room's `preparation` free before
    it, so a free stretch [a, b) of the time line admits meetings in [a + preparation,
    b). Pure: `room_free_slots_on_day` and the day calendar (many rooms from one read)
    both ask it."""
    free, cursor = [], opens - preparation
    for busy_from, busy_until in sorted(busy):
        if busy_from > cursor:
            free.append((cursor, busy_from))
        cursor = max(cursor, busy_until)
    free.append((cursor, closes))
    slots = []
    for free_from, free_until in free:
        meeting_from, meeting_until = max(free_from + preparation, opens), min(free_until, closes)
        if meeting_from < meeting_until:
            slots.append((meeting_from, meeting_until))
    return slots


def series_preview(
    *,
    organizer,
    room: Room,
    start: dt.datetime,
    end: dt.datetime,
    recurrence_rule: dict | None,
    expected_headcount: int = 1,
) -> list[dict]:
    """BK-8: every occurrence of the series with whether it is free, and why not."""
    validate_basics(start=start, end=end, topic="preview", headcount=expected_headcount)
    rule = recurrence.rule_from(recurrence_rule) if recurrence_rule else None
    slots = recurrence.occurrence_slots(start=start, end=end, rule=rule, tz=settings.TIME_ZONE)
    policy = rules.policy_current()
    now = timezone.now()
    taken = conflicts.slot_conflicts(room=room, slots=slots)
    preview = []
    for index, (slot_start, slot_end) in enumerate(slots):
        problems = [
            v.as_dict()
            for v in rules.check_slot(policy=policy, start=slot_start, end=slot_end, now=now)
        ]
        problems += [c.as_dict() for c in taken.get(index, [])]
        preview.append(
            {"start": slot_start, "end": slot_end, "free": not problems, "problems": problems}
        )
    return preview


def booking_first_bookable_start(
    *, now: dt.datetime, duration: dt.timedelta, step_minutes: int = 30
) -> dt.datetime:
    """The booking form's suggested start: the first whole `step_minutes` at or after
    the policy's advance notice whose meeting of `duration` falls within working hours
    on an allowed weekday (company time), within the horizon; else just the first step
    after the notice. A suggestion only: `rules.check_slot` decides. One query."""
    policy = rules.policy_current()
    zone = rules.company_zone()
    step = dt.timedelta(minutes=step_minutes)
    earliest = (now + dt.timedelta(hours=policy.min_advance_hours)).astimezone(zone)
    midnight = earliest.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = -(-(earliest - midnight) // step)  # rounded up to the next step
    first = midnight + steps * step
    candidate = first
    for _day in range(min(policy.horizon_days, 31) + 1):
        day = candidate.date()
        opens = dt.datetime.combine(day, policy.workday_start, tzinfo=zone)
        closes = dt.datetime.combine(day, policy.workday_end, tzinfo=zone)
        start = max(candidate, opens)
        if day.isoweekday() in policy.weekdays and start + duration <= closes:
            return start
        candidate = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return first
