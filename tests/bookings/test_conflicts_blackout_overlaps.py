"""Item 11: the blackout check every booking request runs says what `slot_conflicts`
says about blackouts, on PostgreSQL as one plain statement."""

from __future__ import annotations

import pytest

from bookings import conflicts
from bookings.models import Blackout
from tests.bookings.conftest import at
from tests.factories import RoomFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("blackout", "slots", "preparation", "hit"),
    [
        (("10:30", "12:00", "own"), [("10:00", "11:00")], 0, True),
        (("10:30", "12:00", "all"), [("10:00", "11:00")], 0, True),
        (("10:30", "12:00", "other"), [("10:00", "11:00")], 0, False),
        (("10:30", "12:00", "ended"), [("10:00", "11:00")], 0, False),
        (("11:00", "12:00", "own"), [("10:00", "11:00")], 0, False),
        (("09:00", "10:00", "own"), [("10:00", "11:00")], 0, False),
        (("09:00", "10:00", "own"), [("10:00", "11:00")], 15, True),
        (("12:00", "13:00", "own"), [("10:00", "11:00"), ("14:00", "15:00")], 0, False),
        (("12:00", "13:00", "own"), [("10:00", "11:00"), ("12:30", "13:30")], 0, True),
    ],
)
def test_a_blackout_is_found_exactly_where_the_conflict_check_finds_one(
    blackout, slots, preparation, hit
):
    room = RoomFactory(preparation_minutes=preparation)
    start, end, kind = blackout
    Blackout.objects.create(
        room={"own": room, "all": None, "other": RoomFactory(), "ended": room}[kind],
        start=at(2, start),
        end=at(2, end),
        reason="Upgrade",
        is_active=kind != "ended",
    )
    wanted = [(at(2, s), at(2, e)) for s, e in slots]

    found = conflicts.blackout_overlaps(room=room, slots=wanted)

    assert found is hit
    assert found == bool(conflicts.slot_conflicts(room=room, slots=wanted, meetings=False))


def test_no_slot_meets_no_blackout():
    assert conflicts.blackout_overlaps(room=RoomFactory(), slots=[]) is False
