"""BK-9: the room finder's calendars: a day of rooms x hours, a week of one room, a week
of my own meetings. Plain rows read in a bounded number of queries whatever the number
of rooms and meetings (one for the rooms, one for the meetings with the viewer's part
in each, one for the blackouts, one for the policy), times in the viewer's zone.

What the viewer may read of each meeting is SE-5's, asked of `bookings.secrecy`
(`details_hidden_among`, fed with the viewer's invitations from
`secrecy.active_invitations`): a meeting they may not read is "busy", with neither its
topic nor its booking."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from bookings import conflicts, rules, secrecy
from bookings.models import Occurrence, Provider, Room
from bookings.selectors.availability import ROOM_FEATURES, free_slots_within, rooms_narrowed
from meetingops.db import EpochSeconds

# A meeting in a window starts at most a day before it (MAX_OCCURRENCE_DURATION), and one
# whose preparation reaches into it starts at most MAX_PREPARATION after it: both bound
# the read by the (status, start) index, as the week's occupancy does. Without the upper
# bound PostgreSQL guesses a seventh of a million meetings and scans them all.
_REACH = rules.MAX_OCCURRENCE_DURATION
_LEAD = conflicts.MAX_PREPARATION

_ROOM_COLUMNS = (
    "id",
    "name",
    "capacity",
    "status",
    "maintenance_reason",
    "preparation_minutes",
    "provider_id",
    "provider__name",
    *ROOM_FEATURES.values(),
)


@dataclass(frozen=True)
class RoomFilters:
    """What the room finder narrows the rooms to; empty: every listed room."""

    capacity_min: int | None = None
    features: tuple[str, ...] = ()  # keys of ROOM_FEATURES
    provider_id: int | None = None


@dataclass
class CalendarWindow:
    """A stretch of the viewer's time ([begin, finish), aware) with its rooms, the
    meetings in them and the blackouts that hold them."""

    begin: dt.datetime
    finish: dt.datetime
    rooms: list[dict] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)
    blackouts: list[dict] = field(default_factory=list)


def provider_list_for_calendar() -> QuerySet[Provider]:
    """The providers the room finder may filter by: the active ones, by name."""
    return Provider.objects.filter(is_active=True).order_by("name")


def _rooms(*, filters: RoomFilters | None = None, room_id: int | None = None) -> list[dict]:
    """Listed rooms (active or under maintenance; a retired one is off every calendar),
    by name, as plain rows: one query."""
    rooms = Room.objects.exclude(status=Room.Status.RETIRED)
    if room_id is not None:
        rooms = rooms.filter(pk=room_id)
    if filters is not None:
        rooms = rooms_narrowed(
            rooms,
            capacity_min=filters.capacity_min,
            features=filters.features,
            provider_id=filters.provider_id,
        )
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "capacity": row["capacity"],
            "status": row["status"],
            "maintenance_reason": row["maintenance_reason"],
            "preparation": dt.timedelta(minutes=row["preparation_minutes"]),
            "provider": row["provider__name"],
            "provider_id": row["provider_id"],
            "features": [name for name, column in ROOM_FEATURES.items() if row[column]],
            "free": [],
        }
        for row in rooms.order_by("name").values(*_ROOM_COLUMNS)
    ]


def _meetings(
    *,
    viewer,
    begin: dt.datetime,
    finish: dt.datetime,
    room_ids: Collection[int] | None = None,
    mine_only: bool = False,
) -> list[dict]:
    """The pending and approved meetings whose occupied range ([start - preparation,
    end)) meets [begin, finish), in `room_ids` (all rooms when None), or only the
    viewer's own (`mine_only`: organized or invited to). One query: each row carries
    whether the viewer is an active invitee, which is both SE-5's last fact and what
    makes a meeting theirs."""
    invited = Exists(secrecy.active_invitations(viewer).filter(booking_id=OuterRef("booking_id")))
    meetings = Occurrence.objects.filter(
        status__in=Occurrence.OCCUPYING,
        start__gte=begin - _REACH,
        start__lt=finish + _LEAD,
        occupied_from__lt=finish,
        end__gt=begin,
    )
    if room_ids is not None:
        meetings = meetings.filter(room_id__in=list(room_ids))
    if mine_only:
        meetings = meetings.filter(Q(organizer_id=viewer.pk) | Q(invited))
    rows = list(
        meetings.annotate(
            invited=invited,
            # Seconds, not datetimes: a day of 200 rooms is over a thousand meetings,
            # whose few dozen times are each made once below (as the week's occupancy).
            occupied_from_s=EpochSeconds("occupied_from"),
            start_s=EpochSeconds("start"),
            end_s=EpochSeconds("end"),
        )
        .order_by("start", "pk")
        .values_list(
            "id",
            "room_id",
            "occupied_from_s",
            "start_s",
            "end_s",
            "status",
            "booking_id",
            # The occurrence's copies of its booking's: no booking looked up per meeting.
            "topic",
            "confidential",
            "organizer_id",
            "invited",
        )
    )
    hidden = secrecy.details_hidden_among(
        ((row[6], row[8], row[9]) for row in rows),
        viewer=viewer,
        invited_booking_ids=lambda: {row[6] for row in rows if row[10]},
    )
    labels = {value: str(label) for value, label in Occurrence.Status.choices}
    viewer_id = viewer.pk
    zone = timezone.get_current_timezone()
    moments: dict[float, dt.datetime] = {}

    def moment(seconds: float) -> dt.datetime:
        made = moments.get(seconds)
        if made is None:
            made = moments[seconds] = dt.datetime.fromtimestamp(seconds, zone)
        return made

    return [
        {
            "id": occ_id,
            "room": room_id,
            "occupied_from": moment(occupied_from),
            "start": moment(start),
            "end": moment(end),
            "status": status,
            "status_label": labels[status],
            "busy": booking_id in hidden,
            "topic": None if booking_id in hidden else topic,
            "booking": None if booking_id in hidden else booking_id,
            # Mine: I organize it or I am invited (a meeting of mine is never hidden).
            "mine": organizer_id == viewer_id or was_invited,
        }
        for (
            occ_id,
            room_id,
            occupied_from,
            start,
            end,
            status,
            booking_id,
            topic,
            _confidential,
            organizer_id,
            was_invited,
        ) in rows
    ]


def _blackouts(
    *, begin: dt.datetime, finish: dt.datetime, room_ids: Collection[int] | None
) -> list[dict]:
    """The active blackouts over [begin, finish) of those rooms or of every room: one
    query. A blackout's reason is no secret (conflicts names it in errors too)."""
    rooms = None if room_ids is None else list(room_ids)
    zone = timezone.get_current_timezone()
    return [
        {"room": room_id, "start": start.astimezone(zone), "end": end.astimezone(zone), "reason": r}
        for room_id, start, end, r in conflicts.blackouts_between(begin, finish, rooms=rooms)
        .order_by("start", "pk")
        .values_list("room_id", "start", "end", "reason")
    ]


def working_hours_within(
    *, begin: dt.datetime, finish: dt.datetime, policy=None
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The policy's working hours (company days and time, BK-2) that fall in [begin,
    finish): one stretch per working day, clipped to the window, in order."""
    policy = policy or rules.policy_current()
    zone = rules.company_zone()
    first = begin.astimezone(zone).date()
    last = (finish - dt.timedelta(microseconds=1)).astimezone(zone).date()
    stretches = []
    day = first
    while day <= last:
        if day.isoweekday() in policy.weekdays:
            opens = max(dt.datetime.combine(day, policy.workday_start, tzinfo=zone), begin)
            closes = min(dt.datetime.combine(day, policy.workday_end, tzinfo=zone), finish)
            if opens < closes:
                stretches.append((opens, closes))
        day += dt.timedelta(days=1)
    return stretches


def _with_free_slots(window: CalendarWindow, *, now: dt.datetime, policy=None) -> CalendarWindow:
    """Each active room's free slots in the window's working hours from `now` on: what
    `availability.free_slots_within` leaves of them beside the room's meetings (with
    their preparation) and blackouts. A room under maintenance has none."""
    hours = working_hours_within(begin=window.begin, finish=window.finish, policy=policy)
    busy: dict[int | None, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for meeting in window.meetings:
        busy[meeting["room"]].append((meeting["occupied_from"], meeting["end"]))
    for blackout in window.blackouts:
        busy[blackout["room"]].append((blackout["start"], blackout["end"]))
    zone = timezone.get_current_timezone()
    for room in window.rooms:
        if room["status"] != Room.Status.ACTIVE:
            continue
        taken = busy[room["id"]] + busy[None]
        for opens, closes in hours:
            opens = max(opens, now)
            if opens >= closes:
                continue
            room["free"].extend(
                (start.astimezone(zone), end.astimezone(zone))
                for start, end in free_slots_within(
                    opens=opens, closes=closes, busy=taken, preparation=room["preparation"]
                )
            )
    return window


def local_day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The viewer's `day`, midnight to midnight in the active zone."""
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(day, dt.time.min, tzinfo=zone),
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def local_week_window(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Seven of the viewer's days from `week_start`."""
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(week_start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time.min, tzinfo=zone),
    )


def calendar_for_day(
    *, viewer, day: dt.date, filters: RoomFilters | None = None, now: dt.datetime | None = None
) -> CalendarWindow:
    """BK-9: the listed rooms the filters keep, with their meetings, blackouts and free
    slots on the viewer's `day`. Four queries whatever the number of rooms and
    meetings: rooms, meetings, blackouts, the policy."""
    begin, finish = local_day_window(day)
    rooms = _rooms(filters=filters)
    # Every room unless the filters narrowed them: no list of hundreds of ids to send.
    room_ids = None if filters in (None, RoomFilters()) else [room["id"] for room in rooms]
    window = CalendarWindow(begin, finish, rooms=rooms)
    if rooms:
        window.meetings = _meetings(viewer=viewer, begin=begin, finish=finish, room_ids=room_ids)
        window.blackouts = _blackouts(begin=begin, finish=finish, room_ids=room_ids)
    return _with_free_slots(window, now=now or timezone.now())


def calendar_for_room_week(
    *, viewer, room_id: int, week_start: dt.date, now: dt.datetime | None = None
) -> CalendarWindow | None:
    """BK-9: one listed room's week from `week_start` (the viewer's days): its meetings,
    blackouts and free slots. None for a room that is not listed."""
    rooms = _rooms(room_id=room_id)
    if not rooms:
        return None
    begin, finish = local_week_window(week_start)
    window = CalendarWindow(begin, finish, rooms=rooms)
    window.meetings = _meetings(viewer=viewer, begin=begin, finish=finish, room_ids=[room_id])
    window.blackouts = _blackouts(begin=begin, finish=finish, room_ids=[room_id])
    return _with_free_slots(window, now=now or timezone.now())


def calendar_for_my_week(*, viewer, week_start: dt.date) -> CalendarWindow:
    """BK-9: the viewer's own meetings (organized or invited to) in the week from
    `week_start`, with the rooms they are held in. Two queries."""
    begin, finish = local_week_window(week_start)
    meetings = _meetings(viewer=viewer, begin=begin, finish=finish, mine_only=True)
    # The meetings of the week are read by their occupied range; the week shows those
    # that meet it themselves.
    meetings = [m for m in meetings if m["end"] > begin and m["start"] < finish]
    names = dict(
        Room.objects.filter(pk__in={m["room"] for m in meetings}).values_list("id", "name")
    )
    for meeting in meetings:
        meeting["room_name"] = names.get(meeting["room"], "")
    return CalendarWindow(begin, finish, meetings=meetings)


def meetings_by_room(meetings: Iterable[dict]) -> dict[int, list[dict]]:
    by_room: dict[int, list[dict]] = defaultdict(list)
    for meeting in meetings:
        by_room[meeting["room"]].append(meeting)
    return by_room
