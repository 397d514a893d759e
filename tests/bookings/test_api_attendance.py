"""BK-13 over the API: signing in to a meeting (the window, the person, once) and the
attendance list (the organizer's and the overseers', guests' addresses the organizer's
alone), with the API's one error shape."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bookings import services
from bookings.models import Participant
from bookings.services.attendance import meetings_close_due
from tests.bookings.conftest import at, book
from tests.conftest import api_client
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitee(db):
    return UserFactory(email="ivan@example.com", name="Ivan Invitee")


@pytest.fixture
def meeting(organizer, invitee, approver, policy):
    room = RoomFactory(capacity=20, allows_external_guests=True)
    booking = book(
        organizer,
        room,
        start=at(2, "17:00"),
        end=at(2, "18:00"),
        attendee_users=[invitee],
        attendee_emails=["gina@partner.example"],
    )
    services.booking_approve(booking=booking, actor=approver)
    return booking


def sign_in(user, booking, **body):
    return api_client(user, HTTP_ACCEPT_LANGUAGE="en").post(
        f"/api/v1/bookings/{booking.pk}/sign-in/", body, format="json"
    )


def attendance(user, booking, **params):
    return api_client(user, HTTP_ACCEPT_LANGUAGE="en").get(
        f"/api/v1/bookings/{booking.pk}/attendance/", params
    )


def test_an_invitee_signs_in_in_the_window_and_again_changes_nothing(invitee, meeting):
    occurrence = meeting.occurrences.get()
    with time_machine.travel(at(2, "16:50"), tick=False):
        first = sign_in(invitee, meeting, occurrence=occurrence.pk)
    with time_machine.travel(at(2, "17:30"), tick=False):
        again = sign_in(invitee, meeting)

    assert first.status_code == 200
    assert first.json()["sign_in_via"] == "api"
    assert again.json()["signed_in_at"] == first.json()["signed_in_at"]
    row = Participant.objects.get(occurrence=occurrence, user=invitee)
    assert row.signed_in_at == at(2, "16:50")


def test_before_the_window_a_409_says_when_it_opens(invitee, meeting):
    with time_machine.travel(at(2, "12:00"), tick=False):
        response = sign_in(invitee, meeting)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "sign_in_not_open"
    assert dt.datetime.fromisoformat(body["opens"]) == at(2, "16:45")


def test_someone_not_invited_cannot_sign_in(supervisor, meeting):
    with time_machine.travel(at(2, "16:50"), tick=False):
        response = sign_in(supervisor, meeting)
    assert response.status_code == 403
    assert response.json()["code"] == "not_participant"


def test_a_meeting_of_another_booking_is_refused(invitee, meeting, organizer, approver):
    other = book(organizer, RoomFactory(), start=at(2, "15:00"), end=at(2, "16:00"))
    with time_machine.travel(at(2, "16:50"), tick=False):
        response = sign_in(invitee, meeting, occurrence=other.occurrences.get().pk)
    assert response.status_code == 400
    assert "occurrence" in response.json()["fields"]


def test_a_stranger_gets_404(meeting):
    with time_machine.travel(at(2, "16:50"), tick=False):
        assert sign_in(UserFactory(), meeting).status_code == 404
        assert attendance(UserFactory(), meeting).status_code == 404


def test_the_organizer_reads_the_attendance_list_with_the_reconciled_results(
    organizer, invitee, meeting
):
    with time_machine.travel(at(2, "17:02"), tick=False):
        sign_in(organizer, meeting)
    with time_machine.travel(at(2, "18:00"), tick=False):
        meetings_close_due()
        response = attendance(organizer, meeting)

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["source"], body["unknown_joiners"]) == (
        "completed",
        "sign_in",
        0,
    )
    assert [(p["name"], p["role"], p["attendance"]) for p in body["participants"]] == [
        ("Olga Organizer", "organizer", "present"),
        ("Ivan Invitee", "colleague", "absent"),
        ("gina@partner.example", "guest", "absent"),
    ]


def test_an_overseer_reads_the_list_without_guest_addresses(supervisor, meeting):
    body = attendance(supervisor, meeting).json()
    assert [p["name"] for p in body["participants"]][2] == "External guest"


def test_an_invitee_cannot_read_the_list(invitee, meeting):
    response = attendance(invitee, meeting)
    assert response.status_code == 403
    assert response.json()["code"] == "not_organizer"


def test_the_attendance_list_asks_a_bounded_number_of_queries(
    organizer, meeting, django_assert_max_num_queries
):
    client = api_client(organizer)
    client.get(f"/api/v1/bookings/{meeting.pk}/attendance/")
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/bookings/{meeting.pk}/attendance/").status_code == 200
