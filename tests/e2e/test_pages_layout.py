"""The layout, the home page and the profile in Chromium: axe finds nothing serious in
English or Chinese, nothing scrolls sideways at 390 px, the user menu and the language
switch work from the keyboard, and the countdown is refreshed by site.js.

Chinese pages are checked by `<html lang>`, not by translated words (the catalogue is
compiled at the merge)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from bookings import rules, services
from bookings.models import NotificationDelivery
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import BookingFactory, DepartmentFactory, UserFactory, next_wednesday_at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def employee():
    """An employee with a day to show: an approved meeting with a colleague, a rejected
    request, a pending one, a confidential meeting they are invited to, and notices."""
    DepartmentFactory(name="Sales", code="sales")
    me = UserFactory(name="Li Wei", email="li.wei@example.com")
    approver = UserFactory(name="Ada Approver", is_staff=True, groups=["Approvers"])
    approved = BookingFactory(
        organizer=me, topic="Quarterly review", with_invitee=True, start=next_wednesday_at("10:00")
    )
    services.booking_approve(booking=approved, actor=approver)
    rejected = BookingFactory(
        organizer=me, topic="Team lunch talk", start=next_wednesday_at("14:00")
    )
    services.booking_reject(
        booking=rejected, actor=approver, reason="The room is kept for the audit"
    )
    BookingFactory(organizer=me, topic="Customer demo", start=next_wednesday_at("16:00"))
    BookingFactory(
        attendee_users=[me],
        topic="Board briefing",
        confidential=True,
        start=next_wednesday_at("11:00"),
    )
    for booking, kind in [(approved, "approved"), (rejected, "rejected")]:
        NotificationDelivery.objects.create(
            booking=booking, kind=kind, key=f"k-{kind}", email=me.email, user=me
        )
    return me


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide at {PHONE['width']}px"


# -- home ------------------------------------------------------------------------------------


def test_home_in_english_passes_axe_on_desktop_and_phone(
    page: Page, sign_in, employee, assert_accessible
):
    page.set_viewport_size(DESKTOP)
    sign_in(employee)
    expect(page.get_by_role("heading", name="Welcome, Li Wei")).to_be_visible()
    expect(page.get_by_test_id("home-meeting")).to_have_count(
        3
    )  # the rejected request holds no meeting
    expect(page.get_by_test_id("rejection-reason")).to_contain_text(
        "The room is kept for the audit"
    )
    assert_accessible("home, English, desktop")
    screenshot(page, "home-en-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    no_sideways_scroll(page)
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My meetings")
    ).to_be_visible()
    assert_accessible("home, English, phone")
    screenshot(page, "home-en-phone")


@pytest.mark.parametrize("page_locale", ["zh-CN"])
def test_home_in_chinese_passes_axe_on_desktop_and_phone(
    page: Page, sign_in, employee, assert_accessible
):
    page.set_viewport_size(DESKTOP)
    sign_in(employee)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert_accessible("home, Chinese, desktop")
    screenshot(page, "home-zh-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    no_sideways_scroll(page)
    assert_accessible("home, Chinese, phone")


def test_a_new_account_is_asked_to_complete_its_profile_and_can(page: Page, sign_in):
    DepartmentFactory(name="Sales", code="sales")
    newcomer = UserFactory(email="zhao.lei@example.com", name="", department=None)
    sign_in(newcomer)
    expect(page.get_by_role("heading", name="Welcome, zhao.lei")).to_be_visible()
    expect(page.get_by_test_id("home-meetings-empty")).to_be_visible()

    page.get_by_test_id("profile-prompt").get_by_role(
        "button", name="Complete your profile"
    ).click()
    page.get_by_label("Name").fill("Zhao Lei")
    page.get_by_label("Department").select_option(label="Sales")
    page.get_by_role("button", name="Save profile").click()

    expect(page.locator(".messages[role=status]")).to_contain_text("Your profile is saved.")
    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome, Zhao Lei")).to_be_visible()
    expect(page.get_by_test_id("profile-prompt")).to_have_count(0)


def test_the_countdown_is_refreshed_each_minute_by_the_script(page: Page, sign_in):
    me = UserFactory()
    booking = BookingFactory(organizer=me)
    # The browser's clock five minutes before the start (the server's stays today).
    page.clock.install(time=booking.first_start - dt.timedelta(minutes=5, seconds=30))
    sign_in(me)
    countdown = page.get_by_test_id("countdown")
    expect(countdown).to_have_text("starts in 6 min")

    page.clock.run_for(60_000)

    expect(countdown).to_have_text("starts in 5 min")


def test_the_join_button_appears_when_the_sign_in_window_opens_on_an_open_page(page: Page, sign_in):
    me = UserFactory()
    booking = BookingFactory(organizer=me, approved=True)
    window = dt.timedelta(minutes=rules.policy_current().sign_in_opens_minutes)
    # The browser's clock a minute before the window opens (the server's stays today).
    page.clock.install(time=booking.first_start - window - dt.timedelta(minutes=1))
    sign_in(me)
    join = page.get_by_role("button", name=re.compile("Join"))
    expect(join).to_be_hidden()

    page.clock.run_for(2 * 60_000)

    expect(join).to_be_visible()
    expect(join).to_have_attribute("href", booking.join_url)


# -- profile ---------------------------------------------------------------------------------


def test_profile_in_english_passes_axe_with_and_without_errors(
    page: Page, sign_in, employee, assert_accessible
):
    page.set_viewport_size(DESKTOP)
    sign_in(employee)
    page.goto("/account/profile/")
    assert_accessible("profile, English")
    screenshot(page, "profile-en-desktop")

    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save profile").click()
    name = page.get_by_label("Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("error-name")).to_have_text("Enter your name.")
    assert_accessible("profile with an error, English")

    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)


@pytest.mark.parametrize("page_locale", ["zh-CN"])
def test_profile_in_chinese_passes_axe_on_phone(page: Page, sign_in, employee, assert_accessible):
    page.set_viewport_size(PHONE)
    sign_in(employee)
    page.goto("/account/profile/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    no_sideways_scroll(page)
    assert_accessible("profile, Chinese, phone")


def test_choosing_a_language_on_the_profile_switches_the_next_page(page: Page, sign_in, employee):
    sign_in(employee)
    page.goto("/account/profile/")

    page.get_by_role("article").get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Save profile").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


# -- the keyboard --------------------------------------------------------------------------------


def _tab_until(page: Page, selector: str, *, limit: int = 30) -> None:
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page: Page, sign_in, employee):
    sign_in(employee)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()


def test_the_user_menu_opens_and_leads_to_the_profile_by_keyboard(page: Page, sign_in, employee):
    sign_in(employee)
    profile = page.get_by_role("link", name="Profile")
    expect(profile).to_be_hidden()

    _tab_until(page, "details.user-menu > summary")
    page.keyboard.press("Enter")
    expect(profile).to_be_visible()
    page.keyboard.press("Escape")
    expect(profile).to_be_hidden()
    expect(page.locator("details.user-menu > summary")).to_be_focused()

    page.keyboard.press("Enter")
    _tab_until(page, "details.user-menu a[data-testid=profile]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/account/profile/$"))
    expect(page.get_by_test_id("profile")).to_have_attribute("aria-current", "page")


def test_signing_out_from_the_user_menu_by_keyboard(page: Page, sign_in, employee):
    sign_in(employee)

    _tab_until(page, "details.user-menu > summary")
    page.keyboard.press("Space")
    _tab_until(page, "details.user-menu button[type=submit]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_the_language_switch_works_by_keyboard(page: Page, sign_in, employee):
    sign_in(employee)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    _tab_until(page, "#language-select")
    page.keyboard.press("ArrowUp")  # 简体中文 is listed before English
    # The arrows only choose (no change of page on input alone); Enter switches.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(re.compile(r"/$"))


# -- the layout around other pages -------------------------------------------------------------


@pytest.mark.parametrize("page_locale", ["en-US", "zh-CN"])
def test_the_sign_in_page_and_the_404_page_pass_axe_at_phone_width(
    page: Page, sign_in, assert_accessible
):
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    no_sideways_scroll(page)
    assert_accessible("sign-in page, phone")

    sign_in(UserFactory())
    page.goto("/no-such-page/")
    expect(page.get_by_test_id("error-page")).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible("404 page, phone")
