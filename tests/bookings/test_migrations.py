"""Data migrations of the booking app, run forward over rows written before them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("bookings", "0010_notification_claims")
AFTER = ("bookings", "0012_booking_pending_queue_start")
UTC = dt.UTC


def at(hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, 9, hour, tzinfo=UTC)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_queue_order_is_filled_from_each_bookings_occurrences():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    Department = old.get_model("security", "Department")
    User = old.get_model("security", "User")
    Provider = old.get_model("bookings", "Provider")
    Room = old.get_model("bookings", "Room")
    Booking = old.get_model("bookings", "Booking")
    Occurrence = old.get_model("bookings", "Occurrence")
    department = Department.objects.create(name="Sales", code="sales")
    user = User.objects.create(email="o@example.com", name="O", department=department)
    provider = Provider.objects.create(name="Manual", kind="manual")
    room = Room.objects.create(name="A", provider=provider, capacity=10)

    def booking(*meetings, status="approved"):
        made = Booking.objects.create(
            organizer=user,
            department=department,
            room=room,
            topic="T",
            expected_headcount=2,
            status=status,
        )
        for hour, status in meetings:
            Occurrence.objects.create(
                booking=made, room=room, start=at(hour), end=at(hour) + dt.timedelta(hours=1),
                occupied_from=at(hour), status=status, topic="T", organizer=user,
            )  # fmt: skip
        return made.pk

    approved = booking((10, "approved"))
    series = booking((14, "pending"), (9, "approved"), (12, "pending"), status="pending")
    moved = booking((8, "superseded"), (15, "approved"))
    changing = booking((11, "approved"), (16, "pending"), status="pending")
    headcount_change = booking((13, "approved"), status="pending")  # moves no meeting

    try:
        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
        new = executor.loader.project_state([AFTER]).apps.get_model("bookings", "Booking")
        firsts = {
            pk: (first, pending)
            for pk, first, pending in new.objects.values_list(
                "pk", "first_start", "first_pending_start"
            )
        }
    finally:
        call_command("migrate", verbosity=0)

    assert firsts == {
        approved: (at(10), None),
        series: (at(9), at(12)),
        moved: (at(15), None),
        changing: (at(11), at(16)),
        headcount_change: (at(13), at(13)),
    }
