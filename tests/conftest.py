"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL with
DATABASE_URL=postgres://...; tests marked `postgres` or `redis` are skipped without
that service, except when REQUIRE_POSTGRES / REQUIRE_REDIS is set (CI), where a missing
service is a failure: a test that needs PostgreSQL must never be silently skipped there."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from meetingops.celery import app as celery_app
from tests.factories import UserFactory


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes", "on"}


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        if _truthy("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    if item.get_closest_marker("redis") and not settings.CONFIG.redis_url:
        if _truthy("REQUIRE_REDIS"):
            pytest.fail("REQUIRE_REDIS is set but REDIS_URL is empty")
        pytest.skip("needs Redis (set REDIS_URL=redis://...)")


@pytest.fixture(scope="session", autouse=True)
def _test_broker():
    """Without Redis, tasks queued by tests go to an in-memory broker, not to the
    developer's var/celery queue where their own worker would pick them up."""
    if not settings.CONFIG.redis_url:
        celery_app.conf.broker_url = "memory://"


@pytest.fixture
def eager_tasks():
    """Run queued tasks in the test's thread (STYLE: eager per test, where the task's
    effect is what the test checks; never globally)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_eager_propagates = False


@pytest.fixture(autouse=True)
def _plain_static_storage(settings) -> None:
    """Tests render templates without a collectstatic run."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _isolated_mail_and_cache(settings):
    """Mail goes to django.core.mail.outbox; the cache (rate limits) starts empty."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # PBKDF2's real cost is for attackers, not for a test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    # The watchdog looks only in its own tests: elsewhere its queries would blur the
    # query counts, and a test with no worker would be a silence.
    settings.WATCHDOG_CHECK_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def password() -> str:
    return UserFactory.PASSWORD


# -- signed-in clients -------------------------------------------------------------------------


def signed_in(client: Client, user, *, language: str | None = "en") -> Client:
    """The test's browser `client`, signed in as `user`; pages in `language` unless the
    user's own or the request's choice is what the test checks (language=None)."""
    client.force_login(user)
    if language:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def bearer(secret: str, **client_kwargs) -> APIClient:
    """An API client that sends `Authorization: Bearer <secret>` (X-1)."""
    client = APIClient(**client_kwargs)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def api_client(user, *, auth: str = "session", **client_kwargs) -> APIClient:
    """An API client signed in as `user`: with a session (as the pages' scripts are), or
    with auth="token", with a personal API token made for them (as a script is)."""
    if auth == "token":
        from security.tokens import api_token_create

        _token, secret = api_token_create(user=user, name="script")
        return bearer(secret, **client_kwargs)
    client = APIClient(**client_kwargs)
    client.force_login(user)
    return client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A transactional test must restore what the migrations wrote (role groups,
    scheduled jobs) for the tests after it: `serialized_rollback=True`. Its flush then
    leaves the tables empty for the next one to refill; without it, the flush makes new
    content types that the next restore collides with."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True"
            )
