"""Book a meeting in a real browser (BK-1, BK-8, BK-9): the free rooms follow what is
typed, a weekly series shows its conflict before it is sent, the whole booking works
from the keyboard alone, and axe finds nothing serious on the form, with its errors
shown too. Screenshots: book-en-desktop, book-zh-desktop, book-en-phone.

Chinese pages are checked by their `<html lang>` and by names and test ids, not by
translated words: the catalogue is compiled after these tests are written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from bookings.models import Attendee, Booking
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.steps import (
    BOOK_PATH,
    MEETING_URL,
    fill_when,
    room_choice,
    signed_in_without_javascript,
)
from tests.factories import BookingFactory, RoomFactory, UserFactory, next_wednesday_at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def rooms(db):
    """A small room, a large room that admits guests, and a room taken on Wednesday at
    10:00."""
    wednesday = next_wednesday_at("10:00")
    taken = RoomFactory(name="Room taken", capacity=30)
    BookingFactory(room=taken, start=wednesday, end=wednesday + dt.timedelta(hours=1))
    return {
        "small": RoomFactory(name="Huddle", capacity=4),
        "large": RoomFactory(name="Auditorium", capacity=40, allows_external_guests=True),
        "taken": taken,
        "wednesday": wednesday,
    }


def _book_a_single_meeting(page: Page, rooms: dict, *, shot: str) -> Booking:
    page.goto(BOOK_PATH)
    expect(page.locator("input[name=topic]")).to_be_focused()
    page.locator("input[name=topic]").fill("Budget 2027")
    fill_when(page, rooms["wednesday"])
    # The room list follows the slot: the taken room leaves it.
    expect(room_choice(page, rooms["taken"])).to_have_count(0)
    expect(room_choice(page, rooms["small"])).to_have_count(1)
    # ... and the headcount: the small room leaves it too.
    page.locator("input[name=expected_headcount]").fill("8")
    expect(room_choice(page, rooms["small"])).to_have_count(0)
    expect(room_choice(page, rooms["large"])).to_be_visible()
    # A feature filter.
    page.locator("input[name=need_external_guests]").check()
    expect(page.locator("#book-rooms input[name=room]")).to_have_count(1)
    room_choice(page, rooms["large"]).check()
    page.locator("textarea[name=attendees]").fill("guest@partner.example")
    page.set_viewport_size(DESKTOP)
    screenshot(page, shot)
    page.get_by_test_id("book-submit").click()
    expect(page).to_have_url(MEETING_URL)
    booking_id = int(MEETING_URL.search(page.url).group(1))
    return Booking.objects.get(pk=booking_id)


def test_employee_books_a_meeting_with_live_free_rooms_in_english(
    page: Page, sign_in, rooms, assert_accessible
):
    user = UserFactory(language="en")
    sign_in(user)
    booking = _book_a_single_meeting(page, rooms, shot="book-en-desktop")
    assert booking.organizer == user
    assert booking.room == rooms["large"]
    assert booking.expected_headcount == 8
    assert booking.occurrences.get().start == rooms["wednesday"]
    assert list(Attendee.objects.values_list("email", flat=True)) == ["guest@partner.example"]
    expect(page.get_by_role("status")).to_contain_text("pending")


@pytest.mark.parametrize("page_locale", ["zh-CN"])
def test_employee_books_a_meeting_in_chinese(page: Page, sign_in, rooms):
    user = UserFactory()
    sign_in(user)
    page.goto(BOOK_PATH)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    booking = _book_a_single_meeting(page, rooms, shot="book-zh-desktop")
    assert booking.room == rooms["large"]
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_the_form_fits_a_phone(page: Page, sign_in, rooms, assert_accessible):
    sign_in(UserFactory(language="en"))
    page.set_viewport_size(PHONE)
    page.goto(BOOK_PATH)
    expect(page.get_by_test_id("book-submit")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert_accessible("the booking form at phone width")
    screenshot(page, "book-en-phone")


def test_weekly_series_shows_its_conflict_before_it_is_sent_and_books_the_free_ones(
    page: Page, sign_in, rooms
):
    room, wednesday = rooms["large"], rooms["wednesday"]
    week_two = wednesday + dt.timedelta(days=7)
    BookingFactory(room=room, start=week_two, end=week_two + dt.timedelta(hours=1))
    user = UserFactory(language="en")
    sign_in(user)
    page.goto(BOOK_PATH)
    page.locator("input[name=topic]").fill("Weekly sync")
    fill_when(page, wednesday)
    room_choice(page, room).check()
    page.locator("select[name=repeat]").select_option("weekly")
    page.locator("input[name=repeat_count]").fill("3")
    page.locator("input[name=repeat_count]").dispatch_event("change")

    rows = page.get_by_test_id("preview-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_attribute("data-state", "free")
    expect(rows.nth(1)).to_have_attribute("data-state", "taken")
    expect(rows.nth(1)).to_contain_text("Taken")
    expect(rows.nth(1)).to_contain_text("is already booked")
    expect(rows.nth(2)).to_have_attribute("data-state", "free")
    expect(page.get_by_test_id("series-preview")).to_contain_text("1 of 3 meetings")

    page.locator("input[name=skip_unavailable]").check()
    page.get_by_test_id("book-submit").click()
    expect(page).to_have_url(MEETING_URL)
    booking = Booking.objects.get(organizer=user)
    starts = sorted(o.start for o in booking.occurrences.all())
    assert starts == [wednesday, wednesday + dt.timedelta(days=14)]


def _tab_to(page: Page, selector: str, *, limit: int = 120) -> None:
    """Presses Tab until the element matching `selector` has the focus."""
    for _press in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_a_booking_made_with_the_keyboard_alone(page: Page, sign_in, rooms):
    colleague = UserFactory(name="Li Na", email="li.na@example.com")
    user = UserFactory(language="en")
    sign_in(user)
    page.goto(BOOK_PATH)
    # The topic has the focus: type, then Tab on through the form.
    page.keyboard.type("Keyboard review")
    _tab_to(page, "input[name=expected_headcount]")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    _tab_to(page, "#people-q")
    page.keyboard.type("Li Na")
    expect(page.locator("#people-options option")).to_have_count(1)
    page.keyboard.press("Enter")  # adds the person; does not send the form
    expect(page.locator("textarea[name=attendees]")).to_have_value("Li Na <li.na@example.com>")
    expect(page).to_have_url(re.compile(re.escape(BOOK_PATH) + "$"))
    _tab_to(page, "input[name=confidential]")
    page.keyboard.press("Space")
    expect(page.locator("input[name=confidential]")).to_be_checked()
    _tab_to(page, "[data-testid=book-submit]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(MEETING_URL)
    booking = Booking.objects.get(organizer=user)
    assert booking.topic == "Keyboard review"
    assert booking.confidential
    assert [a.user for a in booking.attendees.all()] == [colleague]


def test_axe_passes_on_the_form_and_on_its_errors(page: Page, sign_in, rooms, assert_accessible):
    sign_in(UserFactory(language="en"))
    page.set_viewport_size(DESKTOP)
    page.goto(BOOK_PATH)
    page.locator("select[name=repeat]").select_option("weekly")
    expect(page.get_by_test_id("series-preview")).to_be_visible()
    assert_accessible("the booking form")

    # External guests in a room that does not admit them: refused at the attendees.
    page.locator("input[name=topic]").fill("Partner call")
    page.locator("select[name=repeat]").select_option("none")
    fill_when(page, rooms["wednesday"])
    room_choice(page, rooms["small"]).check()
    page.locator("textarea[name=attendees]").fill("guest@partner.example")
    page.get_by_test_id("book-submit").click()

    error = page.locator("#id_attendees_error")
    expect(error).to_contain_text("does not admit external guests")
    expect(page.locator("textarea[name=attendees]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("textarea[name=attendees]")).to_have_value("guest@partner.example")
    expect(page.locator("input[name=topic]")).to_have_value("Partner call")
    assert not Booking.objects.filter(topic="Partner call").exists()
    assert_accessible("the booking form with a refusal shown")


def test_the_whole_flow_works_without_javascript(browser, live_server, rooms):
    """No script runs: "Find rooms" re-renders the page with the rooms free for what was
    typed, and the request is a plain POST."""
    user = UserFactory(language="en")
    with signed_in_without_javascript(browser, live_server.url, user) as page:
        page.goto(BOOK_PATH)
        expect(page.locator("[data-people-search]")).to_be_hidden()
        expect(page.locator("input[name=end]")).to_be_visible()
        page.locator("input[name=topic]").fill("Offline planning")
        page.locator("input[name=date]").fill(rooms["wednesday"].strftime("%Y-%m-%d"))
        page.locator("input[name=start]").fill("10:00")
        page.locator("input[name=expected_headcount]").fill("8")
        page.get_by_test_id("find-rooms").click()

        expect(page.locator("input[name=topic]")).to_have_value("Offline planning")
        expect(room_choice(page, rooms["small"])).to_have_count(0)
        expect(room_choice(page, rooms["taken"])).to_have_count(0)
        room_choice(page, rooms["large"]).check()
        page.get_by_test_id("book-submit").click()

        expect(page).to_have_url(MEETING_URL)
        booking = Booking.objects.get(organizer=user)
        assert booking.room == rooms["large"]
        assert booking.occurrences.get().start == rooms["wednesday"]
