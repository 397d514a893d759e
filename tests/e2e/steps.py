"""Steps a person takes in the browser that more than one browser test needs: type a
slot into the booking form, find a room among its free ones, open a day of the room
calendar and click a free time in it, and sign in with JavaScript off. The fixtures
(`page`, `sign_in`, `assert_accessible`) are in conftest.py; these are plain functions
of a page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import translation
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import SIGN_IN_PATH, TIMEOUT_MS, fill_sign_in_form
from tests.factories import UserFactory

BOOK_PATH = "/book/"
MEETING_URL = re.compile(r"/meetings/(\d+)/$")
# Playwright's locale -> the Django language its Accept-Language chooses.
LANGUAGES = {"en-US": "en", "zh-CN": "zh-hans"}


def words(language: str, msgid: str, **values) -> str:
    """What the page says for `msgid` in `language`, from the compiled catalogue (the
    test never hard-codes a translation); `values` fill its %(name)s placeholders."""
    with translation.override(language):
        text = translation.gettext(msgid)
    return text % values if values else text


def plural_words(language: str, singular: str, plural: str, count: int, **values) -> str:
    with translation.override(language):
        text = translation.ngettext(singular, plural, count)
    return text % {"count": count, **values}


def room_choice(page: Page, room) -> Locator:
    """The room's radio button among the booking form's free rooms."""
    return page.locator(f"#book-rooms input[name=room][value='{room.pk}']")


def fill_when(page: Page, start: dt.datetime) -> None:
    """Types the slot's date and start into the booking form (in the user's zone, which
    is the company's for the users of these tests)."""
    page.locator("input[name=date]").fill(start.strftime("%Y-%m-%d"))
    page.locator("input[name=date]").dispatch_event("change")
    page.locator("input[name=start]").fill(start.strftime("%H:%M"))
    page.locator("input[name=start]").dispatch_event("change")


def booking_id_of(page: Page) -> int:
    """The booking whose page is shown (waits until the browser is on one)."""
    expect(page).to_have_url(MEETING_URL)
    return int(MEETING_URL.search(page.url).group(1))


def wait_for_day_calendar(page: Page) -> None:
    """The day's EventCalendar is drawn (its events are in)."""
    expect(page.locator(".calendar-box .ec-event").first).to_be_visible()


def open_day_calendar(page: Page, date: str) -> None:
    page.goto(f"/calendar/?date={date}")
    wait_for_day_calendar(page)


def click_free_time(page: Page, room_name: str, hhmm: str) -> None:
    """Clicks the day calendar where `room_name`'s lane meets the `hhmm` column of the
    time header (the widget opens the booking form for the free time there)."""
    box = page.locator(".calendar-box")
    heads = box.locator(".ec-body .ec-sidebar .ec-row-head")
    names = [name.strip() for name in heads.all_inner_texts()]
    assert room_name in names, f"{room_name} is not a lane of the day: {names}"
    lane = box.locator(".ec-body .ec-grid .ec-day").nth(names.index(room_name))
    column = box.locator(".ec-header .ec-slot", has_text=re.compile(rf"^\s*{hhmm}\s*$")).first
    # A mouse click lands only inside the viewport: bring the column (the timeline
    # scrolls inside its box) and the lane (below the fold of a long page) into view.
    column.scroll_into_view_if_needed()
    lane.scroll_into_view_if_needed()
    at, lane = column.bounding_box(), lane.bounding_box()
    page.mouse.click(at["x"] + 5, lane["y"] + lane["height"] / 2)


@contextmanager
def signed_in_without_javascript(
    browser: Browser, base_url: str, user, *, locale: str = "en-US"
) -> Iterator[Page]:
    """A browser context with JavaScript off, signed in as `user` through the form."""
    context = browser.new_context(java_script_enabled=False, locale=locale, base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(SIGN_IN_PATH)
        fill_sign_in_form(page, email=user.email, password=UserFactory.PASSWORD)
        expect(page).not_to_have_url(re.compile(re.escape(SIGN_IN_PATH)))
        yield page
    finally:
        context.close()
