"""BK-7, X-2: the home page: my next meetings (the Join button only in the sign-in
window, only for the meeting's own people, SE-5), my requests and their decisions, the
notices sent to me, and a new account's prompt to complete the profile."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from bookings import services
from bookings.models import NotificationDelivery
from tests.conftest import signed_in
from tests.factories import BookingFactory, UserFactory, next_wednesday_at

pytestmark = pytest.mark.django_db

HOME = "/"
# The policy's default: sign-in (and the Join button) opens 15 minutes before the start.
WINDOW = dt.timedelta(minutes=15)


@pytest.fixture(autouse=True)
def _monday_morning():
    """Monday 7 December 2026, 09:00 in Shanghai: the next Wednesday is two days on."""
    with time_machine.travel(dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC), tick=False):
        yield


def home(client, user):
    response = signed_in(client, user).get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def meeting_items(html: str) -> list[str]:
    return re.findall(r'<li class="meeting-item".*?</li>', html, flags=re.S)


# -- my next meetings --------------------------------------------------------------------


def test_next_meetings_list_mine_as_organizer_and_invitee_soonest_first(client):
    me = UserFactory()
    later = BookingFactory(organizer=me, topic="Later review", start=next_wednesday_at("15:00"))
    sooner = BookingFactory(
        attendee_users=[me], topic="Sooner stand-up", start=next_wednesday_at("10:00")
    )
    BookingFactory(topic="Someone else's meeting")

    items = meeting_items(home(client, me))

    assert [("Sooner stand-up" in i, "Later review" in i) for i in items] == [
        (True, False),
        (False, True),
    ]
    assert reverse("bookings:meeting", args=[sooner.pk]) in items[0]
    assert reverse("bookings:meeting", args=[later.pk]) in items[1]


def test_next_meeting_shows_its_time_in_my_zone_its_room_and_a_countdown(client):
    me = UserFactory(time_zone="Europe/London")
    BookingFactory(organizer=me, start=next_wednesday_at("10:00"), room__name="Tencent B")

    html = home(client, me)

    # 10:00 in Shanghai is 02:00 in London in December.
    assert "02:00" in html
    assert "03:00" in html
    assert "Tencent B" in html
    assert "starts in 2 d 1 h" in html  # Monday 09:00 to Wednesday 10:00, Shanghai
    assert 'data-countdown-start="2026-12-09T02:00:00+00:00"' in html


def test_countdown_counts_hours_and_minutes_on_the_day(client):
    me = UserFactory()
    booking = BookingFactory(organizer=me)

    with time_machine.travel(booking.first_start - dt.timedelta(hours=2, minutes=5), tick=False):
        html = home(client, me)

    assert "starts in 2 h 5 min" in html


def test_join_button_appears_from_the_sign_in_window_until_the_end(client):
    organizer = UserFactory()
    booking = BookingFactory(organizer=organizer, approved=True)
    assert booking.join_url
    start, end = booking.first_start, booking.first_start + dt.timedelta(hours=1)

    def join_shown(moment) -> bool:
        with time_machine.travel(moment, tick=False):
            return 'data-testid="join"' in home(client, organizer)

    assert not join_shown(start - WINDOW - dt.timedelta(minutes=1))
    assert join_shown(start - WINDOW)
    assert join_shown(end - dt.timedelta(minutes=1))
    assert not join_shown(end)


def test_join_button_links_to_the_meeting_for_an_invitee_in_the_window(client):
    invitee = UserFactory()
    booking = BookingFactory(attendee_users=[invitee], approved=True)

    with time_machine.travel(booking.first_start - dt.timedelta(minutes=5), tick=False):
        html = home(client, invitee)

    assert f'href="{booking.join_url}"' in html
    assert "starts in 5 min" in html


def test_no_join_button_for_a_meeting_still_pending_even_in_its_window(client):
    organizer = UserFactory()
    booking = BookingFactory(organizer=organizer)

    with time_machine.travel(booking.first_start - dt.timedelta(minutes=5), tick=False):
        html = home(client, organizer)

    assert 'data-testid="join"' not in html
    assert 'class="status status-pending"' in html


def test_a_removed_invitee_no_longer_sees_the_meeting_nor_its_link(client):
    invitee = UserFactory()
    booking = BookingFactory(attendee_users=[invitee], approved=True, confidential=True)
    booking.attendees.filter(user=invitee).update(is_active=False)

    with time_machine.travel(booking.first_start - dt.timedelta(minutes=5), tick=False):
        html = home(client, invitee)

    assert booking.topic not in html
    assert booking.join_url not in html
    assert 'data-testid="home-meetings-empty"' in html


def test_without_meetings_home_offers_to_book_one(client):
    html = home(client, UserFactory())

    assert 'data-testid="home-meetings-empty"' in html
    assert f'href="{reverse("bookings:book")}"' in html
    assert "Book a meeting" in html


# -- my requests -------------------------------------------------------------------------


def test_my_requests_show_their_status(client):
    me = UserFactory()
    BookingFactory(organizer=me, topic="Waiting one")
    BookingFactory(
        organizer=me, topic="Approved one", approved=True, start=next_wednesday_at("14:00")
    )

    html = home(client, me)

    requests = html[html.index('data-testid="home-requests"') :]
    assert re.search(r"Waiting one</a>\s*<span class=\"status status-pending\">Pending", requests)
    assert re.search(
        r"Approved one</a>\s*<span class=\"status status-approved\">Approved", requests
    )


def test_a_rejected_request_shows_the_reason_and_who_decided(client):
    me = UserFactory()
    approver = UserFactory(name="Ada Approver", is_staff=True, groups=["Approvers"])
    booking = BookingFactory(organizer=me, topic="Budget talk")
    services.booking_reject(
        booking=booking, actor=approver, reason="The room is kept for the audit"
    )

    html = home(client, me)

    assert 'class="status status-rejected"' in html
    reason = re.search(r'data-testid="rejection-reason">(.*?)</p>', html, flags=re.S).group(1)
    assert "Rejected by Ada Approver: The room is kept for the audit" in " ".join(reason.split())


def test_requests_are_only_mine(client):
    BookingFactory(topic="Not mine at all")

    html = home(client, UserFactory())

    assert "Not mine at all" not in html
    assert 'data-testid="home-requests-empty"' in html


# -- notices -----------------------------------------------------------------------------


def _notice(booking, user, kind: str) -> NotificationDelivery:
    return NotificationDelivery.objects.create(
        booking=booking, kind=kind, key=f"{kind}-{booking.pk}", email=user.email, user=user
    )


def test_notices_sent_to_me_read_as_sentences_by_kind_newest_first(client):
    me = UserFactory()
    first = BookingFactory(organizer=me, topic="Plan A")
    second = BookingFactory(organizer=me, topic="Plan B", start=next_wednesday_at("14:00"))
    _notice(first, me, "approved")
    _notice(second, me, "rejected")
    _notice(first, UserFactory(), "cancelled")  # someone else's

    html = home(client, me)

    notices = re.findall(r'<li data-testid="home-notice">(.*?)</li>', html, flags=re.S)
    assert len(notices) == 2
    assert "Booking rejected: Plan B" in notices[0]
    assert reverse("bookings:meeting", args=[second.pk]) in notices[0]
    assert "Booking approved: Plan A" in notices[1]
    assert "Meeting cancelled" not in html


def test_a_notice_after_a_real_decision_is_on_my_home(
    client, eager_tasks, django_capture_on_commit_callbacks
):
    me = UserFactory()
    approver = UserFactory(is_staff=True, groups=["Approvers"])
    booking = BookingFactory(organizer=me, topic="Offsite planning")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(booking=booking, actor=approver)

    html = home(client, me)

    assert "Booking approved: Offsite planning" in html


def test_a_notice_never_reveals_a_confidential_topic_hidden_from_me(client):
    me = UserFactory()
    booking = BookingFactory(attendee_users=[me], topic="Merger with Initech", confidential=True)
    _notice(booking, me, "cancelled")
    # Removed from the meeting since: SE-5 no longer lets me read its topic.
    booking.attendees.filter(user=me).update(is_active=False)

    html = home(client, me)

    assert "Merger with Initech" not in html
    assert "Meeting cancelled: a confidential meeting" in html


def test_a_notice_names_a_confidential_topic_to_its_organizer(client):
    me = UserFactory()
    booking = BookingFactory(organizer=me, topic="Merger with Initech", confidential=True)
    _notice(booking, me, "approved")

    html = home(client, me)

    assert "Booking approved: Merger with Initech" in html


def test_without_notices_home_says_what_will_appear(client):
    html = home(client, UserFactory())

    assert 'data-testid="home-notices-empty"' in html


# -- greeting and profile prompt ----------------------------------------------------------


def test_a_new_account_is_greeted_by_its_address_and_asked_to_complete_its_profile(client):
    newcomer = UserFactory(email="zhao.lei@example.com", name="", department=None)

    html = home(client, newcomer)

    assert "Welcome, zhao.lei" in html
    assert ">none<" not in html
    assert "Department" not in html
    assert 'data-testid="profile-prompt"' in html
    assert f'href="{reverse("security:profile")}"' in html


def test_a_complete_profile_is_greeted_by_name_without_a_prompt(client):
    html = home(client, UserFactory(name="Zhao Lei"))

    assert "Welcome, Zhao Lei" in html
    assert 'data-testid="profile-prompt"' not in html


# -- bounded queries -----------------------------------------------------------------------


def _busy_user(size: int):
    me = UserFactory()
    approver = UserFactory(is_staff=True, groups=["Approvers"])
    for n in range(size):
        start = next_wednesday_at("08:00") + dt.timedelta(days=7 * (n // 6), hours=2 * (n % 6))
        booking = BookingFactory(organizer=me, start=start, with_invitee=True)
        other = BookingFactory(attendee_users=[me], start=start, confidential=True)
        if n % 2:
            services.booking_reject(booking=booking, actor=approver, reason="No")
        else:
            services.booking_approve(booking=booking, actor=approver)
        _notice(booking, me, "approved")
        _notice(other, me, "cancelled")
    return me


@pytest.mark.parametrize("size", [1, 12])
def test_home_asks_a_bounded_number_of_queries(client, django_assert_max_num_queries, size):
    me = _busy_user(size)
    signed_in(client, me)

    # BK-13: one more for my sign-ins among my next meetings (and my answers, BK-11).
    with django_assert_max_num_queries(11):
        response = client.get(HOME)

    assert response.status_code == 200
    html = response.content.decode()
    # The approved and the confidential meetings I am invited to; the rejected are gone.
    assert len(meeting_items(html)) == min(size + (size + 1) // 2, 5)
    assert len(re.findall('data-testid="home-notice"', html)) == min(2 * size, 5)


def test_before_its_window_the_join_link_is_carried_hidden_with_when_it_opens(client):
    """site.js shows it when the window opens while the page is open; the page itself
    shows no Join button before then."""
    organizer = UserFactory()
    booking = BookingFactory(organizer=organizer, approved=True)
    start = booking.first_start

    with time_machine.travel(start - WINDOW - dt.timedelta(hours=1), tick=False):
        html = home(client, organizer)

    assert 'data-testid="join"' not in html
    hidden = re.search(r'<div class="meeting-actions" hidden\s+data-join-opens="([^"]+)"', html)
    assert hidden is not None
    assert dt.datetime.fromisoformat(hidden.group(1)) == start - WINDOW
    assert 'data-testid="join-later"' in html


def test_no_hidden_join_link_for_a_meeting_still_pending(client):
    organizer = UserFactory()
    booking = BookingFactory(organizer=organizer)

    with time_machine.travel(booking.first_start - dt.timedelta(hours=2), tick=False):
        html = home(client, organizer)

    assert 'class="status status-pending"' in html  # the meeting is listed
    assert "join-later" not in html
    assert "data-join-opens" not in html


def test_an_invitation_and_a_removal_read_as_their_own_notices(client):
    me = UserFactory()
    first = BookingFactory(topic="Plan A")
    second = BookingFactory(topic="Plan B", start=next_wednesday_at("14:00"))
    for booking in (first, second):
        booking.attendees.create(user=me)
    _notice(first, me, "invitation")
    _notice(second, me, "uninvited")

    html = home(client, me)

    assert "Invitation: Plan A" in html
    assert "No longer invited: Plan B" in html
