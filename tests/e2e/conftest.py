"""Browser tests: the pages driven through Debian's Chromium by Playwright.

Playwright's browser downloads are never used (`playwright install` needs the
internet); the system's /usr/bin/chromium is launched instead. Without it the tests
are skipped on a laptop and fail in CI (CI=true or REQUIRE_BROWSER set), so a
browser test is never silently skipped there.

Every test here uses pytest-django's `live_server`, which implies `transactional_db`:
the server thread must see the rows the test commits."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, expect, sync_playwright

from security.models import User
from tests.factories import UserFactory

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Long enough for a slow CI machine, short enough that a wrong selector fails quickly.
TIMEOUT_MS = 10_000
SIGN_IN_PATH = "/accounts/login/"

_HERE = Path(__file__).parent


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes", "on"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in tests/e2e is an `e2e` test (`-m "not e2e"` leaves them out)."""
    for item in items:
        if _HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all the tests in tests/e2e (they run one after another, as
    pytest-django orders live-server tests together).

    Package scope, not session: while Playwright's sync API is alive it marks an
    asyncio loop as running in this thread, and Django's ORM then refuses to run
    unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The browser and that variable are kept
    to these tests: the variable would otherwise leak into every later test and into
    the subprocesses some of them start (`manage.py check --deploy` warns about it).
    The test code itself stays synchronous; the loop only serves Playwright."""
    if not CHROMIUM.exists():
        message = (
            f"browser tests need Debian's Chromium at {CHROMIUM} "
            "(apt-get install chromium); `playwright install` is not used"
        )
        if os.environ.get("CI") == "true" or _truthy("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # The database connection objects are per context, and Playwright's loop makes
        # a new one: carry over what the test database was created with, or a
        # serialized_rollback test finds nothing to restore after another test has
        # flushed the database (the role groups, the scheduled jobs...), silently.
        serialized = {
            alias: connections[alias]._test_serialized_contents
            for alias in connections
            if hasattr(connections[alias], "_test_serialized_contents")
        }
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def page_locale() -> str:
    """The browser's locale (and so its Accept-Language). Override per test with
    `@pytest.mark.parametrize("page_locale", ["fr-FR"])`."""
    return "en-US"


@pytest.fixture
def page(browser: Browser, live_server, page_locale: str) -> Iterator[Page]:
    """A fresh browser context per test: no cookies or session carried over."""
    context = browser.new_context(locale=page_locale, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def fill_sign_in_form(page: Page, *, email: str, password: str) -> None:
    """Fill and submit the sign-in form `page` shows, as a person would; returns once
    the form is submitted (the caller asserts where it lands). For a page of another
    browser context than the `page` fixture's (a second person, JavaScript off)."""
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


@pytest.fixture
def submit_sign_in_form(page: Page) -> Callable[..., None]:
    """`fill_sign_in_form` on the `page` fixture."""

    def _submit(*, email: str, password: str) -> None:
        fill_sign_in_form(page, email=email, password=password)

    return _submit


@pytest.fixture
def sign_in(page: Page, submit_sign_in_form: Callable[..., None]) -> Callable[..., Page]:
    """`sign_in(user)` opens the sign-in page, signs in through the real form and
    waits until the browser has left the sign-in page."""

    def _sign_in(user: User, password: str = UserFactory.PASSWORD) -> Page:
        page.goto(SIGN_IN_PATH)
        submit_sign_in_form(email=user.email, password=password)
        expect(page).not_to_have_url(re.compile(re.escape(SIGN_IN_PATH)))
        return page

    return _sign_in


# Accessibility: axe-core as axe-playwright-python carries it (no download). A page
# passes with no serious or critical violation (DESIGN "Pages").
AXE_FAILING_IMPACTS = frozenset({"serious", "critical"})
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def axe_violations(page: Page) -> list[dict]:
    """The serious and critical violations axe-core finds on the page now shown."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in AXE_FAILING_IMPACTS
    ]


def axe_summary(violations: list[dict]) -> str:
    """One line per violation and node, for an assertion message a person can act on."""
    return "\n".join(
        f"{v['impact']} {v['id']}: {node['target']} — {v['help']}"
        for v in violations
        for node in v["nodes"]
    )


@pytest.fixture
def assert_accessible(page: Page) -> Callable[[str], None]:
    """`assert_accessible("what page")`: axe-core finds no serious or critical
    violation on the page now shown."""

    def _assert(where: str) -> None:
        violations = axe_violations(page)
        assert not violations, f"axe on {where}:\n{axe_summary(violations)}"

    return _assert


def screenshot(page: Page, name: str) -> Path:
    """Save the page now shown as docs/screenshots/<name>.png (the README shows them).
    Names say page, language and width: `book-en-desktop`, `book-zh-phone`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
