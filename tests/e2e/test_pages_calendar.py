"""BK-9 in a real browser: the day of rooms x hours drawn by EventCalendar, a click on a
free time opening the booking form filled in, my meetings highlighted and others'
confidential ones only "busy"; axe on the three calendars in English and Chinese, and
the day at phone width.

Chinese pages are checked by `<html lang>`, not by translated words: the catalogue is
compiled when the translations are merged."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.steps import click_free_time, open_day_calendar, signed_in_without_javascript
from tests.factories import BookingFactory, RoomFactory, UserFactory, next_wednesday_at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def day_of_rooms():
    """Three rooms on next Wednesday: my meeting at 10:00 in the first, another's
    confidential one at 14:00 in the second, the third free all day."""
    me = UserFactory(name="Mei Lin", time_zone="Asia/Shanghai")
    other = UserFactory(name="Owen Other")
    first = RoomFactory(name="Alpha", capacity=8)
    second = RoomFactory(name="Beta", capacity=12, supports_recording=True)
    third = RoomFactory(name="Gamma", capacity=30)
    wednesday = next_wednesday_at("10:00")
    mine = BookingFactory(organizer=me, room=first, topic="Design review", start=wednesday)
    BookingFactory(
        organizer=other,
        room=second,
        topic="Secret merger",
        confidential=True,
        start=next_wednesday_at("14:00"),
    )
    return {
        "me": me,
        "mine": mine,
        "rooms": (first, second, third),
        "date": wednesday.date().isoformat(),
    }


def test_the_day_draws_rooms_as_resources_with_my_meeting_and_anothers_busy_slot(
    page: Page, sign_in, assert_accessible, day_of_rooms
):
    page.set_viewport_size(DESKTOP)
    sign_in(day_of_rooms["me"])
    open_day_calendar(page, day_of_rooms["date"])

    box = page.locator(".calendar-box")
    for name in ("Alpha", "Beta", "Gamma"):
        expect(box.get_by_text(name, exact=True)).to_be_visible()
    mine = box.locator(".ec-event.mo-mine")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("My meeting: Design review")
    busy = box.locator(".ec-event.mo-busy")
    expect(busy).to_have_count(1)
    expect(busy).to_contain_text("Busy")
    expect(page.locator("body")).not_to_contain_text("Secret merger")
    expect(page.locator("body")).not_to_contain_text("Owen Other")
    assert_accessible("the day calendar (en)")
    screenshot(page, "calendar-en-desktop")

    # My meeting opens its page.
    mine.click()
    expect(page).to_have_url(re.compile(rf"/meetings/{day_of_rooms['mine'].pk}/$"))


def test_a_click_on_a_free_time_opens_the_booking_form_filled_in(page: Page, sign_in, day_of_rooms):
    page.set_viewport_size(DESKTOP)
    sign_in(day_of_rooms["me"])
    open_day_calendar(page, day_of_rooms["date"])
    gamma = day_of_rooms["rooms"][2]

    # Where Gamma's lane meets the 15:00 column of the time header.
    click_free_time(page, "Gamma", "15:00")

    expect(page).to_have_url(re.compile(r"/book/\?"))
    query = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert query == {
        "room": str(gamma.pk),
        "date": day_of_rooms["date"],
        "start": "15:00",
        "end": "16:00",
    }


def test_the_table_without_javascript_books_from_a_free_slot_link(
    browser, live_server, day_of_rooms
):
    """The same day with JavaScript off: the table's link opens the form filled in."""
    with signed_in_without_javascript(browser, live_server.url, day_of_rooms["me"]) as page:
        page.goto(f"/calendar/?date={day_of_rooms['date']}")
        expect(page.locator("[data-calendar]")).to_be_hidden()
        alpha = page.locator("tr", has=page.get_by_role("rowheader", name="Alpha"))
        expect(alpha).to_contain_text("My meeting: Design review")
        alpha.get_by_role("link", name=re.compile(r"^Book 11:00")).click()
        query = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
        assert query["start"] == "11:00"
        assert query["date"] == day_of_rooms["date"]


def test_the_filters_redraw_the_day_in_place(page: Page, sign_in, day_of_rooms):
    page.set_viewport_size(DESKTOP)
    sign_in(day_of_rooms["me"])
    open_day_calendar(page, day_of_rooms["date"])

    page.get_by_label("Recording").check()
    box = page.locator(".calendar-box")
    expect(box.get_by_text("Alpha", exact=True)).to_have_count(0)
    expect(box.get_by_text("Beta", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"features=recording"))
    expect(page.locator("[data-testid=calendar-table] tbody tr")).to_have_count(1)


def test_the_day_draws_from_the_json_in_its_page_without_asking_the_events_route(
    page: Page, sign_in, day_of_rooms
):
    """The first load is one request (the page carries the drawing's JSON), and the
    filters' results carry theirs too."""
    page.set_viewport_size(DESKTOP)
    sign_in(day_of_rooms["me"])
    asked: list[str] = []
    page.on("request", lambda request: asked.append(urlsplit(request.url).path))
    open_day_calendar(page, day_of_rooms["date"])
    expect(page.locator(".calendar-box .ec-event.mo-mine")).to_have_count(1)

    page.get_by_label("Recording").check()
    expect(page.locator(".calendar-box").get_by_text("Alpha", exact=True)).to_have_count(0)
    expect(page.locator(".calendar-box .ec-event.mo-busy")).to_have_count(1)
    assert "/calendar/events/" not in asked
    assert asked.count("/calendar/") == 2  # the page, then the filters' results


def test_a_day_of_many_rooms_pages_its_table_and_draws_every_room(
    page: Page, sign_in, assert_accessible, day_of_rooms
):
    for n in range(27):
        RoomFactory(name=f"Room {n:02d}", capacity=4)
    page.set_viewport_size(DESKTOP)
    sign_in(day_of_rooms["me"])
    open_day_calendar(page, day_of_rooms["date"])

    rows = page.locator("[data-testid=calendar-table] tbody tr")
    expect(rows).to_have_count(25)
    expect(page.locator(".calendar-box").get_by_text("Room 26", exact=True)).to_have_count(1)
    pages = page.get_by_role("navigation", name="Pages of the rooms table")
    expect(pages).to_contain_text("Rooms 1–25 of 30")
    assert_accessible("the day calendar's paged table (en)")

    pages.get_by_role("link", name="Next rooms").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"rooms=2"))
    expect(rows).to_have_count(5)
    expect(page.get_by_role("navigation", name="Pages of the rooms table")).to_contain_text(
        "Rooms 26–30 of 30"
    )


@pytest.mark.parametrize("page_locale", ["zh-CN"])
def test_the_three_calendars_pass_axe_in_chinese(
    page: Page, sign_in, assert_accessible, day_of_rooms
):
    page.set_viewport_size(DESKTOP)
    sign_in(day_of_rooms["me"])
    open_day_calendar(page, day_of_rooms["date"])
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert_accessible("the day calendar (zh)")
    screenshot(page, "calendar-zh-desktop")

    room = day_of_rooms["rooms"][0]
    page.goto(f"/calendar/rooms/{room.pk}/?week={day_of_rooms['date']}")
    expect(page.locator(".calendar-box .ec-event.mo-mine")).to_be_visible()
    assert_accessible("a room's week (zh)")

    page.goto(f"/calendar/mine/?week={day_of_rooms['date']}")
    expect(page.locator(".calendar-box .ec-event.mo-mine")).to_be_visible()
    assert_accessible("my week (zh)")


def test_a_rooms_week_and_my_week_pass_axe_in_english(
    page: Page, sign_in, assert_accessible, day_of_rooms
):
    page.set_viewport_size(DESKTOP)
    sign_in(day_of_rooms["me"])
    room = day_of_rooms["rooms"][0]
    page.goto(f"/calendar/rooms/{room.pk}/?week={day_of_rooms['date']}")
    mine = page.locator(".calendar-box .ec-event.mo-mine")
    expect(mine).to_contain_text("My meeting: Design review")
    assert_accessible("a room's week (en)")
    screenshot(page, "calendar-room-en-desktop")

    page.goto(f"/calendar/mine/?week={day_of_rooms['date']}")
    mine = page.locator(".calendar-box .ec-event.mo-mine")
    expect(mine).to_contain_text("Alpha")
    assert_accessible("my week (en)")
    screenshot(page, "calendar-mine-en-desktop")

    # From the keyboard: my meeting is a link in the drawing too.
    mine.get_by_role("link").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/meetings/{day_of_rooms['mine'].pk}/$"))


def test_at_phone_width_the_calendar_scrolls_in_its_own_box_not_the_page(
    page: Page, sign_in, assert_accessible, day_of_rooms
):
    page.set_viewport_size(PHONE)
    sign_in(day_of_rooms["me"])
    open_day_calendar(page, day_of_rooms["date"])

    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"], f"the page scrolls sideways: {page_width}px"
    box_scrolls = page.evaluate(
        "(() => { const b = document.querySelector('.calendar-box');"
        " return b.scrollWidth > b.clientWidth; })()"
    )
    assert box_scrolls, "the calendar should scroll inside its own box"
    assert_accessible("the day calendar at 390 px")
    screenshot(page, "calendar-en-phone")

    # A room's week at the same width: the week scrolls in its box too.
    page.goto(f"/calendar/rooms/{day_of_rooms['rooms'][0].pk}/?week={day_of_rooms['date']}")
    expect(page.locator(".calendar-box .ec-event.mo-mine")).to_be_visible()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"], f"the week scrolls the page sideways: {page_width}px"
    screenshot(page, "calendar-room-en-phone")


def test_the_day_is_in_the_users_zone_not_the_browsers(page: Page, sign_in, day_of_rooms):
    """A viewer in Berlin sees the 10:00 Shanghai meeting at 03:00, whatever the
    browser's zone (Playwright's is the machine's)."""
    me = day_of_rooms["me"]
    me.time_zone = "Europe/Berlin"
    me.save(update_fields=["time_zone"])
    page.set_viewport_size(DESKTOP)
    sign_in(me)
    start = day_of_rooms["mine"].occurrences.get().start.astimezone(ZoneInfo("Europe/Berlin"))
    open_day_calendar(page, start.date().isoformat())
    expect(page.locator(".calendar-box .ec-event.mo-mine")).to_contain_text(start.strftime("%H:%M"))
