"""BK-1: what `booking_request` returns is what it wrote, as it stands."""

from __future__ import annotations

import pytest
from django.core import mail

from bookings import services
from bookings.models import Attendee, Booking, NotificationDelivery, Occurrence
from tests.bookings.conftest import at, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


def sent() -> list[tuple[str, str]]:
    """(kind, address) of each email sent, in order."""
    return list(
        NotificationDelivery.objects.filter(sent_at__isnull=False)
        .order_by("pk")
        .values_list("kind", "email")
    )


@pytest.mark.parametrize("auto_approve", [False, True], ids=["pending", "auto-approved"])
def test_a_request_returns_the_booking_meetings_and_invitees_it_wrote(
    organizer, policy, auto_approve
):
    policy.auto_approve = auto_approve
    policy.save()
    room = RoomFactory(allows_external_guests=True, capacity=10)
    colleague = UserFactory()

    requested = services.booking_request(
        organizer=organizer,
        room=room,
        start=at(2, "10:00"),
        end=at(2, "11:00"),
        topic="Quarterly review",
        expected_headcount=3,
        attendee_users=[colleague],
        attendee_emails=["guest@partner.com"],
    )

    stored = Booking.objects.get()
    assert requested.booking.pk == stored.pk
    assert requested.booking.status == stored.status
    assert (requested.booking.status == Booking.Status.APPROVED) == auto_approve
    assert requested.booking.join_url == stored.join_url
    assert [(o.pk, o.status, o.start) for o in requested.occurrences] == list(
        Occurrence.objects.values_list("pk", "status", "start")
    )
    assert [(a.pk, a.user_id, a.email) for a in requested.attendees] == list(
        Attendee.objects.order_by("pk").values_list("pk", "user_id", "email")
    )


def test_approvers_are_not_asked_to_review_a_request_the_policy_approved(
    organizer, approver, policy, django_capture_on_commit_callbacks, eager_tasks
):
    policy.auto_approve = True
    policy.save()

    with django_capture_on_commit_callbacks(execute=True):
        book(organizer, RoomFactory(capacity=10))

    assert sent() == [("approved", "organizer@example.com")]
    assert [m.to for m in mail.outbox] == [["organizer@example.com"]]


def test_approvers_are_asked_to_review_a_request_that_waits_for_them(
    organizer, approver, policy, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(organizer, RoomFactory(capacity=10))

    assert sent() == [("requested", "approver@example.com")]
    assert [m.to for m in mail.outbox] == [["approver@example.com"]]
