"""BK-17 on the pages: a meeting approved in a Tencent Meeting or Zoom room has no link
until the worker brings it; its page and the home page say the link is on its way to
those who may join (SE-5), rather than nothing, and show the link once it came."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookings import services
from bookings.models import Booking
from tests.bookings.conftest import book
from tests.bookings.remote_fakes import remote_room, tencent_provider
from tests.conftest import signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ON_ITS_WAY = 'data-testid="link-on-its-way"'


@pytest.fixture
def approved(organizer, approver, policy):
    invitee = UserFactory(email="invitee@example.com")
    booking = book(organizer, remote_room(tencent_provider()), attendee_users=[invitee])
    services.booking_approve(booking=booking, actor=approver)
    return Booking.objects.get(pk=booking.pk)


def page(client, user, booking) -> str:
    response = signed_in(client, user).get(reverse("bookings:meeting", args=[booking.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_meeting_page_says_the_link_is_on_its_way_to_organizer_and_invitee(
    client, organizer, approved
):
    html = page(client, organizer, approved)
    assert ON_ITS_WAY in html
    assert "The meeting link is on its way" in html
    invitee = approved.attendees.get().user
    assert ON_ITS_WAY in page(client, invitee, approved)


def test_once_the_link_came_the_page_shows_it(client, organizer, approved):
    Booking.objects.filter(pk=approved.pk).update(join_url="https://meeting.tencent.com/dm/x1")
    html = page(client, organizer, approved)
    assert ON_ITS_WAY not in html
    assert "https://meeting.tencent.com/dm/x1" in html


def test_a_pending_meeting_says_nothing_of_a_link_on_its_way(client, organizer, policy):
    booking = book(organizer, remote_room(tencent_provider()))
    assert ON_ITS_WAY not in page(client, organizer, booking)


def test_the_home_page_says_it_too(client, organizer, approved):
    html = signed_in(client, organizer).get("/").content.decode()
    assert ON_ITS_WAY in html
    assert "The meeting link is on its way." in html


def test_the_api_says_it_too_and_gives_the_link_once_it_came(organizer, approved):
    from tests.conftest import api_client

    body = api_client(organizer).get(f"/api/v1/bookings/{approved.pk}/").json()
    assert (body["join"], body["join_on_its_way"]) == (None, True)
    Booking.objects.filter(pk=approved.pk).update(join_url="https://meeting.tencent.com/dm/x1")
    body = api_client(organizer).get(f"/api/v1/bookings/{approved.pk}/").json()
    assert body["join_on_its_way"] is False
    assert body["join"]["url"] == "https://meeting.tencent.com/dm/x1"
