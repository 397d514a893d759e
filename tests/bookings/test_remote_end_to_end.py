"""BK-17 end to end: an approval in a Tencent Meeting or Zoom room reaches the
provider's REST API (faked at its HTTP boundary with respx, in its documented shapes)
through `provider_client`, with the account's credentials as the admin stored them;
the booking gets the link, a failure is retried or fails the row, a cancellation
cancels. And `provider_client` itself."""

from __future__ import annotations

import json

import pytest
import respx

from bookings import services
from bookings.models import ProviderMeeting
from bookings.remote import provider_client
from bookings.remote.tencent import TencentClient
from bookings.remote.zoom import ZoomClient
from tests.bookings.conftest import at, book
from tests.bookings.remote_fakes import (
    TENCENT_API,
    TENCENT_SECRET,
    ZOOM_API,
    ZOOM_SECRET,
    ZOOM_TOKEN_URL,
    remote_room,
    tencent_created,
    tencent_error,
    tencent_provider,
    zoom_created,
    zoom_provider,
    zoom_token,
)
from tests.factories import ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db

St = ProviderMeeting.State


@pytest.fixture
def organizer(db):
    return UserFactory(email="organizer@example.com", name="Olga Organizer", language="en")


@pytest.fixture
def eager_retrying():
    from meetingops.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_always_eager = False


def approve(booking, approver, capture):
    with capture(execute=True):
        services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def test_provider_client_gives_each_remote_kind_its_client_with_the_stored_credentials(db):
    tencent = provider_client(tencent_provider())
    zoom = provider_client(zoom_provider())
    assert isinstance(tencent, TencentClient)
    assert isinstance(zoom, ZoomClient)
    assert tencent.credentials.secret_key == TENCENT_SECRET
    assert tencent.credentials.userid == "host-userid"
    assert zoom.credentials.client_secret == ZOOM_SECRET
    assert zoom.credentials.user_id == "host@example.com"


@pytest.mark.parametrize("kind", ["manual", "jitsi"])
def test_provider_client_refuses_a_provider_without_a_rest_api(db, kind):
    provider = ProviderFactory(name=kind, kind=kind)
    with pytest.raises(ValueError, match="has no REST client"):
        provider_client(provider)


def test_an_approval_in_a_tencent_room_creates_the_meeting_signed_with_the_account(
    organizer, approver, policy, eager_tasks, django_capture_on_commit_callbacks
):
    room = remote_room(tencent_provider(registered=True))
    with respx.mock(base_url=TENCENT_API, assert_all_called=True) as api:
        route = api.post("/v1/meetings").respond(200, json=tencent_created())
        booking = approve(book(organizer, room), approver, django_capture_on_commit_callbacks)
    request = route.calls.last.request
    assert request.headers["X-TC-Key"] == "AKIDtencent"
    assert request.headers["AppId"] == "211153201"
    assert request.headers["SdkId"] == "19367008"
    assert request.headers["X-TC-Registered"] == "1"
    assert request.headers["X-TC-Signature"]
    body = json.loads(request.content)
    assert body["userid"] == "host-userid"
    assert body["subject"] == "Quarterly review"  # the booking's, not the fake answer's
    assert TENCENT_SECRET not in request.content.decode()
    assert booking.join_url == "https://meeting.tencent.com/dm/0kQAaDuFbH0x"
    assert booking.meeting_code == "806146667"
    assert ProviderMeeting.objects.get(booking=booking).remote_id == "7567173273889276131"


def test_a_tencent_refusal_fails_the_row_and_a_cancellation_of_a_created_one_cancels(
    organizer, approver, policy, eager_tasks, django_capture_on_commit_callbacks
):
    room = remote_room(tencent_provider())
    refusal = tencent_error(9003, "bad userid")
    with respx.mock(base_url=TENCENT_API) as api:
        api.post("/v1/meetings").respond(400, json=refusal)
        failed = approve(book(organizer, room), approver, django_capture_on_commit_callbacks)
    row = ProviderMeeting.objects.get(booking=failed)
    assert row.state == St.FAILED
    assert "bad userid" in row.last_error
    assert failed.join_url == ""

    booking = book(organizer, room, start=at(2, "14:00"), end=at(2, "15:00"))
    with respx.mock(base_url=TENCENT_API) as api:
        api.post("/v1/meetings").respond(200, json=tencent_created("111"))
        booking = approve(booking, approver, django_capture_on_commit_callbacks)
        cancel = api.post("/v1/meetings/111/cancel").respond(200, json={})
        with django_capture_on_commit_callbacks(execute=True):
            services.booking_cancel(booking=booking, actor=organizer)
    assert json.loads(cancel.calls.last.request.content)["userid"] == "host-userid"
    assert ProviderMeeting.objects.get(booking=booking).state == St.CANCELLED


def test_a_zoom_meeting_is_created_after_a_5xx_with_the_oauth_token(
    organizer, approver, policy, eager_retrying, django_capture_on_commit_callbacks
):
    room = remote_room(zoom_provider())
    with respx.mock(assert_all_called=True) as api:
        token = api.post(ZOOM_TOKEN_URL).respond(200, json=zoom_token("tok"))
        create = api.post(f"{ZOOM_API}/users/host@example.com/meetings").mock(
            side_effect=[
                respx.MockResponse(503, json={"code": 503, "message": "try later"}),
                respx.MockResponse(201, json=zoom_created()),
            ]
        )
        booking = approve(book(organizer, room), approver, django_capture_on_commit_callbacks)
    assert token.calls.last.request.url.params["account_id"] == "zoom-account"
    assert create.call_count == 2
    assert create.calls.last.request.headers["Authorization"] == "Bearer tok"
    row = ProviderMeeting.objects.get(booking=booking)
    assert (row.state, row.attempts, row.remote_uuid) == (St.CREATED, 2, "aDYlohsHRtCd4ii1uC2+hA==")
    assert booking.join_url == "https://us05web.zoom.us/j/85746065432?pwd=abc"
    assert "zak=" not in booking.join_url  # the host's start link is never the invitees'
