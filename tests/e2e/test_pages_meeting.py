"""BK-5 to BK-7 in a real browser: an organizer changes an approved meeting's time and
reads that the old slot stays held; cancels one meeting of a series; the meeting page
and My meetings pass axe in English and Chinese, at desktop and phone widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from bookings.models import BookingChange, Occurrence
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import BookingFactory, RoomFactory, UserFactory

# The live server needs a transactional database; the role groups the migrations made
# are restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

S = Occurrence.Status


def _meeting(organizer, **extra):
    room = RoomFactory(name="Tencent A", capacity=20, allows_external_guests=True)
    return BookingFactory(
        organizer=organizer,
        room=room,
        topic="Quarterly review",
        # A superuser approves: no role group needed, which a transactional test's flush
        # may have emptied when other database tests ran first in the session.
        approved_by=UserFactory(name="Ada Approver", is_staff=True, is_superuser=True),
        attendee_users=[UserFactory(name="Ivan Invitee")],
        attendee_emails=["gina@partner.example"],
        **extra,
    )


def test_organizer_changes_the_time_and_sees_the_old_slot_held(page: Page, sign_in):
    organizer = UserFactory(name="Olga Organizer")
    booking = _meeting(organizer)
    old = booking.occurrences.get()
    sign_in(organizer)

    page.goto(f"/meetings/{booking.pk}/")
    page.get_by_role("link", name="Change the meeting").click()
    expect(page.get_by_test_id("held-slot-before")).to_contain_text(
        "Until it is decided, your meeting keeps its current slot"
    )
    page.get_by_label("Starts at").fill("14:00")
    page.get_by_label("Ends at").fill("15:00")
    page.get_by_role("button", name="Save the change").click()

    expect(page).to_have_url(re.compile(rf"/meetings/{booking.pk}/$"))
    expect(page.get_by_role("status")).to_contain_text("Your change waits for an approver.")
    held = page.get_by_test_id("held-slot")
    expect(held).to_contain_text("your meeting keeps its current slot")
    expect(held).to_contain_text("10:00")
    expect(page.get_by_test_id("pending-change")).to_contain_text("14:00")
    assert BookingChange.objects.get(booking=booking).status == BookingChange.Status.PENDING
    old.refresh_from_db()
    assert old.status == S.APPROVED


def test_organizer_cancels_one_meeting_of_a_series(page: Page, sign_in):
    organizer = UserFactory()
    series = _meeting(organizer, series=True)
    second = series.occurrences.order_by("start")[1]
    sign_in(organizer)

    page.goto(f"/meetings/{series.pk}/")
    rows = page.get_by_test_id("meeting-row")
    expect(rows).to_have_count(4)
    rows.nth(1).get_by_role("link", name="Cancel this meeting").click()
    expect(page.get_by_test_id("cancel-what")).to_contain_text("the others of the series stay")
    page.get_by_label("Reason").fill("Public holiday")
    page.get_by_role("button", name="Cancel this meeting").click()

    expect(page.get_by_role("status")).to_contain_text("This meeting of the series is cancelled.")
    expect(rows.nth(1)).to_contain_text("Cancelled")
    expect(rows.nth(0)).to_contain_text("Approved")
    second.refresh_from_db()
    assert second.status == S.CANCELLED
    assert series.occurrences.filter(status=S.APPROVED).count() == 3


@pytest.mark.parametrize(
    ("page_locale", "language", "tag"), [("en-US", "en", "en"), ("zh-CN", "zh-hans", "zh")]
)
def test_the_meeting_page_and_my_meetings_pass_axe(
    page: Page, sign_in, assert_accessible, page_locale, language, tag
):
    organizer = UserFactory(language=language)
    booking = _meeting(organizer, series=True)
    sign_in(organizer)

    page.set_viewport_size(DESKTOP)
    page.goto(f"/meetings/{booking.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_test_id("history-entry").first).to_be_visible()
    assert_accessible(f"the meeting page ({tag})")
    screenshot(page, f"meeting-{tag}-desktop")
    if tag == "en":
        page.set_viewport_size(PHONE)
        assert_accessible("the meeting page (en, phone)")
        screenshot(page, "meeting-en-phone")
        page.set_viewport_size(DESKTOP)
        page.get_by_role("link", name="Change the meeting").click()
        assert_accessible("the change page (en)")

    page.goto("/meetings/")
    expect(page.get_by_test_id("mine-item")).to_have_count(1)
    page.get_by_test_id("series-meetings").locator("summary").click()
    assert_accessible(f"My meetings ({tag})")
    screenshot(page, f"mine-{tag}-desktop")
