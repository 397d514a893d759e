"""BK-13 in a real browser: an invitee signs in from the meeting page and the organizer
reads it in the attendance list; an external guest signs in from the reminder's link
with no account and JavaScript off; the pages pass axe, and a bad link is a 404 page in
the site's look."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from bookings import links
from bookings.models import Booking, Occurrence, Participant
from tests.e2e.conftest import TIMEOUT_MS, screenshot
from tests.factories import BookingFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _meeting_under_way_soon(organizer, invitee) -> Booking:
    """An approved meeting moved to start five minutes from now (the sign-in window,
    fifteen minutes before the start by the default policy, is open)."""
    booking = BookingFactory(
        organizer=organizer,
        room=RoomFactory(name="Jitsi B", capacity=20, allows_external_guests=True),
        topic="Quarterly review",
        approved_by=UserFactory(is_staff=True, is_superuser=True),
        attendee_users=[invitee],
        attendee_emails=["gina@partner.example"],
    )
    start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
    Occurrence.objects.filter(booking=booking).update(
        start=start, end=start + dt.timedelta(hours=1), occupied_from=start
    )
    Booking.objects.filter(pk=booking.pk).update(first_start=start)
    return booking


def test_an_invitee_signs_in_from_the_meeting_page_and_the_organizer_sees_it(
    page: Page, browser: Browser, live_server, sign_in, assert_accessible
):
    organizer = UserFactory(name="Olga Organizer")
    invitee = UserFactory(name="Ivan Invitee")
    booking = _meeting_under_way_soon(organizer, invitee)
    sign_in(invitee)

    page.goto(f"/meetings/{booking.pk}/")
    section = page.get_by_test_id("sign-in-section")
    expect(section).to_contain_text("The sign-in is open until the meeting ends.")
    assert_accessible("the meeting page with its sign-in open")
    section.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("status")).to_contain_text("You are signed in")
    expect(page.get_by_test_id("signed-in")).to_contain_text("You signed in at")
    expect(section.get_by_role("button", name="Sign in")).to_have_count(0)
    row = Participant.objects.get(booking=booking, user=invitee)
    assert row.sign_in_via == "page"

    context = browser.new_context(locale="en-US", base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        other = context.new_page()
        other.goto("/accounts/login/")
        other.locator("input[name=login]").fill(organizer.email)
        other.locator("input[name=password]").fill(UserFactory.PASSWORD)
        other.locator("form:has(input[name=password]) button[type=submit]").click()
        other.wait_for_url(lambda url: "/accounts/login/" not in url)
        other.goto(f"/meetings/{booking.pk}/")
        rows = other.get_by_test_id("attendance-row")
        expect(rows).to_have_count(3)
        expect(rows.nth(1)).to_contain_text("Ivan Invitee")
        expect(rows.nth(1)).to_contain_text(timezone.localtime(row.signed_in_at).strftime("%H:%M"))
        expect(rows.nth(0)).to_contain_text("not signed in")
    finally:
        context.close()


def test_a_guest_signs_in_from_the_reminders_link_without_an_account_or_javascript(
    browser: Browser, live_server, page: Page, assert_accessible
):
    booking = _meeting_under_way_soon(UserFactory(), UserFactory())
    guest = Participant.objects.get(booking=booking, email="gina@partner.example")
    path = links.sign_in_url(guest).removeprefix(links.absolute(""))

    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly review")
    expect(page.get_by_text("Signing in as gina@partner.example.")).to_be_visible()
    assert_accessible("the reminder's sign-in link")
    screenshot(page, "sign-in-link-en-desktop")
    chinese = browser.new_context(locale="zh-CN", base_url=live_server.url)
    try:
        zh = chinese.new_page()
        zh.goto(path)
        expect(zh.get_by_role("button", name="签到")).to_be_visible()
        screenshot(zh, "sign-in-link-zh-desktop")
    finally:
        chinese.close()

    context = browser.new_context(
        java_script_enabled=False, locale="en-US", base_url=live_server.url
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        plain = context.new_page()
        plain.goto(path)
        plain.get_by_role("button", name="Sign in").click()
        expect(plain.get_by_test_id("signed-in")).to_contain_text("You signed in at")
    finally:
        context.close()
    guest.refresh_from_db()
    assert guest.sign_in_via == "link"


def test_a_link_that_is_not_valid_is_a_404_page_in_the_sites_look(page: Page, assert_accessible):
    response = page.goto("/sign-in/not-a-real-token/")
    assert response.status == 404
    expect(page.get_by_test_id("error-page")).to_contain_text("This link is not valid")
    assert_accessible("a sign-in link that is not valid")
