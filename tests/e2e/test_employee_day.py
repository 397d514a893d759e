"""An employee's day in a real browser, through the pages only (issue 9's walk), once in
English and once in Chinese: sign in; book a free time found in the room calendar; book
a weekly series whose preview shows the week another person holds, and book only the
free ones; an approver approves the series in admin's pending queue; the employee moves
the approved series to another room and reads that the old slots stay held (the calendar
still shows them as theirs); then cancels one meeting of the series with a reason.

Services are called only to set the world up (people, rooms, the usage policy, the
other person's meetings). The words asserted are the catalogue's, read with the same
msgids the pages use (`steps.words`), so the Chinese run checks real Chinese text
without this file holding a translation. Screenshots: walk-calendar-*, walk-preview-*,
walk-held-* (desktop)."""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from bookings.models import Booking, BookingChange, Occurrence
from security import roles
from tests.e2e.conftest import (
    DESKTOP,
    SIGN_IN_PATH,
    TIMEOUT_MS,
    axe_summary,
    axe_violations,
    fill_sign_in_form,
    screenshot,
)
from tests.e2e.steps import (
    LANGUAGES,
    booking_id_of,
    click_free_time,
    fill_when,
    plural_words,
    room_choice,
    signed_in_without_javascript,
    wait_for_day_calendar,
    words,
)
from tests.factories import (
    BookingFactory,
    RoomFactory,
    UsagePolicyFactory,
    UserFactory,
    next_wednesday_at,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

S = Occurrence.Status
QUEUE = "/admin/bookings/booking/"
PENDING_QUEUE = QUEUE + "?status__exact=pending"
LOCALES = pytest.mark.parametrize("page_locale", ["en-US", "zh-CN"], ids=["en", "zh"])


@pytest.fixture
def language(page_locale: str) -> str:
    return LANGUAGES[page_locale]


@pytest.fixture
def tag(page_locale: str) -> str:
    return page_locale[:2]


@pytest.fixture
def world():
    """Next Wednesday (day D): Alpha is held at 15:00 by Owen, and on D+7 at 11:00 (the
    week the employee's series will find taken); Beta is free all day. The policy asks
    an approver for every request. Everyone's language is the browser's."""
    UsagePolicyFactory(auto_approve=False, horizon_days=90)
    day = next_wednesday_at("11:00")
    alpha = RoomFactory(name="Alpha", capacity=10)
    beta = RoomFactory(name="Beta", capacity=10)
    owen = UserFactory(name="Owen Other", language="")
    approver = UserFactory(
        name="Ada Approver", is_staff=True, groups=[roles.APPROVERS], language=""
    )
    at_15 = next_wednesday_at("15:00")
    BookingFactory(
        organizer=owen, room=alpha, topic="Supplier call", start=at_15, approved_by=approver
    )
    week_two = day + dt.timedelta(days=7)
    theirs = BookingFactory(
        organizer=owen, room=alpha, topic="Owen's planning", start=week_two, approved_by=approver
    )
    return {
        "employee": UserFactory(name="Mei Lin", language=""),
        "approver": approver,
        "alpha": alpha,
        "beta": beta,
        "day": day,
        "date": day.date().isoformat(),
        "theirs": theirs,
    }


def _nav(page: Page, language: str, place: str) -> None:
    """Clicks one of the header's main places ("Book", "Calendar", "My meetings")."""
    main = page.get_by_role("navigation", name=words(language, "Main"))
    main.get_by_role("link", name=words(language, place), exact=True).click()


def _calendar_day(page: Page, language: str, date: str) -> None:
    """From any page: the header's Calendar, then the day typed into its filters."""
    _nav(page, language, "Calendar")
    expect(page).to_have_url(re.compile(r"/calendar/"))
    page.get_by_label(words(language, "Date"), exact=True).fill(date)
    page.get_by_role("button", name=words(language, "Show rooms")).click()
    expect(page.locator("#calendar-day-title time")).to_have_attribute("datetime", date)
    wait_for_day_calendar(page)


def _header_status(page: Page, language: str, label: str) -> None:
    badge = page.locator(".meeting-header .meeting-status .status").first
    expect(badge).to_have_text(words(language, label))


def _message(page: Page):
    return page.locator(".messages[role=status]")


def _approver_page(browser: Browser, base_url: str, locale: str) -> Page:
    """A second browser context (its own cookies) for the approver."""
    context = browser.new_context(locale=locale, base_url=base_url, viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _axe(page: Page, where: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe on {where}:\n{axe_summary(found)}"


@LOCALES
def test_an_employees_day(
    page: Page,
    browser: Browser,
    live_server,
    sign_in,
    assert_accessible,
    world,
    language,
    tag,
    page_locale,
):
    w = world
    employee, alpha, beta, day = w["employee"], w["alpha"], w["beta"], w["day"]
    page.set_viewport_size(DESKTOP)

    # 1. Sign in through the form.
    page.goto(SIGN_IN_PATH)
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(f"the sign-in page ({tag})")
    sign_in(employee)
    expect(page.get_by_test_id("user-name")).to_have_text("Mei Lin")
    assert_accessible(f"home ({tag})")

    # 2. The calendar: Alpha is taken at 15:00, Beta is free; a click on Beta at 15:00.
    _calendar_day(page, language, w["date"])
    box = page.locator(".calendar-box")
    expect(box.locator(".ec-event", has_text="Supplier call")).to_be_visible()
    assert_accessible(f"the day calendar ({tag})")
    screenshot(page, f"walk-calendar-{tag}")
    click_free_time(page, "Beta", "15:00")

    expect(page).to_have_url(re.compile(r"/book/\?"))
    expect(page.locator("input[name=date]")).to_have_value(w["date"])
    expect(page.locator("input[name=start]")).to_have_value("15:00")
    expect(room_choice(page, beta)).to_be_checked()
    assert_accessible(f"the booking form filled in from the calendar ({tag})")
    page.get_by_label(words(language, "Topic"), exact=True).fill("Budget review")
    page.get_by_test_id("book-submit").click()

    single_id = booking_id_of(page)
    _header_status(page, language, "Pending")
    expect(_message(page)).to_contain_text(
        plural_words(
            language,
            "Your request is pending: an approver reviews it, and you are told by email "
            "when they decide.",
            "Your request for %(count)d meetings is pending: an approver reviews it, and you "
            "are told by email when they decide.",
            1,
        )
    )
    expect(page.locator("h1")).to_have_text("Budget review")
    assert_accessible(f"the meeting page, pending ({tag})")

    # 3. A weekly series in Alpha at 11:00, four times: the second week is Owen's.
    _nav(page, language, "Book")
    page.get_by_label(words(language, "Topic"), exact=True).fill("Weekly sync")
    fill_when(page, day)
    room_choice(page, alpha).check()
    page.get_by_label(words(language, "Repeat"), exact=True).select_option("weekly")
    count = page.get_by_label(words(language, "Number of meetings"), exact=True)
    count.fill("4")
    count.dispatch_event("change")

    rows = page.get_by_test_id("preview-row")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_have_attribute("data-state", "taken")
    expect(rows.nth(1)).to_contain_text(words(language, "Taken"))
    expect(rows.nth(1)).to_contain_text(
        words(
            language,
            "%(room)s is already booked from %(start)s to %(end)s on %(day)s.",
            room="Alpha",
            start="11:00",
            end="12:00",
            day=(day + dt.timedelta(days=7)).strftime("%Y-%m-%d"),
        )
    )
    for free in (0, 2, 3):
        expect(rows.nth(free)).to_contain_text(words(language, "Free"))
    assert_accessible(f"the series preview with a taken week ({tag})")
    screenshot(page, f"walk-preview-{tag}")
    page.get_by_label(words(language, "Book only the free meetings of the series")).check()
    page.get_by_test_id("book-submit").click()

    series_id = booking_id_of(page)
    assert series_id != single_id
    _header_status(page, language, "Pending")
    meetings = page.get_by_test_id("meeting-row")
    expect(meetings).to_have_count(3)
    for n, week in enumerate((0, 2, 3)):
        when = (day + dt.timedelta(days=7 * week)).strftime("%Y-%m-%d 11:00")
        expect(meetings.nth(n)).to_contain_text(when)
        expect(meetings.nth(n)).to_contain_text(words(language, "Pending"))
    expect(page.get_by_test_id("meetings")).not_to_contain_text(
        (day + dt.timedelta(days=7)).strftime("%Y-%m-%d")
    )

    # 4. The approver, in a browser of their own: admin's pending queue, the series,
    # approved whole; the queue keeps its filter (Budget review still waits in it).
    desk = _approver_page(browser, live_server.url, page_locale)
    try:
        desk.goto("/admin/")
        fill_sign_in_form(desk, email=w["approver"].email, password=UserFactory.PASSWORD)
        expect(desk).to_have_url(re.compile(r"/admin/$"))
        desk.locator(f"#content-main a[href$='{QUEUE}']").first.click()
        desk.locator("#changelist-filter a[href*='status__exact=pending']").first.click()
        expect(desk).to_have_url(re.compile(re.escape(PENDING_QUEUE) + "$"))
        _axe(desk, f"the pending queue ({tag})")
        desk.get_by_role("link", name="Weekly sync", exact=True).click()
        _axe(desk, f"the pending series in admin ({tag})")
        desk.get_by_role("button", name=words(language, "Approve"), exact=True).click()

        expect(desk).to_have_url(re.compile(re.escape(PENDING_QUEUE) + "$"))
        expect(desk.locator("ul.messagelist")).to_contain_text(
            plural_words(
                language,
                "Approved %(count)d booking request.",
                "Approved %(count)d booking requests.",
                1,
            )
        )
        expect(desk.get_by_role("link", name="Weekly sync", exact=True)).to_have_count(0)
        expect(desk.get_by_role("link", name="Budget review", exact=True)).to_be_visible()
    finally:
        desk.context.close()

    page.reload()
    _header_status(page, language, "Approved")
    for n in range(3):
        expect(meetings.nth(n)).to_contain_text(words(language, "Approved"))
    expect(page.get_by_test_id("history")).to_contain_text(
        words(language, "%(who)s approved.", who="Ada Approver")
    )

    # 5. The approved series moves to Beta (a series keeps its times: its room may
    # change); the change waits and the old slots stay held.
    page.get_by_role("link", name=words(language, "Change the meeting")).click()
    assert_accessible(f"the change page ({tag})")
    page.get_by_label(words(language, "Room"), exact=True).select_option(str(beta.pk))
    page.get_by_role("button", name=words(language, "Save the change")).click()

    expect(page).to_have_url(re.compile(rf"/meetings/{series_id}/$"))
    waits = words(
        language,
        "Your change waits for an approver. Until it is decided, your meeting keeps its "
        "current slot: %(slots)s.",
    ).split("%(slots)s")[0]
    expect(_message(page)).to_contain_text(waits.strip())
    held = page.get_by_test_id("held-slot")
    expect(held).to_contain_text(day.strftime("%Y-%m-%d 11:00"))
    expect(held).to_contain_text("(Alpha)")
    expect(page.get_by_test_id("pending-change")).to_contain_text("Beta")
    expect(page.get_by_test_id("pending-change")).to_contain_text(
        words(language, "A change waits for an approver")
    )
    for n in range(3):  # the meetings as they are held: still approved
        expect(meetings.nth(n)).to_contain_text(words(language, "Approved"))
    # The header says both: still approved, and a change waits.
    _header_status(page, language, "Approved")
    expect(page.get_by_test_id("change-waiting")).to_have_text(
        words(language, "Change waiting for an approver")
    )
    assert_accessible(f"the meeting page with its held slot ({tag})")
    screenshot(page, f"walk-held-{tag}")

    _calendar_day(page, language, w["date"])
    alpha_row = page.locator(f"[data-testid=calendar-table] tr[data-room='{alpha.pk}']")
    expect(alpha_row).to_contain_text(words(language, "My meeting: %(topic)s", topic="Weekly sync"))
    expect(alpha_row.locator(".calendar-period", has_text="Weekly sync")).to_contain_text("11:00")
    expect(
        page.locator(".calendar-box .ec-event.mo-mine", has_text="Weekly sync").first
    ).to_be_visible()

    # 6. One meeting of the series (the last) is cancelled with a reason.
    page.goto(f"/meetings/{series_id}/")
    expect(meetings).to_have_count(3)
    meetings.nth(2).get_by_role("link", name=words(language, "Cancel this meeting")).click()
    assert_accessible(f"the cancel page ({tag})")
    page.get_by_label(words(language, "Reason"), exact=True).fill("Team offsite")
    page.get_by_role("button", name=words(language, "Cancel this meeting")).click()

    expect(_message(page)).to_contain_text(
        words(language, "This meeting of the series is cancelled.")
    )
    expect(meetings.nth(2)).to_contain_text(words(language, "Cancelled"))
    expect(meetings.nth(2)).to_contain_text("Team offsite")
    for n in (0, 1):
        expect(meetings.nth(n)).to_contain_text(words(language, "Approved"))
    expect(page.get_by_test_id("held-slot")).to_be_visible()

    # The database agrees: one booking per flow, each meeting as the pages said.
    mine = Booking.objects.filter(organizer=employee).order_by("pk")
    assert [b.pk for b in mine] == [single_id, series_id]
    single, series = mine
    assert (single.status, single.room, single.topic) == (S.PENDING, beta, "Budget review")
    assert [o.start for o in single.occurrences.all()] == [next_wednesday_at("15:00")]
    # The booking's summary waits with its change; its own meetings are held approved.
    assert series.status == S.PENDING
    assert series.room == alpha
    own = series.occurrences.filter(replaces__isnull=True).order_by("start")
    assert [(o.start, o.status) for o in own] == [
        (day, S.APPROVED),
        (day + dt.timedelta(days=14), S.APPROVED),
        (day + dt.timedelta(days=21), S.CANCELLED),
    ]
    assert own.last().reason == "Team offsite"
    proposed = series.occurrences.filter(replaces__isnull=False).order_by("start")
    assert [(o.room, o.status) for o in proposed] == [
        (beta, S.PENDING),
        (beta, S.PENDING),
        (beta, S.CANCELLED),
    ]
    assert BookingChange.objects.get(booking=series).status == BookingChange.Status.PENDING
    assert w["theirs"].occurrences.get().status == S.APPROVED


@LOCALES
def test_a_free_slot_of_the_table_without_javascript_books_it(
    browser: Browser, live_server, world, language, page_locale
):
    """The calendar's table with JavaScript off: Beta's free-slot link opens the
    booking form filled in, and a plain POST books it."""
    w = world
    with signed_in_without_javascript(
        browser, live_server.url, w["employee"], locale=page_locale
    ) as page:
        _nav(page, language, "Calendar")
        page.get_by_label(words(language, "Date"), exact=True).fill(w["date"])
        page.get_by_role("button", name=words(language, "Show rooms")).click()
        expect(page.locator("[data-calendar]")).to_be_hidden()
        beta_row = page.locator(f"[data-testid=calendar-table] tr[data-room='{w['beta'].pk}']")
        book = words(language, "Book %(start)s–%(end)s", start="08:00", end="").rstrip("–")
        beta_row.locator(".calendar-free a", has_text=book).first.click()

        query = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
        assert (query["room"], query["date"], query["start"]) == (
            str(w["beta"].pk),
            w["date"],
            "08:00",
        )
        expect(room_choice(page, w["beta"])).to_be_checked()
        expect(page.locator("input[name=start]")).to_have_value("08:00")
        page.get_by_label(words(language, "Topic"), exact=True).fill("Early stand-up")
        page.get_by_label(words(language, "Duration"), exact=True).select_option("30")
        page.get_by_test_id("book-submit").click()

        booking_id = booking_id_of(page)
        _header_status(page, language, "Pending")
    booking = Booking.objects.get(pk=booking_id)
    assert (booking.organizer, booking.room, booking.topic) == (
        w["employee"],
        w["beta"],
        "Early stand-up",
    )
    start = booking.occurrences.get().start
    assert (start, booking.occurrences.get().end) == (
        next_wednesday_at("08:00"),
        next_wednesday_at("08:30"),
    )


def test_a_new_users_first_booking_timed(page: Page, live_server, sign_in, world):
    """A fresh account with no name and no department: the home page asks for the
    profile; the header's Book, a topic, a time, a room, sent. Prints the time from the
    sign-in page to the meeting page (a measure, not a limit)."""
    newcomer = UserFactory(name="", department=None, language="")
    page.set_viewport_size(DESKTOP)

    started = time.perf_counter()
    sign_in(newcomer)
    expect(page.get_by_test_id("profile-prompt")).to_be_visible()
    _nav(page, "en", "Book")
    page.get_by_label("Topic", exact=True).fill("First meeting")
    fill_when(page, next_wednesday_at("10:00"))
    room_choice(page, world["alpha"]).check()
    page.get_by_test_id("book-submit").click()
    booking_id = booking_id_of(page)
    expect(page.locator("h1")).to_have_text("First meeting")
    elapsed = time.perf_counter() - started

    # The measure is for a person to read in the test's output (-s), not a limit.
    print(f"\nA new user's first booking: {elapsed:.1f} s, sign-in page to meeting page")  # noqa: T201
    booking = Booking.objects.get(pk=booking_id)
    assert (booking.organizer, booking.room) == (newcomer, world["alpha"])
