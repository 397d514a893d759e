"""Booking tests run at a fixed moment: Monday 7 December 2026, 09:00 in Shanghai.
`at(day, "HH:MM")` makes an aware datetime in company time, `day` counted from that
Monday (2 = Wednesday)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from bookings.models import UsagePolicy
from tests.factories import RoomFactory, UserFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 12, 7)
NOW = dt.datetime.combine(MONDAY, dt.time(9, 0), tzinfo=SHANGHAI)


def at(day: int, hhmm: str) -> dt.datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(
        MONDAY + dt.timedelta(days=day), dt.time(hours, minutes), tzinfo=SHANGHAI
    )


def book(organizer, room, start=None, end=None, **extra):
    """A booking request through the service: Wednesday 10:00-11:00 unless told."""
    from bookings import services

    extra.setdefault("expected_headcount", 3)
    return services.booking_request(
        organizer=organizer,
        room=room,
        start=start or at(2, "10:00"),
        end=end or at(2, "11:00"),
        topic=extra.pop("topic", "Quarterly review"),
        **extra,
    ).booking


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def policy(db) -> UsagePolicy:
    """The policy in force: the migration's version 1 defaults (24 h notice, 240 min,
    90 days, 08:00–20:00 Monday to Friday, no quotas, no auto-approval)."""
    return UsagePolicy.objects.order_by("-version").first()


@pytest.fixture
def room(db):
    return RoomFactory(name="Tencent A", capacity=10)


@pytest.fixture
def organizer(db):
    return UserFactory(email="organizer@example.com", name="Olga Organizer")


@pytest.fixture
def approver(db):
    return UserFactory(email="approver@example.com", is_staff=True, groups=["Approvers"])


@pytest.fixture
def supervisor(db):
    return UserFactory(email="supervisor@example.com", is_staff=True, groups=["Supervisors"])


@pytest.fixture
def it_member(db):
    return UserFactory(email="it@example.com", is_staff=True, groups=["IT"])


def payload(for_room, **extra) -> dict:
    """The body of a booking request to POST /api/v1/bookings/: Wednesday 10:00-11:00
    in `for_room` unless told."""
    body = {
        "room": for_room.pk,
        "start": at(2, "10:00").isoformat(),
        "end": at(2, "11:00").isoformat(),
        "topic": "Budget 2027",
        "agenda": "Numbers",
        "expected_headcount": 4,
    }
    body.update(extra)
    return body
