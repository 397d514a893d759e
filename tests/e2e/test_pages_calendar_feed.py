"""BK-10 in a real browser: an employee makes their calendar feed on their profile,
sees its https and webcal:// addresses, replaces it (the old one stops), and
downloads a meeting's .ics from the meeting's Calendar section."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import pytest
from playwright.sync_api import Page, expect

from bookings import services
from security.calendar_feeds import calendar_feed_get, feed_links
from tests.factories import BookingFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_employee_makes_and_replaces_the_calendar_feed_and_downloads_a_meeting(
    page: Page, live_server, sign_in, assert_accessible
):
    user = UserFactory(language="en")
    approver = UserFactory(is_staff=True, groups=["Approvers"])
    booking = BookingFactory(organizer=user, topic="Planning")
    services.booking_approve(booking=booking, actor=approver)
    sign_in(user)

    page.goto(live_server.url + "/account/profile/")
    page.get_by_role("button", name="Make my calendar address").click()
    expect(page.get_by_role("status")).to_contain_text("new address")
    first = feed_links(calendar_feed_get(user=user))
    expect(page.get_by_test_id("calendar-feed-https")).to_have_value(first.https)
    expect(page.get_by_test_id("calendar-feed-webcal")).to_have_attribute("href", first.webcal)
    assert_accessible("the profile with its calendar feed")

    page.get_by_role("button", name="Make a new address (the old one stops working)").click()
    second = feed_links(calendar_feed_get(user=user))
    assert second.https != first.https
    expect(page.get_by_test_id("calendar-feed-https")).to_have_value(second.https)
    # The addresses name SITE_URL; the live server runs elsewhere: the same path there.
    old_path, new_path = urlsplit(first.https).path, urlsplit(second.https).path

    page.goto(f"{live_server.url}/meetings/{booking.pk}/")
    section = page.get_by_test_id("meeting-calendar")
    expect(section.get_by_role("heading", name="Calendar")).to_be_visible()
    with page.expect_download() as download:
        section.get_by_role("link", name="Download this meeting for your calendar (.ics)").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Planning"]

    feed = page.request.get(live_server.url + new_path)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert page.request.get(live_server.url + old_path).status == 404
