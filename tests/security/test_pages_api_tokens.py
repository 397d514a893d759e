"""X-1 on the employee's security page: make a token and see its secret once, revoke
one, never touch another's; the rules stay in security/tokens.py."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from oversight.models import AuditEvent
from security.models import ApiToken
from security.tokens import MAX_ACTIVE_TOKENS, api_token_create, secret_hash
from tests.conftest import bearer
from tests.conftest import signed_in as page_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("security:tokens")
TOKENS_API = "/api/v1/me/tokens/"


def revoke_url(token: ApiToken) -> str:
    return reverse("security:token_revoke", args=[token.pk])


@pytest.fixture
def signed_in(client, user) -> Client:
    return page_client(client, user, language=None)


def test_the_page_lists_my_tokens_and_not_anothers(signed_in, user):
    mine, _secret = api_token_create(user=user, name="calendar sync")
    api_token_create(user=UserFactory(), name="someone else's script")

    response = signed_in.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert response.status_code == 200
    assert "calendar sync" in content
    assert f"{mine.prefix}…" in content
    assert "someone else&#x27;s script" not in content
    assert "someone else's script" not in content


def test_the_page_shows_which_tokens_are_active_and_which_revoked(signed_in, user):
    active, _ = api_token_create(user=user, name="active one")
    revoked, _ = api_token_create(user=user, name="revoked one")
    revoked.revoked_at = revoked.created_at
    revoked.save(update_fields=["revoked_at"])

    content = signed_in.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert content.count('class="status status-active"') == 1
    assert content.count('class="status status-revoked"') == 1
    # Only the active token can be revoked.
    assert revoke_url(active) in content
    assert revoke_url(revoked) not in content


def test_the_page_needs_a_bounded_number_of_queries(signed_in, user, django_assert_max_num_queries):
    for n in range(10):
        api_token_create(user=user, name=f"script {n}")

    with django_assert_max_num_queries(4):
        response = signed_in.get(PAGE)

    # The bound is worth something only on the page that lists all ten.
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('data-testid="token-row"') == 10
    assert all(f"script {n}<" in content for n in range(10))


def test_making_a_token_shows_its_secret_once_and_the_secret_works_as_a_bearer_token(
    signed_in, user
):
    response = signed_in.post(PAGE, {"name": "calendar sync"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    secret = response.context["secret"]
    assert token.name == "calendar sync"
    assert token.key_hash == secret_hash(secret)
    content = response.content.decode()
    assert content.count(secret) == 1
    assert "It will not be shown again." in content
    assert "no-store" in response["Cache-Control"]
    # Not kept anywhere: the next view of the page no longer has it.
    assert secret not in str(dict(signed_in.session))
    assert secret not in signed_in.get(PAGE).content.decode()
    listed = bearer(secret).get(TOKENS_API)
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()] == ["calendar sync"]


@pytest.mark.parametrize("name", ["", "   "])
def test_a_token_without_a_name_is_refused_with_a_form_error_and_nothing_changes(
    signed_in, user, name
):
    response = signed_in.post(PAGE, {"name": name}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Name the token after what will use it" in response.content.decode()
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert not response.context["secret"]
    assert not ApiToken.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action="apitoken.created").exists()


def test_the_form_error_is_translated(signed_in):
    response = signed_in.post(PAGE, {"name": ""}, HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert "请按用途为令牌命名" in response.content.decode()


def test_one_token_over_the_limit_is_refused_and_nothing_changes(signed_in, user):
    for n in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=user, name=f"script {n}")

    response = signed_in.post(PAGE, {"name": "one more"}, HTTP_ACCEPT_LANGUAGE="en")

    assert f"You have {MAX_ACTIVE_TOKENS} active API tokens" in response.content.decode()
    assert not response.context["secret"]
    assert ApiToken.objects.filter(user=user).count() == MAX_ACTIVE_TOKENS
    assert not ApiToken.objects.filter(name="one more").exists()


def test_revoking_asks_first_and_changes_nothing_until_confirmed(signed_in, user):
    token, _ = api_token_create(user=user, name="ci")

    response = signed_in.get(revoke_url(token), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Revoke the token “ci”" in response.content.decode()
    token.refresh_from_db()
    assert token.is_active


def test_revoking_my_token_stops_it_working_and_is_audited(signed_in, user):
    token, secret = api_token_create(user=user, name="ci")

    response = signed_in.post(revoke_url(token), HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert "The API token “ci” is revoked." in response.content.decode()
    token.refresh_from_db()
    assert not token.is_active
    event = AuditEvent.objects.get(action="apitoken.revoked")
    assert event.actor_id == user.pk
    assert bearer(secret).get(TOKENS_API).status_code == 401


@pytest.mark.parametrize("method", ["get", "post"])
def test_anothers_token_is_not_found_and_stays_active(signed_in, method):
    theirs, secret = api_token_create(user=UserFactory(), name="theirs")

    response = getattr(signed_in, method)(revoke_url(theirs))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    assert bearer(secret).get(TOKENS_API).status_code == 200


def test_a_token_id_that_does_not_exist_is_not_found(signed_in):
    response = signed_in.post(reverse("security:token_revoke", args=[987654]))

    assert response.status_code == 404


def test_revoking_needs_the_csrf_token(user):
    token, _ = api_token_create(user=user, name="ci")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(revoke_url(token))

    assert response.status_code == 403
    token.refresh_from_db()
    assert token.is_active


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, method):
    response = getattr(client, method)(PAGE, {"name": "x"} if method == "post" else None)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PAGE}"
    assert not ApiToken.objects.exists()


def test_an_anonymous_visitor_cannot_revoke(client, user):
    token, _ = api_token_create(user=user, name="ci")

    response = client.post(revoke_url(token))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    token.refresh_from_db()
    assert token.is_active


def test_the_header_links_to_the_page_and_the_page_to_the_password_change(signed_in):
    home = signed_in.get(reverse("home")).content.decode()
    page = signed_in.get(PAGE).content.decode()

    assert f'href="{PAGE}"' in home
    assert f'href="{reverse("account_change_password")}"' in page


def test_the_page_speaks_the_glossarys_chinese(signed_in):
    response = signed_in.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert "<h1>账号安全</h1>" in response.content.decode()
