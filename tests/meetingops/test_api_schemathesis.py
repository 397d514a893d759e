"""X-1: the schema documents every answer the API gives. Schemathesis generates requests
for every operation from the schema, in-process through the WSGI application on the test
database, and runs every check on each answer (status codes and bodies as documented,
invalid input refused, valid input not refused except by the rules schemathesis.toml
names). A few examples per operation here; `scripts/schemathesis` runs a hundred
against a live server."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from security.tokens import api_token_create
from tests.factories import RoomFactory, UserFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

pytestmark = pytest.mark.django_db


@pytest.fixture
def _connection_kept():
    """The WSGI handler closes the database connection after each request, as a server
    should; here that connection holds the test's transaction, so it stays open (what
    Django's own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, _connection_kept) -> dict[str, str]:
    RoomFactory(name="Tencent A", capacity=10)
    approver = UserFactory(email="approver@example.com", is_staff=True, groups=["Approvers"])
    _token, secret = api_token_create(user=approver, name="schemathesis")
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, bearer):
    case.call_and_validate(headers=bearer)
