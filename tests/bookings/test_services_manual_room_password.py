"""SE-5 / BK-17: a confidential meeting in a manual room, where MeetingOps cannot set a
password, is approved only once the approver enters the room's meeting password: from
the service, the admin's decision box and the API. Other meetings need none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookings import services
from bookings.models import Booking, ProviderMeeting
from bookings.services import MeetingPasswordRequired
from oversight.models import AuditEvent
from tests.bookings.conftest import book
from tests.conftest import api_client
from tests.factories import RoomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manual_room(db):
    return RoomFactory(manual=True, name="Manual A", join_url="https://meet.example.com/fixed")


@pytest.fixture
def approver_client(client, approver):
    client.force_login(approver)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_confidential_meeting_in_a_manual_room_is_refused_without_the_password(
    organizer, approver, manual_room, policy
):
    booking = book(organizer, manual_room, confidential=True)
    with pytest.raises(MeetingPasswordRequired) as refused:
        services.booking_approve(booking=booking, actor=approver)
    assert refused.value.code == "meeting_password_required"
    assert refused.value.fields == {"meeting_password": [refused.value.detail]}
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert not AuditEvent.objects.filter(action="booking.approved").exists()


def test_with_the_password_it_is_approved_and_the_password_kept_for_the_invitees(
    organizer, approver, manual_room, policy
):
    booking = book(organizer, manual_room, confidential=True)
    services.booking_approve(booking=booking, actor=approver, meeting_password=" 735190 ")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert booking.meeting_password == "735190"
    assert booking.join_url == "https://meet.example.com/fixed"
    event = AuditEvent.objects.get(action="booking.approved")
    assert event.data["meeting_password"] == "set"
    assert "735190" not in str(event.data)


@pytest.mark.parametrize("password", ["x" * 65, "12\n34"])
def test_a_password_that_is_no_password_is_refused(
    organizer, approver, manual_room, policy, password
):
    booking = book(organizer, manual_room, confidential=True)
    with pytest.raises(MeetingPasswordRequired) as refused:
        services.booking_approve(booking=booking, actor=approver, meeting_password=password)
    assert refused.value.code == "meeting_password_invalid"
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.PENDING


@pytest.mark.parametrize(
    "case", ["not confidential", "room has a password", "jitsi room", "tencent room"]
)
def test_no_password_is_asked_where_the_room_or_provider_gives_one(
    organizer, approver, manual_room, policy, case, monkeypatch
):
    confidential = case != "not confidential"
    room = manual_room
    if case == "room has a password":
        room = RoomFactory(manual=True, name="Manual B", meeting_password="1234")
    elif case == "jitsi room":
        room = RoomFactory(name="Jitsi")
    elif case == "tencent room":
        from tests.bookings.remote_fakes import remote_room, tencent_provider

        room = remote_room(tencent_provider())
    booking = book(organizer, room, confidential=confidential)
    services.booking_approve(booking=booking, actor=approver)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.APPROVED
    assert ProviderMeeting.objects.exists() is (case == "tencent room")


def test_a_change_to_confidential_in_a_manual_room_needs_the_password_to_be_approved(
    organizer, approver, manual_room, policy
):
    booking = book(organizer, manual_room)
    services.booking_approve(booking=booking, actor=approver)
    services.booking_change(booking=booking, actor=organizer, confidential=True)
    with pytest.raises(MeetingPasswordRequired):
        services.booking_approve(booking=booking, actor=approver)
    services.booking_approve(booking=booking, actor=approver, meeting_password="2468")
    booking.refresh_from_db()
    assert (booking.confidential, booking.meeting_password) == (True, "2468")


# -- admin -----------------------------------------------------------------------------------


def test_the_decision_box_asks_for_the_password(approver_client, organizer, manual_room, policy):
    booking = book(organizer, manual_room, confidential=True)
    html = approver_client.get(
        reverse("admin:bookings_booking_change", args=[booking.pk])
    ).content.decode()
    assert 'name="meeting_password"' in html
    assert "enter the password of the room’s meeting" in html
    other = book(organizer, RoomFactory(manual=True, name="Manual C", meeting_password="1"))
    html = approver_client.get(
        reverse("admin:bookings_booking_change", args=[other.pk])
    ).content.decode()
    assert 'name="meeting_password"' not in html


def test_approving_in_admin_without_it_says_why_and_with_it_approves(
    approver_client, organizer, manual_room, policy
):
    booking = book(organizer, manual_room, confidential=True)
    url = reverse("admin:bookings_booking_approve", args=[booking.pk])
    response = approver_client.post(url, follow=True)
    assert "meeting password to approve it." in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.PENDING
    approver_client.post(url, {"meeting_password": "555111"})
    booking.refresh_from_db()
    assert (booking.status, booking.meeting_password) == (Booking.Status.APPROVED, "555111")


# -- API ---------------------------------------------------------------------------------------


def test_the_api_refuses_without_the_password_and_approves_with_it(
    organizer, approver, manual_room, policy
):
    booking = book(organizer, manual_room, confidential=True)
    url = f"/api/v1/bookings/{booking.pk}/approve/"
    refused = api_client(approver).post(url, {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "meeting_password_required"
    assert "meeting_password" in refused.json()["fields"]
    approved = api_client(approver).post(url, {"meeting_password": "8080"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert "meeting_password" not in approved.json()  # the input is not echoed
    # The organizer reads it with the link, as SE-5 lets them.
    mine = api_client(organizer).get(f"/api/v1/bookings/{booking.pk}/").json()
    assert mine["join"]["password"] == "8080"
