"""SE-1 and X-2 in a real browser: signing in and out through allauth's pages, the
admin's sign-in going through allauth, and the header's language switch.

Language checks read `<html lang>` rather than translated words, except for English
words on English pages: the translations change independently of these tests."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

# serialized_rollback: the live server needs a transactional database, which is
# emptied after each test; this restores what the migrations put there (role groups,
# periodic tasks) so every test here starts from the same database.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SIGN_IN_PATH = "/accounts/login/"


def _at(live_server, path: str) -> re.Pattern[str]:
    """The page's whole URL is exactly `path` on the live server (query included)."""
    return re.compile("^" + re.escape(live_server.url + path) + "$")


def test_employee_signs_in_through_the_form_and_sees_their_name_in_the_header(
    page: Page, live_server, submit_sign_in_form
):
    user = UserFactory(name="Li Wei")
    page.goto(SIGN_IN_PATH)

    submit_sign_in_form(email=user.email, password=UserFactory.PASSWORD)

    expect(page).to_have_url(_at(live_server, "/"))
    expect(page.get_by_test_id("user-name")).to_have_text("Li Wei")


def test_wrong_password_shows_an_error_and_stays_on_the_sign_in_page(
    page: Page, live_server, submit_sign_in_form
):
    user = UserFactory()
    page.goto(SIGN_IN_PATH)

    submit_sign_in_form(email=user.email, password="Wrong-horse-42!")

    expect(page.locator("form .errorlist")).to_be_visible()
    expect(page).to_have_url(_at(live_server, SIGN_IN_PATH))
    expect(page.get_by_test_id("user-name")).to_have_count(0)


def test_signing_out_returns_to_the_sign_in_page_and_home_then_asks_to_sign_in(
    page: Page, live_server, sign_in
):
    sign_in(UserFactory())

    page.locator("details.user-menu > summary").click()  # the user menu holds it
    page.get_by_role("button", name=re.compile(r"^\s*(Sign out|退出)\s*$")).click()

    expect(page).to_have_url(_at(live_server, SIGN_IN_PATH))
    expect(page.get_by_test_id("user-name")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(_at(live_server, f"{SIGN_IN_PATH}?next=/"))


def test_sign_in_page_is_in_english_for_an_english_browser(page: Page):
    page.goto(SIGN_IN_PATH)

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()


@pytest.mark.parametrize("page_locale", ["fr-FR"])
def test_sign_in_page_is_in_simplified_chinese_for_a_browser_naming_neither(page: Page):
    page.goto(SIGN_IN_PATH)

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_choosing_simplified_chinese_in_the_header_switches_the_page_to_chinese(
    page: Page, live_server
):
    page.goto(SIGN_IN_PATH)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator("select[name=language]").select_option(label="简体中文")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(_at(live_server, SIGN_IN_PATH))


@pytest.mark.parametrize("page_locale", ["fr-FR"])
def test_choosing_english_in_the_header_switches_a_chinese_page_to_english(page: Page):
    page.goto(SIGN_IN_PATH)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.locator("select[name=language]").select_option(label="English")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()


@pytest.mark.parametrize("page_locale", ["fr-FR"])
def test_language_chosen_by_a_signed_in_employee_is_kept_on_their_account(page: Page, sign_in):
    user = UserFactory(language="zh-hans")
    sign_in(user)

    page.locator("select[name=language]").select_option(label="English")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    user.refresh_from_db()
    assert user.language == "en"


def test_staff_sign_in_to_admin_goes_through_allauth_and_lands_on_the_admin_index(
    page: Page, live_server, submit_sign_in_form
):
    # language="en" as well as the English browser: the header is asserted in English
    # even if the account's language comes to choose the page after sign-in.
    staff = UserFactory(is_staff=True, is_superuser=True, language="en")
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(re.escape(live_server.url + SIGN_IN_PATH) + r"\?"))

    submit_sign_in_form(email=staff.email, password=UserFactory.PASSWORD)

    expect(page).to_have_url(_at(live_server, "/admin/"))
    expect(page.locator("#site-name")).to_have_text("MeetingOps administration")
