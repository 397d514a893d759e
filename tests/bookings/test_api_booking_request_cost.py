"""Item 11: a booking request reads nothing twice or needlessly — every rule, the audit
and the history kept — and a taken slot is still refused with the slot named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Blackout, Booking
from security.tokens import api_token_create
from tests.bookings.conftest import at, book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BOOKINGS = "/api/v1/bookings/"


def token_client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='t')[1]}")
    return client


def body(room, start="10:00", end="11:00") -> dict:
    return {
        "room": room.pk,
        "start": at(2, start).isoformat(),
        "end": at(2, end).isoformat(),
        "topic": "Load",
        "expected_headcount": 1,
    }


def test_a_request_reads_neither_the_department_nor_first_the_rooms_meetings_on_postgres(
    organizer, room, policy
):
    client = token_client(organizer)

    with CaptureQueriesContext(connection) as queries:
        assert client.post(BOOKINGS, body(room)).status_code == 201

    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if 'FROM "security_department"' in s]
    reads_meetings = [
        s for s in sql if s.startswith("SELECT") and 'FROM "bookings_occurrence"' in s
    ]
    assert bool(reads_meetings) == (connection.vendor != "postgresql")
    assert [s for s in sql if 'FROM "bookings_blackout"' in s]  # blackouts: always asked
    assert len(sql) <= 14
    assert Booking.objects.get().department_id == organizer.department_id


def test_a_taken_slot_is_refused_naming_it_and_nothing_is_written(organizer, room, policy):
    book(UserFactory(), room, at(2, "10:00"), at(2, "11:00"))

    response = token_client(organizer).post(BOOKINGS, body(room, "10:30", "11:30"))

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    (taken,) = response.json()["conflicts"]
    assert taken["kind"] == "booking"
    assert dt.datetime.fromisoformat(taken["start"]) == at(2, "10:00")
    assert Booking.objects.filter(organizer=organizer).count() == 0


def test_a_blackout_is_refused_with_a_taken_slot_named_beside_it(organizer, room, policy):
    book(UserFactory(), room, at(2, "10:00"), at(2, "11:00"))
    Blackout.objects.create(room=room, start=at(2, "10:30"), end=at(2, "12:00"), reason="Upgrade")

    response = token_client(organizer).post(BOOKINGS, body(room, "10:30", "11:30"))

    assert response.status_code == 409
    assert {c["kind"] for c in response.json()["conflicts"]} == {"booking", "blackout"}
