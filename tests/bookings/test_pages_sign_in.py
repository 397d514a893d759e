"""BK-13 through the test client: the meeting page's sign-in (before, in and after its
window), the organizer's attendance list, the home page's Sign in button beside Join,
and the reminder's signed link, which works without an account, shows its meeting only
and stops after it (404 for a bad link, 410 after the end)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from bookings import links, services
from bookings.models import Participant
from bookings.services.attendance import meetings_close_due, participant_sign_in
from tests.bookings.conftest import at, book
from tests.conftest import signed_in
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

START, END = at(2, "17:00"), at(2, "18:00")


@pytest.fixture
def guest_room(db):
    return RoomFactory(name="Guest room", capacity=20, allows_external_guests=True)


@pytest.fixture
def invitee(db):
    return UserFactory(email="ivan@example.com", name="Ivan Invitee")


@pytest.fixture
def meeting(organizer, invitee, guest_room, approver, policy):
    booking = book(
        organizer,
        guest_room,
        start=START,
        end=END,
        attendee_users=[invitee],
        attendee_emails=["gina@partner.example", "otto@partner.example"],
        topic="Budget 2027",
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def page(client, user, booking):
    return signed_in(client, user).get(reverse("bookings:meeting", args=[booking.pk]))


def sign_in_post(client, booking, **data):
    data.setdefault("occurrence", booking.occurrences.get().pk)
    return client.post(reverse("bookings:meeting_sign_in", args=[booking.pk]), data)


def row(booking, email) -> Participant:
    return Participant.objects.get(booking=booking, email=email)


# -- the meeting page ----------------------------------------------------------------------


def test_before_the_window_the_page_says_when_sign_in_opens(client, invitee, meeting):
    with time_machine.travel(at(2, "16:00"), tick=False):
        body = text(page(client, invitee, meeting))
    assert "Sign-in opens at 2026-12-09 16:45." in body
    assert 'data-testid="sign-in"' not in body


def test_in_the_window_an_invitee_signs_in_with_a_plain_post(client, invitee, meeting):
    with time_machine.travel(at(2, "16:50"), tick=False):
        assert 'data-testid="sign-in"' in text(page(client, invitee, meeting))
        response = sign_in_post(client, meeting)
        assert response.status_code == 302
        assert response.url == reverse("bookings:meeting", args=[meeting.pk])
        body = text(client.get(response.url))
    assert "You signed in at 2026-12-09 16:50." in body
    assert 'data-testid="sign-in"' not in body
    assert row(meeting, invitee.email).sign_in_via == "page"
    # An invitee sees no attendance list.
    assert 'data-testid="attendance-list"' not in body


def test_a_sign_in_before_the_window_is_refused_with_when_it_opens(client, invitee, meeting):
    with time_machine.travel(at(2, "16:00"), tick=False):
        signed_in(client, invitee)
        response = sign_in_post(client, meeting)
        body = text(client.get(response.url))
    assert "Sign-in opens at 2026-12-09 16:45" in body
    assert row(meeting, invitee.email).signed_in_at is None


def test_a_meeting_of_another_booking_cannot_be_signed_in_to(
    client, invitee, meeting, organizer, guest_room, approver
):
    other = book(organizer, guest_room, start=at(2, "15:00"), end=at(2, "16:00"))
    services.booking_approve(booking=other, actor=approver)
    with time_machine.travel(at(2, "16:50"), tick=False):
        signed_in(client, invitee)
        response = sign_in_post(client, meeting, occurrence=other.occurrences.get().pk)
    assert response.status_code == 404


def test_the_organizer_sees_the_attendance_list_then_the_reconciled_attendance(
    client, organizer, invitee, meeting
):
    with time_machine.travel(at(2, "16:55"), tick=False):
        participant_sign_in(participant=row(meeting, invitee.email), actor=invitee, via="page")
        body = text(page(client, organizer, meeting))
    lines = re.findall(r'data-testid="attendance-row">(.*?)</tr>', body)
    assert len(lines) == 4
    assert "Olga Organizer" in lines[0]
    assert "not signed in" in lines[0]
    assert "Ivan Invitee" in lines[1]
    assert "16:55" in lines[1]
    assert "gina@partner.example" in body  # the organizer reads the guests' addresses

    with time_machine.travel(at(2, "18:00"), tick=False):
        meetings_close_due()
        body = text(page(client, organizer, meeting))
    lines = re.findall(r'data-testid="attendance-row">(.*?)</tr>', body)
    assert "Absent" in lines[0]
    assert "Present" in lines[1]
    assert "Attendance from: The sign-ins." in body


def test_an_overseer_sees_the_list_without_guest_addresses(client, supervisor, meeting):
    body = text(page(client, supervisor, meeting))
    assert 'data-testid="attendance-list"' in body
    assert "gina@partner.example" not in body
    assert body.count("External guest") >= 2


def test_the_meeting_page_asks_a_bounded_number_of_queries(
    client, organizer, meeting, django_assert_max_num_queries
):
    signed_in(client, organizer)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("bookings:meeting", args=[meeting.pk])).status_code == 200


# -- the home page -------------------------------------------------------------------------


def test_home_offers_sign_in_beside_join_in_the_window(client, invitee, meeting):
    with time_machine.travel(at(2, "16:00"), tick=False):
        signed_in(client, invitee)
        body = text(client.get(reverse("home")))
        # Carried hidden with the join link, for site.js to show when the window opens.
        hidden = re.search(r'<div class="meeting-actions" hidden.*?</div>', body).group(0)
        assert 'data-testid="sign-in"' in hidden
        assert body.count('data-testid="sign-in"') == 1
    with time_machine.travel(at(2, "16:50"), tick=False):
        body = text(client.get(reverse("home")))
        actions = re.search(r'<div class="meeting-actions".*?</div>', body).group(0)
        assert 'data-testid="join"' in actions
        assert 'data-testid="sign-in"' in actions
        response = sign_in_post(client, meeting, back="home")
        assert response.url == reverse("home")
        body = text(client.get(reverse("home")))
    assert "Signed in at 16:50" in body
    assert 'data-testid="sign-in"' not in body


# -- the reminder's link -------------------------------------------------------------------


@pytest.fixture
def guest(client):
    """A browser with no account, reading English (one that names no language reads
    Simplified Chinese, the company's)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def path_of(booking, email) -> str:
    return reverse(
        "bookings:sign_in_link", args=[links.participant_token(row(booking, email), "sign_in")]
    )


def test_a_guest_signs_in_from_the_link_without_an_account(guest, meeting):
    url = path_of(meeting, "gina@partner.example")
    with time_machine.travel(at(2, "16:58"), tick=False):
        body = text(guest.get(url))
        assert "Budget 2027" in body
        assert "Signing in as gina@partner.example." in body
        # Only its meeting, and no other invitee.
        assert "otto@partner.example" not in body
        assert "Ivan Invitee" not in body
        response = guest.post(url)
        assert response.status_code == 302
        body = text(guest.get(url))
    assert "You signed in at 2026-12-09 16:58." in body
    assert row(meeting, "gina@partner.example").sign_in_via == "link"


def test_the_link_before_the_window_says_when_it_opens(guest, meeting):
    url = path_of(meeting, "gina@partner.example")
    with time_machine.travel(at(2, "12:00"), tick=False):
        body = text(guest.get(url))
        response = guest.post(url)
    assert "Sign-in opens at 2026-12-09 16:45." in body
    assert response.status_code == 409
    assert row(meeting, "gina@partner.example").signed_in_at is None


def test_a_link_is_for_its_meeting_only(guest, meeting):
    token = links.participant_token(row(meeting, "gina@partner.example"), "answer")
    response = guest.get(reverse("bookings:sign_in_link", args=[token]))
    assert response.status_code == 404
    assert "This link is not valid" in text(response)
    forged = reverse("bookings:sign_in_link", args=["x" + token])
    assert guest.get(forged).status_code == 404


def test_the_link_is_gone_after_the_meeting(guest, meeting):
    url = path_of(meeting, "gina@partner.example")
    with time_machine.travel(at(2, "18:00"), tick=False):
        response = guest.get(url)
        posted = guest.post(url)
    assert response.status_code == 410
    assert "The meeting has ended" in text(response)
    assert posted.status_code == 410
    assert row(meeting, "gina@partner.example").signed_in_at is None


def test_the_link_page_is_translated(client, meeting):
    url = path_of(meeting, "gina@partner.example")
    with time_machine.travel(at(2, "16:58"), tick=False):
        body = text(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert '<html lang="zh-hans"' in body


def test_the_link_of_a_confidential_meeting_shows_its_guest_what_an_invitee_may_read(
    guest, organizer, guest_room, approver, policy
):
    booking = book(
        organizer,
        guest_room,
        start=START,
        end=END,
        attendee_emails=["gina@partner.example", "otto@partner.example"],
        topic="Merger talks",
        confidential=True,
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()

    with time_machine.travel(at(2, "16:58"), tick=False):
        response = guest.get(path_of(booking, "gina@partner.example"))

    body = text(response)
    assert "Merger talks" in body  # an invitee reads the topic (SE-5)
    assert booking.meeting_password
    assert booking.meeting_password in body
    assert "This meeting is confidential" in body
    assert "otto@partner.example" not in body
    # The page holds a password: never cached, never indexed.
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
