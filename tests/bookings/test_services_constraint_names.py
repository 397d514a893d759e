"""A write the database refuses is told apart by the name of the constraint it broke
(`meetingops.db.violated_constraint`), never by searching the error's text: on
PostgreSQL from the driver's diagnostics, on SQLite from the constraint it reports."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction

from bookings.models import Attendee, Booking, Occurrence, Room
from bookings.services.rows import is_overlap_violation
from meetingops.db import violated_constraint
from tests.bookings.conftest import at, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's"
)


def refused(write) -> IntegrityError:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write()
    return error.value


def test_a_check_constraint_is_named(organizer, room):
    error = refused(lambda: Room.objects.filter(pk=room.pk).update(capacity=0))

    assert violated_constraint(error) == "room_capacity_positive"
    assert not is_overlap_violation(error)


def test_a_check_constraint_of_another_table_is_named(organizer, room):
    booking = book(organizer, room)

    error = refused(lambda: Booking.objects.filter(pk=booking.pk).update(expected_headcount=0))

    assert violated_constraint(error) == "booking_headcount_positive"


def test_a_unique_constraint_is_named(organizer, room):
    colleague = UserFactory()
    booking = book(organizer, room, attendee_users=[colleague])

    error = refused(lambda: Attendee.objects.create(booking=booking, user=colleague))

    assert violated_constraint(error) == "attendee_user_once"
    assert not is_overlap_violation(error)


def test_a_refusal_no_constraint_names_gives_none(organizer, room):
    booking = book(organizer, room)

    error = refused(lambda: Booking.objects.filter(pk=booking.pk).update(topic=None))

    assert violated_constraint(error) is None


@on_postgres
def test_an_overlap_is_the_exclusion_constraint_by_name():
    room = RoomFactory()
    organizer = UserFactory()
    book(organizer, room, at(2, "10:00"), at(2, "11:00"), expected_headcount=2)
    second = book(organizer, room, at(2, "11:00"), at(2, "12:00"), expected_headcount=2)

    error = refused(
        lambda: Occurrence.objects.filter(booking=second).update(occupied_from=at(2, "10:30"))
    )

    assert violated_constraint(error) == "occurrence_no_overlap"
    assert is_overlap_violation(error)


def test_the_text_of_an_error_does_not_make_it_an_overlap():
    """A refusal that only mentions the exclusion constraint's name (in a value, say) is
    not an overlap: the diagnostics name another constraint."""

    class DriverError(Exception):
        diag = SimpleNamespace(constraint_name="attendee_user_once")

    error = IntegrityError('new row violates "attendee_user_once": occurrence_no_overlap')
    error.__cause__ = DriverError()

    assert not is_overlap_violation(error)
    assert violated_constraint(error) == "attendee_user_once"
