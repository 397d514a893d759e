"""BK-1: a booking invites at most MAX_ATTENDEES colleagues and as many guests by email.
The rule is a booking input check, so every door gets it; the API refuses more with the
code and message it always gave."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from bookings.models import Booking
from bookings.validation import MAX_ATTENDEES, BookingInputError
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


def guests(n: int) -> list[str]:
    return [f"guest{i}@partner.example" for i in range(n)]


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("attendee_emails", lambda: {"attendee_emails": guests(MAX_ATTENDEES + 1)}),
        (
            "attendee_user_ids",
            lambda: {"attendee_users": UserFactory.create_batch(MAX_ATTENDEES + 1)},
        ),
    ],
)
def test_a_request_over_the_attendee_limit_is_refused_and_writes_nothing(
    organizer, room, policy, field, extra
):
    invited = extra()
    events = AuditEvent.objects.count()

    with pytest.raises(BookingInputError) as refused:
        book(organizer, room, expected_headcount=1, **invited)

    assert refused.value.code == "too_many_attendees"
    assert list(refused.value.fields) == [field]
    assert str(MAX_ATTENDEES) in refused.value.detail
    assert not Booking.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_request_at_the_attendee_limit_is_booked(organizer, policy):
    hall = RoomFactory(capacity=1000, supports_large_meeting=True, allows_external_guests=True)

    booking = book(organizer, hall, expected_headcount=1, attendee_emails=guests(MAX_ATTENDEES))

    assert booking.attendees.count() == MAX_ATTENDEES


def test_the_api_refuses_more_attendees_with_its_code_and_message_of_before(
    organizer, room, policy
):
    client = APIClient()
    client.force_login(organizer)

    response = client.post(
        "/api/v1/bookings/",
        {
            "room": room.pk,
            "start": at(2, "10:00").isoformat(),
            "end": at(2, "11:00").isoformat(),
            "topic": "All hands",
            "expected_headcount": 1,
            "attendee_emails": guests(MAX_ATTENDEES + 1),
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["detail"]) == (
        "invalid",
        "Ensure this field has no more than 500 elements.",
    )
    assert list(body["fields"]) == ["attendee_emails"]
    assert not Booking.objects.exists()
