"""The error pages are pages of the site (its header, its language), and the health check
and the pages say "come back later" (503) when the database does not answer, without
needing the database to say it."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.utils import translation

from meetingops import views
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def database_down():
    return mock.patch.object(
        connection, "ensure_connection", side_effect=OperationalError("connection refused")
    )


def signed_in(**kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    client.force_login(UserFactory())
    return client


def assert_site_page(response, status: int, language: str = "en") -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'class="site-header"' in html  # base.html: the site's look
    assert f'<html lang="{language}">' in html
    assert 'data-testid="error-page"' in html
    return html


# -- the health check -----------------------------------------------------------------------


def test_health_answers_ok_while_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_is_a_json_503_when_the_database_does_not_answer(client):
    with database_down():
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "unavailable"
    assert int(response["Retry-After"]) > 0


# -- pages with the database down -----------------------------------------------------------


def test_a_page_is_a_translated_503_when_the_database_does_not_answer():
    client = signed_in(HTTP_ACCEPT_LANGUAGE="zh-hans")

    with database_down():
        response = client.get("/")

    html = assert_site_page(response, 503, language="zh-hans")
    assert "登录" in html  # the header, translated, without reading who is signed in
    assert int(response["Retry-After"]) > 0


def test_the_503_page_is_in_english_for_an_english_reader():
    client = signed_in(HTTP_ACCEPT_LANGUAGE="en")

    with database_down():
        response = client.get("/")

    html = assert_site_page(response, 503)
    assert "MeetingOps is unavailable for a moment" in html


def test_the_sign_in_page_is_a_503_when_the_database_does_not_answer():
    with database_down():
        response = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en").post(
            "/accounts/login/", {"login": "a@example.com", "password": "x" * 12}
        )

    assert_site_page(response, 503)


# -- other errors ------------------------------------------------------------------------------


def test_a_bug_in_a_page_is_the_sites_500_page(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "render", broken)

    response = signed_in(HTTP_ACCEPT_LANGUAGE="en").get("/")

    html = assert_site_page(response, 500)
    assert "Something went wrong on our side" in html
    assert "a bug" not in html


def test_an_unknown_page_is_the_sites_404_page_with_the_user_signed_in():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    user = UserFactory(name="Nina Nowhere")
    client.force_login(user)

    response = client.get("/no-such-page/")

    html = assert_site_page(response, 404)
    assert "There is no such page" in html
    assert "Nina Nowhere" in html  # a 404 may read the user: the database is fine


def test_a_refused_page_is_the_sites_403_page():
    request = RequestFactory(HTTP_ACCEPT_LANGUAGE="en").get("/somewhere/")
    request.user = AnonymousUser()

    with translation.override("en"):
        response = views.permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "You may not open this page" in html


def test_a_refused_address_filter_in_admin_is_the_sites_400_page(settings):
    settings.DEBUG = False  # with DEBUG, Django shows its technical 400 page instead
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get("/admin/bookings/booking/", {"topic__icontains": "Merger"})

    html = assert_site_page(response, 400)
    assert "MeetingOps could not use this request" in html
    assert "without editing the address" in html
