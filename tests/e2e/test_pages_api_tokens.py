"""X-1 in a real browser: an employee opens their security page from the header, makes
an API token, copies its secret (shown once) and revokes the token again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from security.models import ApiToken
from security.tokens import secret_hash
from tests.factories import UserFactory

# As in test_pages_sign_in.py: the live server needs a transactional database, and the
# role groups the migrations made are restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SECURITY_PATH = "/account/security/"


def test_employee_makes_an_api_token_sees_its_secret_once_and_revokes_it(
    page: Page, live_server, sign_in
):
    user = UserFactory(language="en")
    sign_in(user)

    page.locator("details.user-menu > summary").click()  # the user menu holds it
    page.get_by_test_id("account-security").click()
    expect(page).to_have_url(live_server.url + SECURITY_PATH)
    expect(page.get_by_role("heading", name="Account security", level=1)).to_be_visible()

    page.get_by_label("Token name").fill("calendar sync")
    page.get_by_role("button", name="Create token").click()

    secret_box = page.get_by_test_id("token-secret")
    expect(secret_box).to_be_visible()
    expect(page.get_by_text("It will not be shown again.")).to_be_visible()
    secret = secret_box.input_value()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == secret_hash(secret)
    row = page.get_by_test_id("token-row").filter(has_text="calendar sync")
    expect(row).to_contain_text(f"{token.prefix}…")
    expect(row).to_contain_text("Active")

    row.get_by_role("link", name="Revoke").click()
    expect(page.get_by_role("heading", name="Revoke API token")).to_be_visible()
    page.get_by_role("button", name="Revoke token").click()

    expect(page).to_have_url(live_server.url + SECURITY_PATH)
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("link", name="Revoke")).to_have_count(0)
    expect(page.get_by_test_id("token-secret")).to_have_count(0)
    assert re.fullmatch(r"[\w-]{40,}", secret)
    token.refresh_from_db()
    assert token.revoked_at is not None
