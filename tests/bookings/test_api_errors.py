"""Every error the API gives reads `{"code", "detail", "fields"}`: a body nested past any
sense, an address that names no operation (a malformed id included), a method the
operation does not take, a bug (500), and a database that does not answer (503)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection
from rest_framework.test import APIClient

from bookings import selectors
from meetingops.api import MAX_JSON_DEPTH
from security.tokens import api_token_create

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"
TOKENS = "/api/v1/me/tokens/"


def signed_in(user, **client_kwargs) -> APIClient:
    client = APIClient(**client_kwargs)
    client.force_login(user)
    return client


def with_token(user, **client_kwargs) -> APIClient:
    client = APIClient(**client_kwargs)
    _token, secret = api_token_create(user=user, name="script")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) >= {"code", "detail", "fields"}, body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def nested(depth: int) -> str:
    """A 4 KB body at a thousand levels: {"room": [[[ ... ]]]}."""
    return '{"room": ' + "[" * depth + "]" * depth + "}"


# -- a body nested too deep ---------------------------------------------------------------


@pytest.mark.parametrize("url", [BOOKINGS, TOKENS, f"{BOOKINGS}series-preview/"])
def test_json_nested_a_thousand_levels_deep_is_a_400_not_a_crash(organizer, url):
    response = signed_in(organizer).post(url, nested(1000), content_type="application/json")

    assert_error_shape(response, 400, "malformed")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_json_nested_past_the_limit_is_refused_whatever_the_depth(organizer, depth):
    response = with_token(organizer).post(BOOKINGS, nested(depth), content_type="application/json")

    body = assert_error_shape(response, 400, "malformed")
    assert str(MAX_JSON_DEPTH) in body["detail"] or "JSON" in body["detail"]


def test_json_at_the_depth_limit_is_read_and_judged_by_its_fields(organizer):
    # The object is the first level, so the list inside adds the rest.
    response = signed_in(organizer).post(
        BOOKINGS, nested(MAX_JSON_DEPTH - 1), content_type="application/json"
    )

    body = assert_error_shape(response, 400, "invalid")
    assert "room" in body["fields"]


def test_a_lone_surrogate_is_malformed_json(organizer):
    response = signed_in(organizer).post(
        TOKENS, '{"name": "\\ud800"}', content_type="application/json"
    )

    assert_error_shape(response, 400, "malformed")


# -- addresses and methods ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/bookings/abc/",
        "/api/v1/bookings/abc/cancel/",
        "/api/v1/rooms/-1/",
        "/api/v1/nothing-here/",
        "/api/v2/bookings/",
        "/api/",
    ],
)
def test_an_address_under_the_api_that_names_no_operation_is_a_json_404(organizer, url):
    response = signed_in(organizer).get(url)

    body = assert_error_shape(response, 404, "not_found")
    assert "/api/docs/" in body["detail"]


def test_an_unknown_api_address_is_a_json_404_for_a_stranger_too():
    response = APIClient().get("/api/v1/bookings/abc/")

    assert_error_shape(response, 404, "not_found")


@pytest.mark.parametrize(("method", "url"), [("delete", BOOKINGS), ("put", f"{BOOKINGS}1/")])
def test_a_method_an_operation_does_not_take_is_a_json_405(organizer, method, url):
    response = getattr(signed_in(organizer), method)(url)

    assert_error_shape(response, 405, "method_not_allowed")


# -- a bug, and a database that does not answer -------------------------------------------


def test_a_bug_in_an_endpoint_is_a_json_500(organizer, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "booking_list_for_user", broken)

    response = signed_in(organizer, raise_request_exception=False).get(BOOKINGS)

    body = assert_error_shape(response, 500, "server_error")
    assert "a bug" not in body["detail"]  # nothing of the inside is shown


def database_down():
    return mock.patch.object(
        connection, "ensure_connection", side_effect=OperationalError("connection refused")
    )


def test_with_the_database_down_a_token_request_is_a_json_503(organizer):
    client = with_token(organizer, raise_request_exception=False)

    with database_down():
        response = client.get(BOOKINGS)

    assert_error_shape(response, 503, "unavailable")
    assert int(response["Retry-After"]) > 0


def test_with_the_database_down_a_session_request_is_a_json_503(organizer):
    # The session is read (by the middleware) before any API code runs.
    client = signed_in(organizer, raise_request_exception=False)

    with database_down():
        response = client.post(TOKENS, {"name": "laptop"})

    assert_error_shape(response, 503, "unavailable")


@pytest.mark.parametrize("url", ["/api/v1/bookings/abc/", "/api/v1/nothing-here/"])
def test_an_unknown_api_address_is_a_json_404_with_debug_on_too(organizer, settings, url):
    settings.DEBUG = True

    response = signed_in(organizer).get(url)

    assert_error_shape(response, 404, "not_found")


def test_an_api_address_without_its_slash_is_still_redirected_to_it(organizer):
    response = signed_in(organizer).get("/api/v1/bookings")

    assert response.status_code == 301
    assert response["Location"] == BOOKINGS


# -- query parameters: refused, not silently replaced --------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=last", "page"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page_size=ten", "page_size"),
        ("status=", "status"),
        ("room=", "room"),
        ("room=99999999999999999999999", "room"),
    ],
)
def test_a_list_parameter_out_of_range_or_empty_is_a_400_naming_it(organizer, query, field):
    response = with_token(organizer).get(f"{BOOKINGS}?{query}")

    body = assert_error_shape(response, 400, "invalid")
    assert list(body["fields"]) == [field]


def test_the_largest_page_size_is_served(organizer):
    response = with_token(organizer).get(f"{BOOKINGS}?page_size=200&page=1")

    assert response.status_code == 200


def test_a_page_past_the_last_is_a_json_404(organizer):
    response = with_token(organizer).get(f"{BOOKINGS}?page=2")

    assert_error_shape(response, 404, "not_found")


@pytest.mark.parametrize("query", ["date=", "date=1999-12-31", "date=2100-01-01"])
def test_a_day_outside_the_years_2000_to_2099_or_empty_is_refused(organizer, room, query):
    url = f"/api/v1/availability/rooms/{room.pk}/free-slots/"
    response = with_token(organizer).get(f"{url}?{query}")

    body = assert_error_shape(response, 400, "invalid")
    assert list(body["fields"]) == ["date"]


# -- the schema says all of it ---------------------------------------------------------------


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_every_operation_documents_the_refusals_every_operation_can_meet(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"401", "403", "405", "406", "503"} <= documented, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= documented, (method, path)
            if "{" in path:
                assert "404" in documented, (method, path)
            for status, response in operation["responses"].items():
                if status >= "400":
                    assert response["description"], (method, path, status)
                    schema_ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert schema_ref.endswith("/ErrorOutput"), (method, path, status)


def test_the_schema_states_the_page_limits_and_the_years(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"][BOOKINGS]["get"]["parameters"]}
    assert parameters["page"]["minimum"] == 1
    assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (1, 200)
    assert parameters["date_from"]["pattern"].startswith("^20[0-9]{2}-")
    start = schema["components"]["schemas"]["BookingCreateInput"]["properties"]["start"]
    assert start["format"] == "date-time"
    assert start["pattern"].startswith("^20[0-9]{2}-")
