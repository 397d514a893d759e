"""BK-4 in admin: approving a request that breaks a rule now asks for a reason first,
from its page and from the "Approve selected" action."""

from __future__ import annotations

import pytest
from django.urls import reverse, reverse_lazy

from bookings.models import Blackout, Booking, Occurrence
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book

pytestmark = pytest.mark.django_db
QUEUE = reverse_lazy("admin:bookings_booking_changelist")
TEMPLATE = "admin/bookings/booking/approve_override.html"


@pytest.fixture
def approver_client(client, approver):
    client.force_login(approver)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def blacked_out(room) -> None:
    Blackout.objects.create(
        room=room, start=at(2, "09:00"), end=at(2, "12:00"), reason="Licence renewal"
    )


def approve_url(booking: Booking) -> str:
    return reverse("admin:bookings_booking_approve", args=[booking.pk])


def test_approving_from_its_page_shows_the_problem_and_asks_for_a_reason(
    approver_client, organizer, room, policy
):
    booking = book(organizer, room)
    blacked_out(room)

    response = approver_client.post(approve_url(booking))

    assert response.status_code == 200
    assert TEMPLATE in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Tencent A cannot be booked from 2026-12-09 09:00 to 12:00: Licence renewal." in content
    assert 'name="override_reason"' in content
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


def test_approving_from_its_page_with_a_reason_approves_over_the_problem(
    approver_client, approver, organizer, room, policy
):
    booking = book(organizer, room)
    blacked_out(room)

    response = approver_client.post(
        approve_url(booking), {"confirm": "yes", "override_reason": "Provider confirmed"}
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    event = AuditEvent.objects.get(action="booking.approved", actor=approver)
    assert event.data["override"]["reason"] == "Provider confirmed"
    page = approver_client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))
    assert "Licence renewal" in page.content.decode()
    assert "Provider confirmed" in page.content.decode()


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_blank_reason_approves_nothing_and_asks_again(
    approver_client, organizer, room, policy, reason
):
    booking = book(organizer, room)
    blacked_out(room)

    response = approver_client.post(
        approve_url(booking), {"confirm": "yes", "override_reason": reason}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Say why the request is approved although it breaks these rules." in content
    assert "Licence renewal" in content
    assert booking.occurrences.get().status == Occurrence.Status.PENDING


def test_approving_selected_approves_the_clean_and_asks_a_reason_for_the_others(
    approver_client, organizer, room, policy
):
    covered = book(organizer, room, topic="In the blackout")
    clean = book(organizer, room, at(3, "10:00"), at(3, "11:00"), topic="Thursday")
    blacked_out(room)

    asked = approver_client.post(
        QUEUE, {"action": "approve_selected", "_selected_action": [covered.pk, clean.pk]}
    )

    assert asked.status_code == 200
    assert TEMPLATE in [t.name for t in asked.templates]
    assert asked.context["blocked"][0]["pk"] == covered.pk
    assert len(asked.context["blocked"]) == 1
    clean.refresh_from_db()
    assert clean.status == Booking.Status.APPROVED

    done = approver_client.post(
        QUEUE,
        {
            "action": "approve_selected",
            "_selected_action": [covered.pk],
            "confirm": "yes",
            "override_reason": "Provider confirmed",
        },
    )

    assert done.status_code == 302
    covered.refresh_from_db()
    assert covered.status == Booking.Status.APPROVED
