"""X-1: the list filters (bookings.api.filters, django-filter FilterSets) refuse a bad
value with the code and message of the API's other input, name every bad parameter
at once, and bind both days of a range to one meeting."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from bookings.api.filters import BookingListFilter, RoomListFilter
from bookings.models import Booking, Room
from tests.bookings.conftest import at, book
from tests.factories import RoomFactory

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"
ROOMS = "/api/v1/rooms/"
FREE_ROOMS = "/api/v1/availability/free-rooms/"
SLOT = "start=2026-12-09T10:00:00%2B08:00&end=2026-12-09T11:00:00%2B08:00"


def get(user, url: str, language: str = "en"):
    client = APIClient()
    client.force_login(user)
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        (f"{BOOKINGS}?status=lost", {"status": ['"lost" is not a valid choice.']}),
        (f"{BOOKINGS}?room=abc", {"room": ["A valid integer is required."]}),
        (f"{BOOKINGS}?room=0", {"room": ["Ensure this value is greater than or equal to 1."]}),
        (
            f"{BOOKINGS}?date_from=yesterday",
            {"date_from": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        (
            f"{BOOKINGS}?date_to=9999-12-31",
            {"date_to": ["Give a date between the years 2000 and 2099."]},
        ),
        (f"{ROOMS}?capacity_min=none", {"capacity_min": ["A valid integer is required."]}),
        (
            f"{ROOMS}?capacity_min=100001",
            {"capacity_min": ["Ensure this value is less than or equal to 100000."]},
        ),
        (f"{ROOMS}?recording=perhaps", {"recording": ["Must be a valid boolean."]}),
        (
            f"{FREE_ROOMS}?{SLOT}&large_meeting=maybe",
            {"large_meeting": ["Must be a valid boolean."]},
        ),
        (
            f"{FREE_ROOMS}?{SLOT}&capacity=0",
            {"capacity": ["Ensure this value is greater than or equal to 1."]},
        ),
    ],
)
def test_a_bad_filter_value_is_refused_as_the_api_refuses_bad_input(user, url, fields):
    response = get(user, url)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == fields
    assert body["detail"] == next(iter(fields.values()))[0]


def test_a_bad_filter_value_is_refused_in_the_readers_language(user):
    body = get(user, f"{BOOKINGS}?status=lost", language="zh-hans").json()

    assert body["fields"]["status"] != ['"lost" is not a valid choice.']
    assert "lost" in body["fields"]["status"][0]


def test_every_bad_parameter_is_named_the_slots_first(user):
    body = get(user, f"{FREE_ROOMS}?start=soon&capacity=x").json()

    assert list(body["fields"]) == ["start", "end", "capacity"]
    assert body["detail"].startswith("Datetime has wrong format.")


def test_both_days_of_a_range_bind_one_meeting(organizer, room):
    """A series meeting on Wednesday and Friday has no meeting on Thursday."""
    series = book(organizer, room, recurrence_rule={"freq": "daily", "interval": 2, "count": 2})
    thursday = book(organizer, RoomFactory(), at(3, "10:00"), at(3, "11:00"))
    assert [o.start for o in series.occurrences.order_by("start")] == [
        at(2, "10:00"),
        at(4, "10:00"),
    ]

    results = get(organizer, f"{BOOKINGS}?date_from=2026-12-10&date_to=2026-12-10").json()

    assert [b["id"] for b in results["results"]] == [thursday.pk]


def test_a_filter_set_filters_what_the_selector_gives():
    RoomFactory(name="Small", capacity=5)
    RoomFactory(name="Large", capacity=50, supports_recording=True)

    rooms = RoomListFilter.filter({"capacity_min": "10", "recording": "true"}, Room.objects.all())
    none_asked = BookingListFilter.filter({}, Booking.objects.all())

    assert [r.name for r in rooms] == ["Large"]
    assert list(none_asked) == []


def test_the_schema_documents_the_filters_as_before(user):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {
        p["name"]: p["schema"]
        for p in schema["paths"][BOOKINGS]["get"]["parameters"]
        if p["in"] == "query"
    }

    assert parameters["status"]["enum"] == [s.value for s in Booking.Status]
    # A room id is a row's id: a signed 64-bit integer at most (larger names nothing).
    assert parameters["room"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**63 - 1,
        "format": "int64",
    }
    assert parameters["date_from"]["format"] == "date"
    rooms = {p["name"] for p in schema["paths"][FREE_ROOMS]["get"]["parameters"]}
    assert {"start", "end", "capacity", "recording", "large_meeting", "external_guests"} <= rooms
