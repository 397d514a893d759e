"""BK-9: the week's calendar of every room, with SE-5's mask on confidential meetings."""

from __future__ import annotations

import datetime as dt
from operator import itemgetter

import orjson
from django.db import DataError, connection, transaction
from django.utils import timezone

from bookings import rules, secrecy
from bookings.models import Occurrence, Room
from meetingops.db import EpochSeconds

S = Occurrence.Status
# The columns of a week's row that SE-5's mask reads: booking, confidential, organizer.
_MASK_COLUMNS = itemgetter(5, 7, 8)


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
    from `week_start` (company time). A meeting whose details the viewer may not read
    (`secrecy.details_hidden_among`, SE-5) is a taken slot (`topic` None, `booking`
    None). Times are in the active time zone. Plain rows, not model instances, and
    four queries at most whatever the number of rooms and meetings: rooms, meetings
    (with the copies of their booking's topic, confidentiality and organizer), the
    viewer's invitations among them, permissions."""
    begin, finish = _week_window(week_start)
    rooms = _week_rooms()
    rows = list(
        Occurrence.objects.filter(
            status__in=Occurrence.OCCUPYING,
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

    def invited_this_week() -> list[int]:
        # The viewer's own invitations to confidential meetings of the week: one query
        # that starts from the viewer's attendee rows.
        return list(
            secrecy.active_invitations(viewer)
            .filter(
                booking__confidential=True,
                booking__occurrences__start__gte=begin - rules.MAX_OCCURRENCE_DURATION,
                booking__occurrences__start__lt=finish,
            )
            .values_list("booking_id", flat=True)
        )

    secret = secrecy.details_hidden_among(
        # (booking, confidential, organizer): the meeting's copies of its booking's.
        map(_MASK_COLUMNS, rows),
        viewer=viewer,
        invited_booking_ids=invited_this_week,
    )
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
# a fraction of a second without trailing zeros). `hidden` is SE-5's mask, as
# `secrecy.details_hidden_sql` writes it over the meeting's copies of its booking's
# confidentiality and organizer.
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
CROSS JOIN LATERAL (SELECT /*hidden*/ AS hidden) m
WHERE o.status = ANY(%(statuses)s)
  AND o.start >= %(reach_from)s AND o.start < %(finish)s AND o."end" > %(begin)s
ORDER BY o.start, o.id
""".replace(
    "/*hidden*/",
    secrecy.details_hidden_sql(
        confidential="o.confidential", organizer_id="o.organizer_id", booking_id="o.booking_id"
    ),
)


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
                    **secrecy.details_hidden_sql_params(viewer),
                    "statuses": list(Occurrence.OCCUPYING),
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
