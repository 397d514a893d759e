"""Reads of the booking domain that are more than a `get` (DESIGN "Inside an app"):
who may see what, and what an approver needs to decide a request (BK-4)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import orjson
from django.db import DataError, connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import conflicts, rules
from bookings.models import Attendee, Blackout, Booking, BookingChange, Occurrence, Room
from bookings.permissions import oversees_bookings, sees_details
from meetingops.db import EpochSeconds
from meetingops.errors import ApplicationError

S = Occurrence.Status
# BK-6 / BK-13: how far back an approver looks at an organizer's record.
RECORD_DAYS = 90


def booking_details_visible_expression(actor) -> Case | Value:
    """`bookings.permissions.can_see_details` as an SQL expression, so that a list of
    bookings knows for every row, in its one query, whether `actor` may read the topic
    (SE-5). tests/bookings/test_admin_bookings.py holds the two to the same answers."""
    if not (actor and actor.is_authenticated):
        return Case(When(confidential=False, then=Value(True)), default=Value(False))
    if oversees_bookings(actor):
        return Value(True, output_field=BooleanField())
    invited = Exists(Attendee.objects.filter(booking=OuterRef("pk"), user=actor, is_active=True))
    return Case(
        When(Q(confidential=False) | Q(organizer=actor) | Q(invited), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


# Pending requests first, soonest first; then the others, latest first. The expressions
# of the `booking_queue_idx` index, so that the database reads the queue in its order.
QUEUE_RANK = Case(
    When(status=Booking.Status.PENDING, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)
REVIEW_ORDERING = (
    QUEUE_RANK.asc(),
    F("first_pending_start").asc(),  # set exactly for the pending: no NULLs to place
    F("first_start").desc(),
    F("pk").desc(),
)


def booking_list_for_review(*, actor) -> QuerySet[Booking]:
    """BK-4: the approvers' queue. Pending requests first, the one whose first pending
    meeting starts soonest on top; then the rest, latest first (REVIEW_ORDERING, which
    an index serves). Each row carries `queue_start` (the first pending meeting, else
    the first one), `details_visible` and `visible_topic` ("" when the topic is not for
    `actor`). One query whatever its length."""
    details_visible = booking_details_visible_expression(actor)
    return (
        Booking.objects.select_related("organizer", "department", "room")
        .annotate(
            queue_start=Coalesce(F("first_pending_start"), F("first_start")),
            details_visible=details_visible,
            visible_topic=Case(
                When(details_visible, then=F("topic")),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .order_by(*REVIEW_ORDERING)
    )


def booking_has_meeting_between(*, start: dt.datetime | None, end: dt.datetime | None) -> Exists:
    """A filter for bookings with a meeting (not replaced by a change) starting in
    [start, end); either bound may be open."""
    meetings = Occurrence.objects.filter(booking=OuterRef("pk")).exclude(status=S.SUPERSEDED)
    if start is not None:
        meetings = meetings.filter(start__gte=start)
    if end is not None:
        meetings = meetings.filter(start__lt=end)
    return Exists(meetings)


def booking_pending_occurrences(*, booking: Booking) -> list[Occurrence]:
    """The meetings waiting for a decision, including the new slots of a pending change."""
    return list(
        booking.occurrences.filter(status=S.PENDING).select_related("room").order_by("start")
    )


def booking_invitee_counts(*, booking: Booking) -> tuple[int, int]:
    """The booking's active invitees: (colleagues, external guests)."""
    counts = booking.attendees.filter(is_active=True).aggregate(
        users=Count("pk", filter=Q(user__isnull=False)),
        external=Count("pk", filter=Q(user__isnull=True)),
    )
    return counts["users"], counts["external"]


def booking_pending_change(*, booking: Booking) -> BookingChange | None:
    return (
        booking.changes.filter(status=BookingChange.Status.PENDING)
        .select_related("requested_by")
        .first()
    )


@dataclass(frozen=True)
class OccurrenceConflicts:
    occurrence: Occurrence
    conflicts: list[conflicts.Conflict]


def booking_pending_conflicts(*, booking: Booking) -> list[OccurrenceConflicts]:
    """BK-3 / BK-4: for each pending meeting, what else holds its room then (other
    bookings, blackout periods added since the request). Two queries per room."""
    by_room: dict[int, list[Occurrence]] = defaultdict(list)
    for occurrence in booking_pending_occurrences(booking=booking):
        by_room[occurrence.room_id].append(occurrence)
    found = []
    for occurrences in by_room.values():
        taken = conflicts.slot_conflicts(
            room=occurrences[0].room,
            slots=[(o.start, o.end) for o in occurrences],
            exclude_booking=booking,
        )
        found += [
            OccurrenceConflicts(o, taken.get(index, [])) for index, o in enumerate(occurrences)
        ]
    found.sort(key=lambda item: item.occurrence.start)
    return found


@dataclass(frozen=True)
class RuleCheck:
    version: int
    violations: list[rules.Violation]


def booking_pending_rule_check(*, booking: Booking) -> RuleCheck | None:
    """BK-2 / BK-4: the usage rules in force now, checked for what waits for a decision
    as a new request would be checked today (the policy may have changed since, or time
    passed). A pending change is checked with its proposed headcount. None when
    nothing waits."""
    pending = booking_pending_occurrences(booking=booking)
    change = booking_pending_change(booking=booking)
    if not pending and change is None:
        return None
    proposed = change.proposed if change is not None else {}
    policy = rules.policy_current()
    users, external = booking_invitee_counts(booking=booking)
    headcount = proposed.get("expected_headcount", booking.expected_headcount)
    # A change of room puts its new slots in the new room.
    rooms = {o.room_id: o.room for o in pending} or {booking.room_id: booking.room}
    found = rules.check_request(
        policy=policy,
        organizer=booking.organizer,
        department=booking.department,
        rooms=rooms.values(),
        slots=[(o.start, o.end) for o in pending],
        headcount=rules.headcount_counted(headcount, users + external),
        recording_allowed=booking.recording_allowed,
        external_guests=external,
        exclude_booking=booking,
    )
    return RuleCheck(version=policy.version, violations=found)


@dataclass(frozen=True)
class OrganizerRecord:
    days: int
    bookings: int
    no_shows: int
    late_cancellations: int


def organizer_record(*, organizer, days: int = RECORD_DAYS) -> OrganizerRecord:
    """BK-6 / BK-13: an organizer's recent record, for the approver: bookings requested,
    meetings not shown up to, and late cancellations in the last `days` days."""
    since = timezone.now() - dt.timedelta(days=days)
    counts = Occurrence.objects.filter(booking__organizer=organizer).aggregate(
        no_shows=Count("pk", filter=Q(status=S.NO_SHOW, start__gte=since)),
        late=Count("pk", filter=Q(late_cancellation=True, cancelled_at__gte=since)),
    )
    return OrganizerRecord(
        days=days,
        bookings=Booking.objects.filter(organizer=organizer, created_at__gte=since).count(),
        no_shows=counts["no_shows"],
        late_cancellations=counts["late"],
    )


def blackout_booked_meetings(*, blackout: Blackout) -> int:
    """How many pending or approved meetings fall within a blackout period."""
    return conflicts.occupying_between(
        blackout.start, blackout.end, rooms=blackout.room if blackout.room_id else None
    ).count()


# -- the REST API's reads: visibility and availability (X-1, BK-9, SE-5) ----------------

OCCUPYING = list(Occurrence.OCCUPYING)
# Room.FEATURES by the short names the API filters on.
ROOM_FEATURES = {
    "recording": "supports_recording",
    "large_meeting": "supports_large_meeting",
    "external_guests": "allows_external_guests",
}


def room_list_active(
    *, capacity_min: int | None = None, features: Iterable[str] = ()
) -> QuerySet[Room]:
    """Rooms that can be booked, holding at least `capacity_min` people and offering
    every feature named (`recording`, `large_meeting`, `external_guests`)."""
    # A handful of providers serve many rooms: fetch each once, not once per room.
    rooms = Room.objects.prefetch_related("provider").filter(status=Room.Status.ACTIVE)
    if capacity_min:
        rooms = rooms.filter(capacity__gte=capacity_min)
    for feature in features:
        rooms = rooms.filter(**{ROOM_FEATURES[feature]: True})
    return rooms.order_by("name")


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
    capacity: int | None = None,
    features: Iterable[str] = (),
) -> list[Room]:
    """BK-9: the active rooms (with the capacity and features asked) that the slot
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
    candidates = room_list_active(capacity_min=capacity, features=features)
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
    free, cursor = [], reach_from
    for busy_from, busy_until in sorted(busy):
        if busy_from > cursor:
            free.append((cursor, busy_from))
        cursor = max(cursor, busy_until)
    free.append((cursor, closes))
    slots = []
    for free_from, free_until in free:
        meeting_from, meeting_until = max(free_from + prep, opens), min(free_until, closes)
        if meeting_from < meeting_until:
            slots.append((meeting_from.astimezone(zone), meeting_until.astimezone(zone)))
    return DaySlots(opens, closes, slots)


def _week_window(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The seven days from `week_start`, company time. A meeting in the window starts
    at most a day before it (MAX_OCCURRENCE_DURATION): that bounds the reads by the
    (status, start) index."""
    begin = dt.datetime.combine(week_start, dt.time.min, tzinfo=rules.company_zone())
    return begin, begin + dt.timedelta(days=7)


def _week_rooms() -> dict[int, dict]:
    """The calendar's rooms, by id, in name order, each with an empty meeting list:
    the active ones (one under maintenance or retired is not on the calendar)."""
    return {
        row["id"]: {**row, "occurrences": []}
        for row in Room.objects.filter(status=Room.Status.ACTIVE)
        .order_by("name")
        .values("id", "name", "capacity")
    }


def occupancy_for_week(*, week_start: dt.date, viewer) -> list[dict]:
    """BK-9: every active room with its pending and approved meetings in the seven days
    from `week_start` (company time). A confidential meeting shows its topic only to
    its organizer, its invitees and those who oversee bookings (SE-5); to others it is
    a taken slot (`topic` None, `booking` None). Times are in the active time zone.
    Plain rows, not model instances, and
    four queries at most whatever the number of rooms and meetings: rooms, meetings
    (with the copies of their booking's topic, confidentiality and organizer), the
    viewer's invitations among them, permissions."""
    begin, finish = _week_window(week_start)
    rooms = _week_rooms()
    rows = list(
        Occurrence.objects.filter(
            status__in=OCCUPYING,
            start__gte=begin - rules.MAX_OCCURRENCE_DURATION,
            start__lt=finish,
            end__gt=begin,
        )
        .order_by("start", "pk")
        # Seconds, not datetimes: ten thousand rows decode several times faster.
        .annotate(start_s=EpochSeconds("start"), end_s=EpochSeconds("end"))
        .values_list(
            "id",
            "room_id",
            "start_s",
            "end_s",
            "status",
            "booking_id",
            # The occurrence's copies: no booking looked up per meeting.
            "topic",
            "confidential",
            "organizer_id",
        )
    )
    oversees = oversees_bookings(viewer)
    viewer_id = viewer.pk  # once: request.user is a lazy object, slow to ask 10,000 times
    # Hidden unless an invitation says otherwise, which one query below looks up. Only a
    # confidential meeting can be hidden (sees_details): the others are not asked.
    secret = {
        booking_id
        for _id, _room, _s, _e, _st, booking_id, _t, confidential, organizer_id in rows
        if confidential
        and not sees_details(
            confidential=confidential,
            is_organizer=organizer_id == viewer_id,
            oversees=oversees,
            is_invited=False,
        )
    }
    if secret:
        # The viewer's own invitations to confidential meetings of the week: one query
        # that starts from the viewer's attendee rows.
        invited = set(
            Attendee.objects.filter(
                user=viewer,
                is_active=True,
                booking__confidential=True,
                booking__occurrences__start__gte=begin - rules.MAX_OCCURRENCE_DURATION,
                booking__occurrences__start__lt=finish,
            ).values_list("booking_id", flat=True)
        )
        secret -= invited
    # A week's meetings share a few hundred times: each is made once, in the zone the
    # viewer reads times in (the middleware activates theirs), so JSON writes it as is.
    viewer_zone = timezone.get_current_timezone()
    moments: dict[float, dt.datetime] = {}
    for occ_id, room_id, start_s, end_s, status, booking_id, topic, confidential, _o in rows:
        room = rooms.get(room_id)
        if room is None:  # a room under maintenance or retired: not on the calendar
            continue
        start = moments.get(start_s)
        if start is None:
            start = moments[start_s] = dt.datetime.fromtimestamp(start_s, viewer_zone)
        end = moments.get(end_s)
        if end is None:
            end = moments[end_s] = dt.datetime.fromtimestamp(end_s, viewer_zone)
        hidden = booking_id in secret
        room["occurrences"].append(
            {
                "id": occ_id,
                "booking": None if hidden else booking_id,
                "start": start,
                "end": end,
                "status": status,
                "topic": None if hidden else topic,
                "confidential": confidential,
            }
        )
    return list(rooms.values())


# BK-9 on PostgreSQL: each meeting of the week written as JSON by the database, which
# does it on its own core while this process only strings the rows together (a week of
# 200 rooms is ten thousand meetings; building and encoding them here costs more than
# the query). The session's time zone, set for this transaction only, makes to_json
# write each time in the viewer's zone with its offset (Z for UTC, as DRF writes it;
# a fraction of a second without trailing zeros). `hidden` is SE-5's rule as
# `sees_details` states it: confidential, and the viewer neither organizes it, nor
# oversees bookings (%(oversees)s), nor is an active invitee.
_WEEK_MEETINGS_SQL = """
SELECT o.room_id,
       '{"id":' || o.id
    || ',"booking":' || CASE WHEN m.hidden THEN 'null' ELSE o.booking_id::text END
    || ',"start":' || replace(to_json(o.start)::text, '+00:00"', 'Z"')
    || ',"end":' || replace(to_json(o."end")::text, '+00:00"', 'Z"')
    || ',"status":' || to_json(o.status)
    || ',"topic":' || CASE WHEN m.hidden THEN 'null' ELSE to_json(o.topic)::text END
    || ',"confidential":' || o.confidential
    || '}'
FROM bookings_occurrence o
CROSS JOIN LATERAL (
    SELECT o.confidential AND NOT (
        %(oversees)s
        OR o.organizer_id = %(viewer)s
        OR EXISTS (
            SELECT 1 FROM bookings_attendee a
            WHERE a.booking_id = o.booking_id AND a.user_id = %(viewer)s AND a.is_active
        )
    ) AS hidden
) m
WHERE o.status = ANY(%(statuses)s)
  AND o.start >= %(reach_from)s AND o.start < %(finish)s AND o."end" > %(begin)s
ORDER BY o.start, o.id
"""


def occupancy_for_week_json(*, week_start: dt.date, viewer) -> bytes:
    """`occupancy_for_week` as the JSON the API answers with, the same rooms and
    meetings in the same order (a test holds the two equal). On PostgreSQL the database
    writes each meeting; elsewhere, and for a time zone PostgreSQL does not know, the
    rows are encoded here."""
    zone_name = getattr(timezone.get_current_timezone(), "key", None)
    if connection.vendor != "postgresql" or zone_name is None:
        return _week_json(occupancy_for_week(week_start=week_start, viewer=viewer))
    begin, finish = _week_window(week_start)
    rooms = _week_rooms()
    zone_set = False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [zone_name])
            zone_set = True
            cursor.execute(
                _WEEK_MEETINGS_SQL,
                {
                    "oversees": oversees_bookings(viewer),
                    "viewer": viewer.pk,
                    "statuses": OCCUPYING,
                    "reach_from": begin - rules.MAX_OCCURRENCE_DURATION,
                    "finish": finish,
                    "begin": begin,
                },
            )
            meetings = cursor.fetchall()
            # Back to the connection's own zone: an enclosing transaction goes on.
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [connection.timezone_name])
    except DataError:
        if zone_set:
            raise
        # A zone name PostgreSQL's own zone database lacks: the rows path knows it.
        return _week_json(occupancy_for_week(week_start=week_start, viewer=viewer))
    for room_id, meeting in meetings:
        room = rooms.get(room_id)
        if room is not None:  # a room under maintenance or retired: not on the calendar
            room["occurrences"].append(meeting)
    for room in rooms.values():
        room["occurrences"] = orjson.Fragment("[" + ",".join(room["occurrences"]) + "]")
    return orjson.dumps(list(rooms.values()))


def _week_json(rooms: list[dict]) -> bytes:
    # As the API's renderer writes them: a UTC time ends in Z.
    return orjson.dumps(rooms, option=orjson.OPT_UTC_Z)


def _invited_booking_ids(user) -> QuerySet:
    return Attendee.objects.filter(user=user, is_active=True).values("booking_id")


def _booking_with_details(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """What the API shows of a booking, in a fixed number of queries for any number of
    bookings: room and organizer joined; meetings, current invitees and the pending
    change prefetched (`pending_changes`)."""
    return bookings.select_related("room", "organizer").prefetch_related(
        Prefetch("occurrences", queryset=Occurrence.objects.order_by("start", "pk")),
        Prefetch(
            "attendees",
            queryset=Attendee.objects.filter(is_active=True).select_related("user").order_by("pk"),
        ),
        Prefetch(
            "changes",
            queryset=BookingChange.objects.filter(status=BookingChange.Status.PENDING),
            to_attr="pending_changes",
        ),
    )


def booking_with_parts(
    booking: Booking,
    *,
    occurrences: Iterable[Occurrence],
    attendees: Iterable[Attendee],
    pending_changes: Iterable[BookingChange],
) -> Booking:
    """`booking` as `_booking_with_details` would fetch it, from rows the caller holds
    (those a service has just written): its meetings, its current invitees and its
    pending change load from these lists, not from another query. Django's own
    prefetch keeps the rows the same way, on the related manager's cache: the instance
    then shows these rows until it is read again, so give it only to what displays it."""
    parts = {
        "occurrences": sorted(occurrences, key=lambda o: (o.start, o.pk)),
        "attendees": sorted((a for a in attendees if a.is_active), key=lambda a: a.pk),
    }
    cache = booking.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in parts.items():
        loaded = getattr(booking, name).all()
        loaded._result_cache, loaded._prefetch_done = rows, True
        cache[name] = loaded
    booking.pending_changes = list(pending_changes)
    return booking


def booking_list_for_user(
    *,
    user,
    status: str | None = None,
    room_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Booking]:
    """The bookings `user` organizes or is invited to, newest first; `date_from` and
    `date_to` (company days, inclusive) keep those with a meeting starting then."""
    bookings = Booking.objects.filter(Q(organizer=user) | Q(pk__in=_invited_booking_ids(user)))
    if status:
        bookings = bookings.filter(status=status)
    if room_id:
        bookings = bookings.filter(room_id=room_id)
    if date_from or date_to:
        zone = rules.company_zone()
        bookings = bookings.filter(
            booking_has_meeting_between(
                start=dt.datetime.combine(date_from, dt.time.min, tzinfo=zone)
                if date_from
                else None,
                end=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
                if date_to
                else None,
            )
        )
    return _booking_with_details(bookings).order_by("-created_at", "-pk")


def booking_get_visible(*, booking_id: int, viewer) -> Booking | None:
    """The booking if `viewer` may look at it: its organizer, an invitee, or someone who
    oversees bookings (`bookings.view_booking`); otherwise None, as if it did not exist."""
    bookings = Booking.objects.filter(pk=booking_id)
    if not oversees_bookings(viewer):
        bookings = bookings.filter(Q(organizer=viewer) | Q(pk__in=_invited_booking_ids(viewer)))
    return _booking_with_details(bookings).first()


@dataclass(frozen=True)
class BookingAccess:
    details: bool  # topic, agenda, invitees (SE-5)
    join: bool  # link, meeting ID and password (SE-5): invitees of an approved meeting
    guest_emails: bool  # external guests' addresses: the organizer only (000 §3.2.2)


def booking_access(*, booking: Booking, viewer) -> BookingAccess:
    """What `viewer` may read of a booking fetched by `_booking_with_details`: decided
    from its prefetched rows, so a list asks no query per booking."""
    organizer = booking.organizer_id == viewer.pk
    invited = any(a.user_id == viewer.pk for a in booking.attendees.all())
    # The permission lookup (two queries the first time) only when nothing else decides.
    undecided = booking.confidential and not organizer and not invited
    details = sees_details(
        confidential=booking.confidential,
        is_organizer=organizer,
        oversees=undecided and oversees_bookings(viewer),
        is_invited=invited,
    )
    # During a change (BK-5) the booking is pending again, but its approved meeting
    # still stands and its people still need the link.
    approved = any(o.status == S.APPROVED for o in booking.occurrences.all())
    return BookingAccess(
        details=details, join=(organizer or invited) and approved, guest_emails=organizer
    )
