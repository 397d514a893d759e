"""X-1: personal API tokens — made and revoked by a signed-in user, the secret shown
once and stored only as a hash, and never obtainable with a password or another token."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from meetingops.errors import PermissionDeniedError
from oversight.models import AuditEvent
from security.models import ApiToken
from security.tokens import MAX_ACTIVE_TOKENS, api_token_create, api_token_revoke
from tests.conftest import api_client, bearer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/me/tokens/"
SOME_ENDPOINT = "/api/v1/rooms/"


def test_a_signed_in_user_makes_a_token_and_sees_its_secret_once(user):
    client = api_client(user)

    created = client.post(TOKENS, {"name": "calendar sync"})

    assert created.status_code == 201, created.json()
    secret = created.json()["secret"]
    assert len(secret) >= 40
    assert created.json()["prefix"] == secret[:8]
    listed = client.get(TOKENS)
    assert [t["name"] for t in listed.json()] == ["calendar sync"]
    assert secret not in listed.content.decode()
    assert "secret" not in listed.json()[0]


def test_only_the_secrets_hash_is_stored(user):
    token, secret = api_token_create(user=user, name="ci")

    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(stored)
    assert secret not in str(AuditEvent.objects.values().get(action="apitoken.created"))


def test_a_token_signs_requests_in_as_its_owner(user):
    _token, secret = api_token_create(user=user, name="ci")
    api_token_create(user=UserFactory(), name="someone else's script")

    response = bearer(secret).get(TOKENS)

    # A 200 proves a sign-in; the owner's own tokens, and only theirs, prove whose.
    assert response.status_code == 200
    assert [t["name"] for t in response.json()] == ["ci"]
    assert response.wsgi_request.user == user


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer", "Bearer two parts", "Bearer \u00e9t\u00e9"],
    ids=["unknown", "no secret", "spaces", "not ASCII"],
)
def test_a_bad_bearer_header_is_refused(user, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.encode().decode("latin-1"))

    response = client.get(SOME_ENDPOINT)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_revoked_token_is_refused(user):
    token, secret = api_token_create(user=user, name="ci")
    api_token_revoke(token=token, actor=user)

    response = bearer(secret).get(SOME_ENDPOINT)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_token_of_a_deactivated_user_is_refused(user):
    _token, secret = api_token_create(user=user, name="ci")
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert bearer(secret).get(SOME_ENDPOINT).status_code == 401


def test_a_token_cannot_make_another_token(user):
    _token, secret = api_token_create(user=user, name="ci")

    response = bearer(secret).post(TOKENS, {"name": "more"})

    assert response.status_code == 403
    assert response.json()["code"] == "session_required"
    assert ApiToken.objects.count() == 1


def test_a_token_cannot_revoke_its_users_tokens(user):
    _token, secret = api_token_create(user=user, name="ci")
    other, _secret = api_token_create(user=user, name="calendar sync")

    response = bearer(secret).post(f"{TOKENS}{other.pk}/revoke/")

    assert response.status_code == 403
    assert response.json()["code"] == "session_required"
    other.refresh_from_db()
    assert other.revoked_at is None


def test_a_token_can_list_its_users_tokens(user):
    _token, secret = api_token_create(user=user, name="ci")

    assert [t["name"] for t in bearer(secret).get(TOKENS).json()] == ["ci"]


def test_making_a_token_with_a_session_needs_the_csrf_token(user):
    client = api_client(user, enforce_csrf_checks=True)

    response = client.post(TOKENS, {"name": "sneaky"})

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/token/", "/api/v1/auth/token/", "/api/v1/me/tokens/login/", "/api/v1/login/"],
)
def test_no_endpoint_trades_a_password_for_a_token(path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_making_and_revoking_are_audited(user):
    client = api_client(user)
    token_id = client.post(TOKENS, {"name": "ci"}).json()["id"]

    response = client.post(f"{TOKENS}{token_id}/revoke/")

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    events = AuditEvent.objects.filter(target_type="security.apitoken", target_id=str(token_id))
    assert sorted(events.values_list("action", flat=True)) == [
        "apitoken.created",
        "apitoken.revoked",
    ]
    assert {e.actor for e in events} == {user}


def test_revoking_twice_changes_nothing(user):
    token, _secret = api_token_create(user=user, name="ci")
    first = api_token_revoke(token=token, actor=user).revoked_at

    with time_machine.travel(timezone.now() + dt.timedelta(hours=1)):
        again = api_client(user).post(f"{TOKENS}{token.pk}/revoke/")

    assert again.status_code == 200
    assert ApiToken.objects.get().revoked_at == first
    assert AuditEvent.objects.filter(action="apitoken.revoked").count() == 1


def test_someone_elses_token_cannot_be_revoked(user):
    token, _secret = api_token_create(user=UserFactory(), name="theirs")

    response = api_client(user).post(f"{TOKENS}{token.pk}/revoke/")

    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    # The service refuses too, whatever page or script calls it.
    with pytest.raises(PermissionDeniedError) as error:
        api_token_revoke(token=token, actor=user)
    assert error.value.code == "not_token_owner"
    assert ApiToken.objects.get().revoked_at is None


def test_a_token_revoked_through_the_api_stops_working(user):
    token, secret = api_token_create(user=user, name="ci")
    api_client(user).post(f"{TOKENS}{token.pk}/revoke/")

    assert bearer(secret).get(SOME_ENDPOINT).status_code == 401


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "name_required"),
        ({"name": ""}, "name_required"),
        ({"name": "   "}, "name_required"),
        ({"name": None}, "invalid"),
        ({"name": "x" * 101}, "invalid"),
    ],
)
def test_a_token_needs_a_sensible_name(user, body, code):
    response = api_client(user).post(TOKENS, body)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert "name" in response.json()["fields"]
    assert not ApiToken.objects.exists()


def test_a_user_holds_a_limited_number_of_active_tokens(user):
    for index in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=user, name=f"t{index}")

    response = api_client(user).post(TOKENS, {"name": "one too many"})

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_tokens"
    assert response.json()["value"] == MAX_ACTIVE_TOKENS


def test_last_use_is_recorded_at_most_once_a_minute(user):
    token, secret = api_token_create(user=user, name="ci")
    start = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    client = bearer(secret)

    with time_machine.travel(start, tick=False):
        client.get(SOME_ENDPOINT)
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        client.get(SOME_ENDPOINT)
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        client.get(SOME_ENDPOINT)
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=61)


def test_listing_tokens_needs_a_signed_in_user():
    response = APIClient().get(TOKENS)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
