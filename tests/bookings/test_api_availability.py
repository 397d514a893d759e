"""BK-9 through the API: rooms, free rooms for a slot, free slots of a room's day and the
week's occupancy — with preparation times, blackouts and confidentiality (SE-5: who sees
a meeting's details is held over every kind of viewer in test_secrecy.py)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.db import connection

from bookings import services
from bookings.models import Room
from tests.bookings.conftest import MONDAY, at, book
from tests.conftest import api_client
from tests.factories import BlackoutFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOMS = "/api/v1/rooms/"
FREE_ROOMS = "/api/v1/availability/free-rooms/"
WEEK = "/api/v1/availability/week/"


def free_rooms(client, start, end, **filters) -> list[str]:
    params = {"start": start.isoformat(), "end": end.isoformat(), **filters}
    response = client.get(FREE_ROOMS, params)
    assert response.status_code == 200, response.json()
    return [room["name"] for room in response.json()]


def slots(response) -> list[tuple[str, str]]:
    return [
        (
            dt.datetime.fromisoformat(s["start"]).strftime("%H:%M"),
            dt.datetime.fromisoformat(s["end"]).strftime("%H:%M"),
        )
        for s in response.json()["free"]
    ]


# -- rooms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Large", "Recorder", "Small"]),
        ("capacity_min=50", ["Large"]),
        ("recording=true", ["Recorder"]),
        ("large_meeting=true", ["Large"]),
        ("external_guests=true", ["Large", "Recorder"]),
        ("recording=true&external_guests=true", ["Recorder"]),
        ("recording=false", ["Large", "Recorder", "Small"]),
    ],
)
def test_the_room_list_shows_active_rooms_filtered_by_capacity_and_features(user, query, expected):
    RoomFactory(name="Small", capacity=5)
    RoomFactory(name="Recorder", capacity=10, supports_recording=True, allows_external_guests=True)
    RoomFactory(
        name="Large", capacity=300, supports_large_meeting=True, allows_external_guests=True
    )
    RoomFactory(name="Broken", status=Room.Status.MAINTENANCE, maintenance_reason="Licence")
    RoomFactory(name="Old", status=Room.Status.RETIRED)

    response = api_client(user).get(f"{ROOMS}?{query}")

    assert [room["name"] for room in response.json()] == expected


def test_a_room_shows_its_features_but_never_its_fixed_link(user):
    room = RoomFactory(
        name="Manual",
        supports_recording=True,
        join_url="https://meeting.example.com/j/1",
        meeting_password="123456",
    )

    response = api_client(user).get(f"{ROOMS}{room.pk}/")

    assert response.json()["features"] == {
        "recording": True,
        "large_meeting": False,
        "external_guests": False,
    }
    assert "123456" not in response.content.decode()
    assert "meeting.example.com" not in response.content.decode()


@pytest.mark.parametrize(("status", "found"), [("maintenance", 200), ("retired", 404)])
def test_a_room_under_maintenance_can_be_looked_at_a_retired_one_cannot(user, status, found):
    room = RoomFactory(status=status, maintenance_reason="Licence renewal")

    assert api_client(user).get(f"{ROOMS}{room.pk}/").status_code == found


@pytest.mark.parametrize(
    "query", ["capacity_min=none", "capacity_min=0", "recording=perhaps"], ids=str
)
def test_bad_room_filters_are_a_400(user, query):
    response = api_client(user).get(f"{ROOMS}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


# -- free rooms for a slot -------------------------------------------------------------------


def test_free_rooms_leave_out_a_room_whose_preparation_runs_into_a_booking(user, organizer):
    prepared = RoomFactory(name="Prepared", preparation_minutes=30)
    plain = RoomFactory(name="Plain")
    for room in (prepared, plain):
        book(organizer, room, at(2, "10:00"), at(2, "11:00"))

    # Starting at 11:15 needs Prepared from 10:45, while its meeting runs to 11:00.
    assert free_rooms(api_client(user), at(2, "11:15"), at(2, "12:00")) == ["Plain"]


def test_free_rooms_leave_out_a_room_whose_next_meeting_prepares_during_the_slot(user, organizer):
    prepared = RoomFactory(name="Prepared", preparation_minutes=30)
    RoomFactory(name="Plain")
    book(organizer, prepared, at(2, "12:00"), at(2, "13:00"))

    # Prepared is held from 11:30 for its 12:00 meeting.
    assert free_rooms(api_client(user), at(2, "11:00"), at(2, "11:45")) == ["Plain"]
    assert free_rooms(api_client(user), at(2, "10:00"), at(2, "11:30")) == ["Plain", "Prepared"]


def test_free_rooms_count_pending_and_approved_meetings_but_not_cancelled_ones(
    user, organizer, approver
):
    pending, approved, cancelled = (RoomFactory(name=n) for n in ("P", "A", "C"))
    book(organizer, pending, at(2, "10:00"), at(2, "11:00"))
    services.booking_approve(
        booking=book(organizer, approved, at(2, "10:00"), at(2, "11:00")), actor=approver
    )
    services.booking_cancel(
        booking=book(organizer, cancelled, at(2, "10:00"), at(2, "11:00")), actor=organizer
    )

    assert free_rooms(api_client(user), at(2, "10:30"), at(2, "11:30")) == ["C"]


def test_free_rooms_leave_out_blacked_out_rooms(user):
    RoomFactory(name="Free")
    closed = RoomFactory(name="Closed")
    BlackoutFactory(room=closed, start=at(2, "09:00"), end=at(2, "12:00"))
    BlackoutFactory(all_rooms=True, start=at(3, "00:00"), end=at(4, "00:00"))
    BlackoutFactory(all_rooms=True, ended=True, start=at(2, "00:00"), end=at(2, "23:00"))

    assert free_rooms(api_client(user), at(2, "10:00"), at(2, "11:00")) == ["Free"]
    assert free_rooms(api_client(user), at(3, "10:00"), at(3, "11:00")) == []


def test_free_rooms_are_filtered_by_capacity_and_features(user):
    RoomFactory(name="Small", capacity=5, supports_recording=True)
    RoomFactory(name="Big", capacity=50)
    RoomFactory(name="Big recorder", capacity=50, supports_recording=True)

    found = free_rooms(
        api_client(user), at(2, "10:00"), at(2, "11:00"), capacity=10, recording=True
    )

    assert found == ["Big recorder"]


def test_free_rooms_take_a_fixed_number_of_queries_whatever_the_number_of_rooms(
    user, organizer, django_assert_max_num_queries
):
    for index in range(30):
        room = RoomFactory(preparation_minutes=index % 3 * 15)
        if index % 2:
            book(organizer, room, at(2, "10:00"), at(2, "11:00"))
    client = api_client(user)

    # session, user, then rooms, their providers, meetings with the blackouts
    with django_assert_max_num_queries(5):
        found = free_rooms(client, at(2, "11:00"), at(2, "12:00"))

    assert len(found) == 15 + 5  # the free ones, and the booked ones without preparation


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        (
            {"start": "2026-12-09T10:00:00", "end": "2026-12-09T11:00:00+08:00"},
            "naive_datetime",
            "start",
        ),
        (
            {"start": "2026-12-09T11:00:00+08:00", "end": "2026-12-09T10:00:00+08:00"},
            "end_before_start",
            "end",
        ),
        (
            {"start": "2026-12-09T10:00:00+08:00", "end": "2026-12-19T10:00:00+08:00"},
            "slot_too_long",
            "end",
        ),
        ({"start": "soon", "end": "2026-12-09T11:00:00+08:00"}, "invalid", "start"),
        ({"end": "2026-12-09T11:00:00+08:00"}, "invalid", "start"),
        (
            {
                "start": "2026-12-09T10:00:00+08:00",
                "end": "2026-12-09T11:00:00+08:00",
                "capacity": "x",
            },
            "invalid",
            "capacity",
        ),
    ],
    ids=["naive", "backwards", "ten days", "not a time", "no start", "capacity not a number"],
)
def test_a_bad_free_room_search_is_a_400(user, params, code, field):
    response = api_client(user).get(FREE_ROOMS, params)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["fields"]


# -- free slots of a room's day -----------------------------------------------------------------


def test_the_free_slots_of_a_day_are_working_hours_minus_meetings_and_preparation(user, organizer):
    room = RoomFactory(preparation_minutes=30)
    book(organizer, room, at(2, "10:00"), at(2, "11:00"))
    book(organizer, room, at(2, "14:00"), at(2, "15:00"))

    response = api_client(user).get(
        f"/api/v1/availability/rooms/{room.pk}/free-slots/", {"date": "2026-12-09"}
    )

    assert response.status_code == 200
    # Each free stretch loses its first 30 minutes to preparation, except where the
    # preparation can happen before the working day opens.
    assert slots(response) == [("08:00", "09:30"), ("11:30", "13:30"), ("15:30", "20:00")]


def test_the_free_slots_of_a_day_leave_out_blackouts(user):
    room = RoomFactory()
    BlackoutFactory(room=room, start=at(2, "12:00"), end=at(2, "13:00"))
    BlackoutFactory(all_rooms=True, start=at(2, "19:00"), end=at(3, "09:00"))

    response = api_client(user).get(
        f"/api/v1/availability/rooms/{room.pk}/free-slots/", {"date": "2026-12-09"}
    )

    assert slots(response) == [("08:00", "12:00"), ("13:00", "19:00")]


def test_a_day_off_has_no_working_hours_and_no_free_slots(user):
    room = RoomFactory()

    response = api_client(user).get(
        f"/api/v1/availability/rooms/{room.pk}/free-slots/", {"date": "2026-12-12"}
    )

    assert response.json() | {"room": None} == {
        "room": None,
        "date": "2026-12-12",
        "opens": None,
        "closes": None,
        "free": [],
    }


@pytest.mark.parametrize(
    ("date", "status"),
    [("tomorrow", 400), ("", 400), ("2026-02-30", 400), ("0001-01-01", 400), ("9999-12-31", 400)],
)
def test_a_bad_day_is_a_400(user, date, status):
    room = RoomFactory()

    response = api_client(user).get(
        f"/api/v1/availability/rooms/{room.pk}/free-slots/", {"date": date}
    )

    assert response.status_code == status
    assert "date" in response.json()["fields"]


# -- the week ------------------------------------------------------------------------------------


def week_topics(client, start: dt.date = MONDAY) -> dict[str, list]:
    response = client.get(WEEK, {"start": start.isoformat()})
    assert response.status_code == 200, response.json()
    return {
        room["name"]: [(o["topic"], o["confidential"], o["booking"]) for o in room["occurrences"]]
        for room in response.json()["rooms"]
    }


def test_the_week_shows_each_rooms_meetings(user, organizer, approver):
    a, b = RoomFactory(name="A"), RoomFactory(name="B")
    RoomFactory(name="Retired", status=Room.Status.RETIRED)
    first = book(organizer, a, at(1, "10:00"), at(1, "11:00"), topic="Tuesday")
    book(organizer, a, at(4, "10:00"), at(4, "11:00"), topic="Friday")
    book(organizer, a, at(7, "10:00"), at(7, "11:00"), topic="Next week")
    services.booking_cancel(
        booking=book(organizer, b, at(2, "10:00"), at(2, "11:00"), topic="Called off"),
        actor=organizer,
    )
    services.booking_approve(booking=first, actor=approver)

    response = api_client(user).get(WEEK, {"start": MONDAY.isoformat()})

    body = response.json()
    assert (body["start"], body["end"]) == ("2026-12-07", "2026-12-14")
    assert [room["name"] for room in body["rooms"]] == ["A", "B"]
    occurrences = body["rooms"][0]["occurrences"]
    assert [(o["topic"], o["status"]) for o in occurrences] == [
        ("Tuesday", "approved"),
        ("Friday", "pending"),
    ]
    assert dt.datetime.fromisoformat(occurrences[0]["start"]) == at(1, "10:00")
    assert body["rooms"][1]["occurrences"] == []


def test_the_weeks_times_are_written_in_the_viewers_own_time_zone(organizer):
    room = RoomFactory(name="A")
    book(organizer, room, at(1, "10:00"), at(1, "11:30"), topic="Tuesday")

    body = api_client(UserFactory(time_zone="Europe/Berlin")).get(WEEK, {"start": "2026-12-07"})

    (meeting,) = body.json()["rooms"][0]["occurrences"]
    assert (meeting["start"], meeting["end"]) == (
        "2026-12-08T03:00:00+01:00",
        "2026-12-08T04:30:00+01:00",
    )


@pytest.mark.parametrize("rooms", [3, 15])
def test_the_week_takes_a_bounded_number_of_queries(
    organizer, rooms, django_assert_max_num_queries
):
    viewer = UserFactory()
    for _room in range(rooms):
        room = RoomFactory()
        for day in range(5):
            book(
                organizer,
                room,
                at(day + 7, "10:00"),
                at(day + 7, "11:00"),
                confidential=day % 2 == 0,
                attendee_users=[viewer] if day == 2 else [],
            )
    client = api_client(viewer)

    # session, user, rooms, two for permissions; then on SQLite meetings and the viewer's
    # invitations, on PostgreSQL a savepoint (the test's transaction), the viewer's time
    # zone, the meetings with their invitations, the zone back, the savepoint's release
    with django_assert_max_num_queries(5 + (5 if connection.vendor == "postgresql" else 2)):
        topics = week_topics(client, MONDAY + dt.timedelta(days=7))

    assert sum(len(t) for t in topics.values()) == rooms * 5


@pytest.mark.parametrize(
    "start", ["", "monday", "2026-13-01", "0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"]
)
def test_a_bad_week_start_is_a_400(user, start):
    response = api_client(user).get(WEEK, {"start": start})

    assert response.status_code == 400
    assert "start" in response.json()["fields"]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/St_Johns", "UTC"])
@pytest.mark.parametrize("role", ["stranger", "organizer", "invitee", "approver", "overseer"])
def test_the_weeks_json_is_the_selectors_rows_written_out(
    organizer, approver, zone, role, django_assert_num_queries
):
    """On PostgreSQL the database writes the week (occupancy_for_week_json); it must say
    what the rows say, byte for byte: the same rooms, meetings, order, masks and times."""
    import zoneinfo

    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from bookings import selectors
    from bookings.selectors.occupancy import _week_json as week_json

    invitee, overseer = UserFactory(), UserFactory()
    overseer.user_permissions.add(Permission.objects.get(codename="view_booking"))
    a, b = RoomFactory(name="A"), RoomFactory(name="B")
    RoomFactory(name="Shut", status=Room.Status.MAINTENANCE, maintenance_reason="Upgrade")
    book(organizer, a, at(1, "10:00"), at(1, "11:00"), topic='Quotes " and \\ and 中文')
    book(organizer, a, at(1, "09:00"), at(1, "09:30"), topic="Earlier", confidential=True)
    book(
        organizer, b, at(4, "10:00"), at(4, "11:00"), topic="Secret",
        confidential=True, attendee_users=[invitee],
    )  # fmt: skip
    viewer = {
        "stranger": UserFactory(),
        "organizer": organizer,
        "invitee": invitee,
        "approver": approver,
        "overseer": overseer,
    }[role]
    # On PostgreSQL the database's own path, and no other: rooms, savepoint, zone in,
    # meetings, zone back, release (the rows path would read the invitations apart).
    on_postgres = connection.vendor == "postgresql"
    counted = django_assert_num_queries(6) if on_postgres else contextlib.nullcontext()

    with timezone.override(zoneinfo.ZoneInfo(zone)):
        rows = selectors.occupancy_for_week(week_start=MONDAY, viewer=viewer)
        with counted as queries:
            written = selectors.occupancy_for_week_json(week_start=MONDAY, viewer=viewer)
    if on_postgres:
        assert sum("set_config" in q["sql"] for q in queries.captured_queries) == 2

    assert written == week_json(rows)
    assert [r["name"] for r in rows] == ["A", "B"]
    assert len(rows[0]["occurrences"]) == 2


def test_the_weeks_json_keeps_a_fraction_of_a_second(organizer, user):
    """PostgreSQL writes 10:00:07.00025 where Python writes 10:00:07.000250: the same time."""
    import json

    from bookings import selectors

    start = at(1, "10:00") + dt.timedelta(seconds=7, microseconds=250)
    book(organizer, RoomFactory(name="A"), start, at(1, "11:00"))

    (room,) = json.loads(selectors.occupancy_for_week_json(week_start=MONDAY, viewer=user))

    assert dt.datetime.fromisoformat(room["occurrences"][0]["start"]) == start


def _walked(serializer, instance, monkeypatch) -> dict:
    """What DRF's own walk over the declared fields (the schema's) says, nested ones too."""
    from rest_framework import serializers

    from bookings.api.serializers import WrittenOutputSerializer

    with monkeypatch.context() as patch:
        patch.setattr(
            WrittenOutputSerializer, "to_representation", serializers.Serializer.to_representation
        )
        return serializer.to_representation(instance)


def test_a_room_is_written_as_its_serializers_fields_say(monkeypatch):
    """RoomOutputSerializer writes a room from its declared fields without DRF's walk,
    for speed: it must say what the walk says, for every field."""
    from bookings.api.serializers import RoomOutputSerializer

    rooms = [
        RoomFactory(name="Tencent A", capacity=12, supports_recording=True, preparation_minutes=10),
        RoomFactory(
            name="Zoom B",
            status=Room.Status.MAINTENANCE,
            maintenance_reason="Licence renewal",
            allows_external_guests=True,
            supports_large_meeting=True,
        ),
    ]

    for room in rooms:
        written = RoomOutputSerializer(room).data
        assert written == _walked(RoomOutputSerializer(), room, monkeypatch)
        assert set(written) == set(RoomOutputSerializer().fields)
        assert written["features"]["recording"] == room.supports_recording


def test_a_written_field_whose_value_the_field_changes_goes_through_the_field(monkeypatch):
    """A value that is not already what its field writes (a datetime, a number given to a
    text field, nothing at all) is written as DRF's walk writes it."""
    from types import SimpleNamespace

    from rest_framework import serializers

    from bookings.api.serializers import WrittenOutputSerializer

    class Example(WrittenOutputSerializer):
        at = serializers.DateTimeField()
        code = serializers.CharField(source="number")
        count = serializers.IntegerField(source="text")
        missing = serializers.CharField(allow_null=True)
        room = serializers.CharField(source="room.name")

    instance = SimpleNamespace(
        at=at(2, "10:00"), number=42, text="7", missing=None, room=SimpleNamespace(name="A")
    )

    written = Example(instance).data

    assert written == _walked(Example(), instance, monkeypatch)
    assert dt.datetime.fromisoformat(written.pop("at")) == at(2, "10:00")
    assert written == {
        "code": "42",
        "count": 7,
        "missing": None,
        "room": "A",
    }


@pytest.mark.parametrize(
    ("end", "code"), [(at(2, "09:00"), "end_before_start"), (at(4, "10:00"), "slot_too_long")]
)
def test_the_free_room_search_refuses_a_slot_it_cannot_answer_whoever_asks(end, code):
    from bookings import selectors
    from meetingops.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        selectors.room_list_free_for_slot(start=at(2, "10:00"), end=end)

    assert refused.value.code == code
    assert list(refused.value.fields) == ["end"]
