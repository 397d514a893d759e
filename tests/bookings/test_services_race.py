"""BK-3: no double booking, ever — even when many people book the same slot at once."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connections

from bookings.conflicts import BookingConflict
from bookings.models import Occurrence
from tests.bookings.conftest import at, book, payload
from tests.conftest import bearer
from tests.factories import RoomFactory, UserFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_people_booking_one_slot_at_once_get_one_booking_and_nineteen_conflicts():
    room = RoomFactory(preparation_minutes=15)
    people = [UserFactory() for _ in range(20)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(person, minute: int) -> None:
        try:
            barrier.wait()
            # Different but overlapping slots: only the exclusion constraint or the
            # serialized check can keep them apart.
            book(
                person,
                room,
                at(2, f"10:{minute:02d}"),
                at(2, f"11:{minute:02d}"),
                topic="Race",
                expected_headcount=2,
            )
            result = "booked"
        except BookingConflict:
            result = "conflict"
        except Exception as error:  # any other outcome fails the test below
            result = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(p, i)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked"] + ["conflict"] * 19
    assert Occurrence.objects.filter(room=room, status__in=Occurrence.OCCUPYING).count() == 1
    call_command("audit_overlaps")  # raises CommandError if any room is double-booked


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_an_overlap_that_skips_the_service():
    from django.db import IntegrityError, transaction

    room = RoomFactory()
    organizer = UserFactory()
    first = book(
        organizer, room, at(2, "10:00"), at(2, "11:00"), topic="First", expected_headcount=2
    )
    second = book(
        organizer, room, at(2, "11:00"), at(2, "12:00"), topic="Second", expected_headcount=2
    )

    with pytest.raises(IntegrityError, match="occurrence_no_overlap"), transaction.atomic():
        Occurrence.objects.filter(booking=second).update(occupied_from=at(2, "10:30"))

    assert first.occurrences.get().status == Occurrence.Status.PENDING


@pytest.mark.django_db
def test_audit_overlaps_names_a_double_booking_written_behind_the_services_back(db):
    from django.core.management.base import CommandError

    room = RoomFactory()
    organizer = UserFactory()
    book(organizer, room, at(2, "10:00"), at(2, "11:00"), topic="First", expected_headcount=2)
    other = book(
        organizer, room, at(3, "10:00"), at(3, "11:00"), topic="Second", expected_headcount=2
    )
    if connections["default"].vendor == "postgresql":
        pytest.skip("PostgreSQL's constraint stops this write; the SQLite run shows the audit")
    Occurrence.objects.filter(booking=other).update(
        start=at(2, "10:30"), end=at(2, "11:30"), occupied_from=at(2, "10:30")
    )

    with pytest.raises(CommandError, match="1 overlapping pair"):
        call_command("audit_overlaps")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_api_clients_booking_one_slot_get_one_201_and_nineteen_409s():
    from security.tokens import api_token_create

    room = RoomFactory()
    clients = []
    for _ in range(20):
        _token, secret = api_token_create(user=UserFactory(), name="race")
        clients.append(bearer(secret))
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    codes: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def post(client) -> None:
        try:
            barrier.wait()
            response = client.post(
                "/api/v1/bookings/",
                payload(room, topic="Race", expected_headcount=2),
                format="json",
            )
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 409:
                    codes.append(response.json()["code"])
        except Exception as error:  # reported by the assertion below
            with lock:
                errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(statuses) == [201] + [409] * 19
    assert set(codes) == {"conflict"}
    call_command("audit_overlaps")
