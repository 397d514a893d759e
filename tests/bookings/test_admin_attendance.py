"""BK-13 in admin: a booking's page shows who signed in to its meetings held and their
attendance once reconciled, read-only; a confidential meeting's people stay hidden from
a reader who may not see it (SE-5)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from bookings import services
from bookings.models import Participant
from bookings.services.attendance import meetings_close_due, participant_sign_in
from tests.bookings.conftest import at, book
from tests.conftest import signed_in
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(organizer, approver, policy):
    invitee = UserFactory(email="ivan@example.com", name="Ivan Invitee")
    booking = book(
        organizer, RoomFactory(), start=at(2, "17:00"), end=at(2, "18:00"), attendee_users=[invitee]
    )
    services.booking_approve(booking=booking, actor=approver)
    with time_machine.travel(at(2, "16:58"), tick=False):
        row = Participant.objects.get(booking=booking, user=organizer)
        participant_sign_in(participant=row, actor=organizer, via="page")
    return booking


def panel_text(client, booking) -> str:
    response = client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))
    assert response.status_code == 200
    html = re.sub(r"\s+", " ", response.content.decode())
    found = re.search(r'<div class="booking-panel attendance-panel">.*?</div>', html)
    return found.group(0) if found else html


def test_before_any_meeting_started_the_page_says_so(client, approver, held):
    with time_machine.travel(at(2, "16:00"), tick=False):
        body = panel_text(signed_in(client, approver), held)
    assert "No meeting of this booking has started yet." in body


def test_the_booking_page_shows_sign_ins_then_attendance(client, supervisor, held):
    with time_machine.travel(at(2, "17:30"), tick=False):
        body = panel_text(signed_in(client, supervisor), held)
    assert "Olga Organizer (Organizer)" in body
    assert "16:58" in body
    with time_machine.travel(at(2, "18:00"), tick=False):
        meetings_close_due()
        body = panel_text(signed_in(client, supervisor), held)
    assert "Completed" in body
    assert "from: The sign-ins" in body
    assert re.search(r"Ivan Invitee \(Colleague\)</th><td>–</td><td>Absent</td>", body)


def test_a_confidential_meetings_attendance_is_hidden_from_an_approver_who_may_not_see_it(
    client, organizer, policy
):
    from django.contrib.auth.models import Permission

    approver_only = UserFactory(is_staff=True)
    approver_only.user_permissions.add(Permission.objects.get(codename="approve_booking"))
    booking = book(organizer, RoomFactory(), confidential=True, topic="Merger")
    services.booking_approve(
        booking=booking, actor=UserFactory(is_staff=True, groups=["Approvers"])
    )
    with time_machine.travel(at(2, "10:30"), tick=False):
        response = signed_in(client, approver_only).get(
            reverse("admin:bookings_booking_change", args=[booking.pk])
        )
    assert response.status_code == 200
    assert "attendance-panel" not in response.content.decode()
    assert "Olga Organizer (Organizer)" not in response.content.decode()
