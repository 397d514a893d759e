"""BK-11 through the API: POST /bookings/{id}/answer/ answers (the same service, the
same refusals in the one error shape), GET /bookings/{id}/answers/ is the organizer's
list of who comes, guests' addresses for the organizer alone, and the schema states
both with their refusals."""

from __future__ import annotations

import pytest

from bookings import services
from bookings.models import Participant
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.conftest import api_client
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitee(db):
    return UserFactory(email="ivan@example.com", name="Ivan Invitee")


@pytest.fixture
def meeting(organizer, invitee, approver, policy):
    booking = book(
        organizer,
        RoomFactory(capacity=20, allows_external_guests=True),
        attendee_users=[invitee],
        attendee_emails=["gina@partner.example"],
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def answer(client, booking, **body):
    return client.post(f"/api/v1/bookings/{booking.pk}/answer/", body, format="json")


def row(booking, email) -> Participant:
    return Participant.objects.get(booking=booking, email=email)


@pytest.mark.parametrize("auth", ["session", "token"])
def test_an_invitee_declines_with_a_reason(meeting, invitee, auth):
    response = answer(
        api_client(invitee, auth=auth), meeting, response="declined", reason="Sick leave"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["changed"] == 1
    [one] = body["answers"]
    assert one["occurrence"] == row(meeting, "ivan@example.com").occurrence_id
    assert (one["response"], one["reason"]) == ("declined", "Sick leave")
    assert row(meeting, "ivan@example.com").response == "declined"
    assert AuditEvent.objects.get(action="participant.answered").data["via"] == "api"


def test_a_decline_without_a_reason_is_refused_in_the_one_shape(meeting, invitee):
    response = answer(api_client(invitee), meeting, response="declined")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "reason_required"
    assert list(body["fields"]) == ["reason"]
    assert row(meeting, "ivan@example.com").response == "needs_action"


def test_an_unknown_answer_is_refused(meeting, invitee):
    response = answer(api_client(invitee), meeting, response="maybe")

    assert response.status_code == 400
    assert "response" in response.json()["fields"]


def test_the_organizer_comes_and_cannot_answer(meeting, organizer):
    occurrence = row(meeting, "organizer@example.com").occurrence_id

    response = answer(api_client(organizer), meeting, response="accepted", occurrence=occurrence)

    assert response.status_code == 409
    assert response.json()["code"] == "organizer_attends"


def test_the_organizer_naming_no_meeting_has_nothing_to_answer(meeting, organizer):
    response = answer(api_client(organizer), meeting, response="accepted")

    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_answer"


def test_a_stranger_cannot_see_the_booking_to_answer(meeting):
    response = answer(api_client(UserFactory()), meeting, response="accepted")

    assert response.status_code == 404


def test_a_meeting_of_another_booking_is_refused(meeting, invitee, organizer, approver):
    other = book(organizer, RoomFactory(), start=at(3, "10:00"), end=at(3, "11:00"))
    services.booking_approve(booking=other, actor=approver)

    response = answer(
        api_client(invitee),
        meeting,
        response="accepted",
        occurrence=other.occurrences.get().pk,
    )

    assert response.status_code == 400
    assert "occurrence" in response.json()["fields"]


def test_the_organizer_lists_who_comes_with_guests_addresses(meeting, organizer, invitee):
    services.participant_answer(
        participant=row(meeting, "ivan@example.com"),
        response="tentative",
        reason="Another call first",
        actor=invitee,
        via="api",
    )

    response = api_client(organizer).get(f"/api/v1/bookings/{meeting.pk}/answers/")

    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"accepted": 1, "tentative": 1, "declined": 0, "needs_action": 1}
    people = {p["role"]: p for p in body["participants"]}
    assert people["colleague"]["name"] == "Ivan Invitee"
    assert people["colleague"]["reason"] == "Another call first"
    assert people["guest"]["email"] == "gina@partner.example"
    assert people["guest"]["name"] is None
    assert body["occurrence"]["id"] == row(meeting, "ivan@example.com").occurrence_id


def test_only_the_organizer_lists_who_comes(meeting, invitee, approver):
    for viewer in (invitee, approver):
        response = api_client(viewer).get(f"/api/v1/bookings/{meeting.pk}/answers/")
        assert response.status_code == 403
        assert response.json()["code"] == "not_organizer"


def test_who_comes_to_a_meeting_that_is_not_the_bookings_is_a_404(meeting, organizer):
    response = api_client(organizer).get(
        f"/api/v1/bookings/{meeting.pk}/answers/", {"occurrence": 999999}
    )

    assert response.status_code == 404


def test_the_schema_states_both_operations_and_their_refusals(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    answer_op = schema["paths"]["/api/v1/bookings/{booking_id}/answer/"]["post"]
    list_op = schema["paths"]["/api/v1/bookings/{booking_id}/answers/"]["get"]

    assert {"200", "400", "403", "404", "409"} <= set(answer_op["responses"])
    assert {"200", "403", "404"} <= set(list_op["responses"])
    assert "reason_required" in answer_op["description"]


@pytest.mark.parametrize("size", [1, 20])
def test_who_comes_asks_a_bounded_number_of_queries(
    organizer, approver, policy, django_assert_max_num_queries, size
):
    booking = book(
        organizer,
        RoomFactory(capacity=50, allows_external_guests=True),
        attendee_users=UserFactory.create_batch(size),
        attendee_emails=[f"g{i}@partner.example" for i in range(size)],
        expected_headcount=2 * size + 1,
    )
    services.booking_approve(booking=booking, actor=approver)
    client = api_client(organizer)
    client.get(f"/api/v1/bookings/{booking.pk}/answers/")  # the session, once

    # The same for 3 people as for 41: who comes is one query.
    with django_assert_max_num_queries(9):
        response = client.get(f"/api/v1/bookings/{booking.pk}/answers/")

    assert response.status_code == 200
    assert len(response.json()["participants"]) == 2 * size + 1
