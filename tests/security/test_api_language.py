"""X-2: after a user chose their language, the API answers them in it, over what their
client's Accept-Language asks; without a choice, Accept-Language decides. Asserted on
Content-Language and English words (the Chinese catalogue is compiled at the merge)."""

from __future__ import annotations

import pytest

from security.tokens import api_token_create
from tests.conftest import api_client, bearer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MISSING_ROOM = "/api/v1/rooms/999999/"


def token_client(user, **headers):
    _token, secret = api_token_create(user=user, name="script")
    return bearer(secret, **headers)


def test_a_token_users_chosen_language_wins_over_accept_language():
    client = token_client(UserFactory(language="en"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    response = client.get(MISSING_ROOM)

    assert response.status_code == 404
    assert response["Content-Language"] == "en"
    assert response.json()["detail"] == "There is no such room."


def test_a_token_user_who_chose_chinese_is_answered_in_chinese_whatever_the_client_asks():
    client = token_client(UserFactory(language="zh-hans"), HTTP_ACCEPT_LANGUAGE="en")

    response = client.get(MISSING_ROOM)

    assert response["Content-Language"] == "zh-hans"


@pytest.mark.parametrize(("accept", "answer"), [("en", "en"), ("zh-CN", "zh-hans")])
def test_without_a_choice_accept_language_decides(accept, answer):
    client = token_client(UserFactory(language=""), HTTP_ACCEPT_LANGUAGE=accept)

    assert client.get(MISSING_ROOM)["Content-Language"] == answer


def test_a_session_users_chosen_language_wins_over_accept_language():
    client = api_client(UserFactory(language="en"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    response = client.get(MISSING_ROOM)

    assert response["Content-Language"] == "en"
    assert response.json()["detail"] == "There is no such room."


def test_a_refused_token_is_answered_in_the_clients_language():
    client = bearer("not-a-token", HTTP_ACCEPT_LANGUAGE="en")

    response = client.get(MISSING_ROOM)

    assert response.status_code == 401
    assert response["Content-Language"] == "en"
    assert "This API token is not valid" in response.json()["detail"]
