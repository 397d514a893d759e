"""The account pages (sign-in, sign-up, password, email, API tokens) in the site's look
pass axe-core with no serious or critical violation, in English and in Chinese, signed
out and signed in: they are the first pages a new employee meets."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from security import tokens
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SIGNED_OUT_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/inactive/",
]
SIGNED_IN_PAGES = [
    "/accounts/password/change/",
    "/accounts/email/",
    "/accounts/logout/",
    "/account/security/",
]


@pytest.mark.parametrize("page_locale", ["en-US", "zh-CN"])
def test_signed_out_account_pages_pass_axe(page: Page, assert_accessible, page_locale):
    for path in SIGNED_OUT_PAGES:
        response = page.goto(path)
        assert response is not None, path
        assert response.status < 400, path
        assert_accessible(f"{path} ({page_locale})")


@pytest.mark.parametrize("page_locale", ["en-US", "zh-CN"])
def test_signed_in_account_pages_pass_axe(page: Page, sign_in, assert_accessible, page_locale):
    user = UserFactory()
    token, _secret = tokens.api_token_create(user=user, name="Laptop")
    sign_in(user)
    for path in [*SIGNED_IN_PAGES, f"/account/security/tokens/{token.pk}/revoke/"]:
        response = page.goto(path)
        assert response is not None, path
        assert response.status < 400, path
        assert_accessible(f"{path} ({page_locale})")
