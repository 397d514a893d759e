"""BK-17: Zoom's REST client against its HTTP boundary (respx), in the shapes its API
documents: the Server-to-Server OAuth token (Basic auth, cached, fetched again on a
401), create / update / delete, past meeting participants over several pages with
their double-encoded UUID, and failures."""

from __future__ import annotations

import base64
import datetime as dt
import json
import zoneinfo

import httpx
import pytest
import respx
import time_machine

from bookings.models import Provider
from bookings.providers import MeetingSpec, ProviderError, RemoteMeeting
from bookings.remote.zoom import ZoomClient, meeting_uuid_path, recurrence
from tests.bookings.remote_fakes import (
    ZOOM_API,
    ZOOM_TOKEN_URL,
    remote_logs,
    zoom_created,
    zoom_participant,
    zoom_participants,
    zoom_token,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
API = ZOOM_API
TOKEN_URL = ZOOM_TOKEN_URL
CREDENTIALS = {
    "account_id": "acct-Zx81",
    "client_id": "ClientIdForTests",
    "client_secret": "ClientSecretForTests",
    "user_id": "room-b@example.com",
}
BASIC = "Basic " + base64.b64encode(b"ClientIdForTests:ClientSecretForTests").decode()
TOKEN = "eyJ.first-access-token"


def local(day: int, hhmm: str) -> dt.datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return dt.datetime(2026, 12, day, hours, minutes, tzinfo=SHANGHAI)


def one_meeting(**extra) -> MeetingSpec:
    values = {
        "topic": "Budget 2027",
        "start": local(9, "10:00"),
        "end": local(9, "11:30"),
        "time_zone": "Asia/Shanghai",
        "password": "246810",
        "agenda": "Numbers",
    }
    values.update(extra)
    return MeetingSpec(**values)


@pytest.fixture
def zoom_api():
    with respx.mock(assert_all_called=False) as mock:
        mock.token = mock.post(TOKEN_URL).respond(200, json=zoom_token())
        yield mock


def client(**extra) -> ZoomClient:
    return ZoomClient(credentials={**CREDENTIALS, **extra})


MEETING = RemoteMeeting(
    remote_id="85746065432",
    join_url="https://us05web.zoom.us/j/85746065432?pwd=abc",
    code="85746065432",
    password="246810",
    uuid="aDYlohsHRtCd4ii1uC2+hA==",
)


@pytest.fixture
def remote_log():
    with remote_logs() as lines:
        yield lines


# -- the token -------------------------------------------------------------------------


def test_the_token_is_asked_for_with_account_credentials_and_basic_auth(zoom_api):
    meetings = zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(
        201, json=zoom_created()
    )

    client().create(one_meeting())

    request = zoom_api.token.calls.last.request
    assert request.method == "POST"
    assert dict(request.url.params) == {
        "grant_type": "account_credentials",
        "account_id": "acct-Zx81",
    }
    assert request.headers["Authorization"] == BASIC
    assert meetings.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_the_token_is_reused_until_shortly_before_it_expires(zoom_api, settings):
    # A cache in this process, whose expiry follows the travelling clock (Redis keeps
    # its own).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    zoom_api.token.side_effect = [
        httpx.Response(200, json=zoom_token("eyJ.one")),
        httpx.Response(200, json=zoom_token("eyJ.two")),
    ]
    meetings = zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(
        201, json=zoom_created()
    )
    now = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)

    client().create(one_meeting())  # a new client, as each task makes: the cache is shared
    with time_machine.travel(now + dt.timedelta(seconds=3600 - 301), tick=False):
        client().create(one_meeting())
    with time_machine.travel(now + dt.timedelta(seconds=3600 - 299), tick=False):
        client().create(one_meeting())

    assert zoom_api.token.call_count == 2
    used = [call.request.headers["Authorization"] for call in meetings.calls]
    assert used == ["Bearer eyJ.one", "Bearer eyJ.one", "Bearer eyJ.two"]


def test_new_credentials_never_reuse_the_old_apps_token(zoom_api):
    zoom_api.token.side_effect = [
        httpx.Response(200, json=zoom_token("eyJ.one")),
        httpx.Response(200, json=zoom_token("eyJ.two")),
    ]
    zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(201, json=zoom_created())

    client().create(one_meeting())
    client(client_id="AnotherClientId").create(one_meeting())

    assert zoom_api.token.call_count == 2


def test_a_cache_that_fails_costs_a_token_request_not_the_call(zoom_api, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is away")

    monkeypatch.setattr("bookings.remote.zoom.cache.get", unreachable)
    monkeypatch.setattr("bookings.remote.zoom.cache.set", unreachable)
    zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(201, json=zoom_created())

    assert client().create(one_meeting()) == MEETING
    assert zoom_api.token.call_count == 1


def test_an_expired_token_is_fetched_again_once_and_the_call_succeeds(zoom_api):
    zoom_api.token.side_effect = [
        httpx.Response(200, json=zoom_token("eyJ.stale")),
        httpx.Response(200, json=zoom_token("eyJ.fresh")),
    ]
    meetings = zoom_api.post(f"{API}/users/room-b%40example.com/meetings")
    meetings.side_effect = [
        httpx.Response(401, json={"code": 124, "message": "Invalid access token."}),
        httpx.Response(201, json=zoom_created()),
        httpx.Response(201, json=zoom_created()),
    ]

    meeting = client().create(one_meeting())
    client().create(one_meeting())  # the next task takes the fresh token from the cache

    assert meeting.remote_id == "85746065432"
    assert zoom_api.token.call_count == 2
    used = [call.request.headers["Authorization"] for call in meetings.calls]
    assert used == ["Bearer eyJ.stale", "Bearer eyJ.fresh", "Bearer eyJ.fresh"]


def test_a_second_401_is_refused_after_one_refresh_only(zoom_api):
    meetings = zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(
        401, json={"code": 124, "message": "Invalid access token."}
    )

    with pytest.raises(ProviderError) as failure:
        client().create(one_meeting())

    assert (failure.value.status, failure.value.code, failure.value.transient) == (
        401,
        "124",
        False,
    )
    assert meetings.call_count == 2
    assert zoom_api.token.call_count == 2


def test_credentials_zoom_refuses_fail_without_revealing_them(zoom_api, remote_log):
    zoom_api.token.respond(
        400, json={"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
    )

    with pytest.raises(ProviderError) as failure:
        client().create(one_meeting())

    assert (failure.value.code, failure.value.transient) == ("invalid_client", False)
    for text in [failure.value.message, repr(failure.value), *remote_log]:
        assert "ClientSecretForTests" not in text
        assert "ClientIdForTests" not in text


# -- create, update, delete ------------------------------------------------------------


def test_create_posts_the_documented_meeting_for_the_host_user(zoom_api):
    route = zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(
        201, json=zoom_created()
    )

    meeting = client().create(one_meeting())

    assert json.loads(route.calls.last.request.content) == {
        "topic": "Budget 2027",
        "type": 2,
        "start_time": "2026-12-09T02:00:00Z",
        "duration": 90,
        "timezone": "Asia/Shanghai",
        "agenda": "Numbers",
        "password": "246810",
        "settings": {"join_before_host": True, "waiting_room": False, "auto_recording": "none"},
    }
    assert meeting == MEETING


def test_a_series_is_created_with_fixed_times_and_each_occurrence_id(zoom_api):
    starts = [local(9, "10:00"), local(14, "10:00"), local(16, "10:00")]
    occurrences = [
        {
            "occurrence_id": str(int(s.timestamp()) * 1000),
            "start_time": s.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration": 90,
            "status": "available",
        }
        for s in starts
    ]
    route = zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(
        201, json=zoom_created(type=8, occurrences=occurrences)
    )
    spec = one_meeting(
        slots=tuple((s, s + dt.timedelta(minutes=90)) for s in starts),
        recurrence={"freq": "weekly", "interval": 1, "weekdays": [1, 3], "count": 3},
        recording_allowed=True,
    )

    meeting = client().create(spec)

    body = json.loads(route.calls.last.request.content)
    assert body["type"] == 8
    assert body["recurrence"] == {
        "type": 2,
        "repeat_interval": 1,
        "weekly_days": "2,4",  # Monday, Wednesday (1 is Sunday)
        "end_date_time": "2026-12-16T02:00:00Z",
    }
    assert body["settings"]["auto_recording"] == "cloud"
    assert meeting.occurrence_keys == {
        "2026-12-09T02:00:00Z": "1796781600000",
        "2026-12-14T02:00:00Z": "1797213600000",
        "2026-12-16T02:00:00Z": "1797386400000",
    }


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"freq": "daily", "interval": 2}, {"type": 1, "repeat_interval": 2}),
        (
            {"freq": "weekly", "interval": 2, "weekdays": [7]},
            {"type": 2, "repeat_interval": 2, "weekly_days": "1"},
        ),
        ({"freq": "monthly", "interval": 3}, {"type": 3, "repeat_interval": 3, "monthly_day": 9}),
    ],
)
def test_booking_rules_map_to_zoom_recurrence(rule, expected):
    assert recurrence(one_meeting(recurrence=rule)) == {
        **expected,
        "end_date_time": "2026-12-09T02:00:00Z",
    }


def test_a_monthly_repeat_zoom_cannot_make_fails_before_any_call(zoom_api):
    with pytest.raises(ProviderError) as failure:
        client().create(one_meeting(recurrence={"freq": "monthly", "interval": 4}))

    assert (failure.value.code, failure.value.transient) == ("recurrence_unsupported", False)
    assert not zoom_api.token.called


def test_update_patches_the_meeting_which_answers_204(zoom_api):
    route = zoom_api.patch(f"{API}/meetings/85746065432").respond(204)

    after = client().update(MEETING, one_meeting(start=local(10, "14:00"), end=local(10, "15:00")))

    body = json.loads(route.calls.last.request.content)
    assert (body["start_time"], body["duration"]) == ("2026-12-10T06:00:00Z", 60)
    assert after == MEETING


def test_update_of_a_series_reads_its_new_occurrence_ids(zoom_api):
    zoom_api.patch(f"{API}/meetings/85746065432").respond(204)
    zoom_api.get(f"{API}/meetings/85746065432").respond(
        200,
        json=zoom_created(
            type=8,
            occurrences=[
                {
                    "occurrence_id": "1796788800000",
                    "start_time": "2026-12-09T04:00:00Z",
                    "status": "available",
                },
                {
                    "occurrence_id": "1797220800000",
                    "start_time": "2026-12-14T04:00:00Z",
                    "status": "deleted",
                },
            ],
        ),
    )
    spec = one_meeting(
        start=local(9, "12:00"),
        end=local(9, "13:00"),
        recurrence={"freq": "weekly", "interval": 1, "weekdays": [1, 3], "count": 3},
    )

    after = client().update(MEETING, spec)

    assert after.occurrence_keys == {"2026-12-09T04:00:00Z": "1796788800000"}


def test_update_of_one_meeting_of_a_series_patches_only_that_occurrence(zoom_api):
    route = zoom_api.patch(f"{API}/meetings/85746065432").respond(204)
    zoom_api.get(f"{API}/meetings/85746065432").respond(
        200,
        json=zoom_created(
            type=8,
            occurrences=[{"occurrence_id": "1797213600000", "start_time": "2026-12-15T07:00:00Z"}],
        ),
    )

    after = client().update(
        MEETING,
        one_meeting(start=local(15, "15:00"), end=local(15, "16:00")),
        occurrence_key="1797213600000",
    )

    request = route.calls.last.request
    assert request.url.params["occurrence_id"] == "1797213600000"
    assert json.loads(request.content) == {
        "start_time": "2026-12-15T07:00:00Z",
        "duration": 60,
        "timezone": "Asia/Shanghai",
    }
    assert after.occurrence_keys == {"2026-12-15T07:00:00Z": "1797213600000"}


def test_delete_cancels_the_meeting(zoom_api):
    route = zoom_api.delete(f"{API}/meetings/85746065432").respond(204)

    client().cancel(MEETING)

    assert route.called
    assert "occurrence_id" not in route.calls.last.request.url.params


def test_delete_of_one_meeting_of_a_series_names_its_occurrence(zoom_api):
    route = zoom_api.delete(f"{API}/meetings/85746065432").respond(204)

    client().cancel(MEETING, occurrence_key="1797213600000")

    assert route.calls.last.request.url.params["occurrence_id"] == "1797213600000"


def test_a_meeting_already_gone_is_cancelled_not_failed(zoom_api, remote_log):
    zoom_api.delete(f"{API}/meetings/85746065432").respond(
        404, json={"code": 3001, "message": "Meeting does not exist: 85746065432."}
    )

    client().cancel(MEETING)

    assert any("already gone" in line for line in remote_log)


# -- attendance ------------------------------------------------------------------------


def test_past_participants_are_read_over_every_page(zoom_api):
    path = f"{API}/past_meetings/aDYlohsHRtCd4ii1uC2%2BhA%3D%3D/participants"
    first = {
        "page_count": 2,
        "page_size": 300,
        "total_records": 3,
        "next_page_token": "Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh3",
        "participants": [
            {
                "id": "30R7kT7bTIKSNUFEuH_Qlg",
                "name": "Olga Organizer",
                "user_email": "organizer@example.com",
                "join_time": "2026-12-09T01:58:00Z",
                "leave_time": "2026-12-09T03:30:00Z",
                "duration": 5520,
            },
            {
                "id": "",
                "name": "Guest",
                "user_email": "",
                "join_time": "2026-12-09T02:10:00Z",
                "leave_time": "2026-12-09T02:40:00Z",
                "duration": 1800,
            },
        ],
    }
    second = {
        "next_page_token": "",
        "participants": [
            {
                "id": "8b29rgg4bb",
                "name": "Wang",
                "user_email": "wang@example.com",
                "join_time": "2026-12-09T02:20:00Z",
                "duration": 600,
            }
        ],
    }
    route = zoom_api.get(path)
    route.side_effect = [httpx.Response(200, json=first), httpx.Response(200, json=second)]

    records = client().participants(MEETING)

    assert [(r.name, r.email, r.user_key, r.joined_at, r.left_at) for r in records] == [
        (
            "Olga Organizer",
            "organizer@example.com",
            "30R7kT7bTIKSNUFEuH_Qlg",
            dt.datetime(2026, 12, 9, 1, 58, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 9, 3, 30, tzinfo=dt.UTC),
        ),
        (
            "Guest",
            "",
            "",
            dt.datetime(2026, 12, 9, 2, 10, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 9, 2, 40, tzinfo=dt.UTC),
        ),
        (
            "Wang",
            "wang@example.com",
            "8b29rgg4bb",
            dt.datetime(2026, 12, 9, 2, 20, tzinfo=dt.UTC),
            None,
        ),
    ]
    first_params, second_params = (call.request.url.params for call in route.calls)
    assert first_params["page_size"] == "300"
    assert "next_page_token" not in first_params
    assert second_params["next_page_token"] == "Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh3"


def test_a_meeting_nobody_joined_has_no_participants(zoom_api):
    zoom_api.get(f"{API}/past_meetings/aDYlohsHRtCd4ii1uC2%2BhA%3D%3D/participants").respond(
        404, json={"code": 3001, "message": "Meeting does not exist: aDYlohsHRtCd4ii1uC2+hA==."}
    )

    assert client().participants(MEETING) == []


@pytest.mark.parametrize(
    ("uuid", "raw"),
    [
        ("/ajXp112QmuoKj4854875==", "%252FajXp112QmuoKj4854875%253D%253D"),
        ("Ab//cd+ef==", "Ab%252F%252Fcd%252Bef%253D%253D"),
        ("aDYlohsHRtCd4ii1uC2+hA==", "aDYlohsHRtCd4ii1uC2%2BhA%3D%3D"),
    ],
)
def test_a_uuid_starting_with_a_slash_or_holding_two_is_double_encoded(zoom_api, uuid, raw):
    assert meeting_uuid_path(uuid) == raw
    route = zoom_api.get(url__regex=r"/past_meetings/").respond(200, json={"participants": []})

    client().participants(RemoteMeeting("85746065432", "https://x", "85746065432", uuid=uuid))

    assert route.calls.last.request.url.raw_path.decode().startswith(
        f"/v2/past_meetings/{raw}/participants?"
    )


def test_participants_of_one_meeting_of_a_series_come_from_its_instance(zoom_api):
    series = RemoteMeeting(
        "85746065432",
        "https://x",
        "85746065432",
        occurrence_keys={
            "2026-12-09T02:00:00Z": "1796781600000",
            "2026-12-14T02:00:00Z": "1797213600000",
        },
    )
    zoom_api.get(f"{API}/past_meetings/85746065432/instances").respond(
        200,
        json={
            "meetings": [
                {"uuid": "first==", "start_time": "2026-12-09T01:57:00Z"},
                {"uuid": "/second==", "start_time": "2026-12-14T02:06:00Z"},
            ]
        },
    )
    route = zoom_api.get(f"{API}/past_meetings/%252Fsecond%253D%253D/participants").respond(
        200,
        json=zoom_participants(
            [zoom_participant("Wang", "wang@example.com", local(14, "10:06"), local(14, "11:00"))]
        ),
    )

    records = client().participants(series, occurrence_key="1797213600000")

    assert [r.email for r in records] == ["wang@example.com"]
    assert route.call_count == 1


# -- failures --------------------------------------------------------------------------


def test_a_429_is_transient_with_the_wait_it_asks_for(zoom_api):
    zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(
        429,
        headers={"Retry-After": "Tue, 08 Dec 2026 01:00:00 GMT"},
        json={"code": 429, "message": "You have reached the maximum daily rate limit."},
    )

    with pytest.raises(ProviderError) as failure:
        client().create(one_meeting())

    # The tests stand at 2026-12-07T01:00Z: Zoom asks to wait until the next day.
    assert (failure.value.transient, failure.value.retry_after) == (True, 86400.0)


def test_a_5xx_is_transient_and_the_callers_retry_then_succeeds(zoom_api):
    route = zoom_api.post(f"{API}/users/room-b%40example.com/meetings")
    route.side_effect = [httpx.Response(503), httpx.Response(201, json=zoom_created())]
    zoom = client()

    with pytest.raises(ProviderError) as failure:
        zoom.create(one_meeting())
    assert (failure.value.transient, failure.value.status) == (True, 503)

    assert zoom.create(one_meeting()) == MEETING
    assert zoom_api.token.call_count == 1


def test_a_4xx_is_not_transient_and_keeps_zooms_code(zoom_api):
    zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(
        404, json={"code": 1001, "message": "User does not exist: room-b@example.com."}
    )

    with pytest.raises(ProviderError) as failure:
        client().create(one_meeting())

    assert (failure.value.transient, failure.value.status, failure.value.code) == (
        False,
        404,
        "1001",
    )
    assert "User does not exist" in failure.value.message


# -- credentials -----------------------------------------------------------------------


def test_secrets_and_the_token_never_reach_the_logs_the_error_or_the_repr(zoom_api, remote_log):
    zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(201, json=zoom_created())
    zoom_api.patch(f"{API}/meetings/85746065432").respond(
        400,
        json={
            "code": 300,
            "message": f"Bad: ClientIdForTests/ClientSecretForTests/{BASIC} {TOKEN}",
        },
    )
    zoom = client()
    zoom.create(one_meeting())

    with pytest.raises(ProviderError) as failure:
        zoom.update(MEETING, one_meeting())

    assert remote_log
    for text in [
        failure.value.message,
        repr(failure.value),
        repr(zoom),
        repr(zoom.credentials),
        *remote_log,
    ]:
        for secret in ("ClientSecretForTests", "ClientIdForTests", TOKEN, BASIC[6:]):
            assert secret not in text


def test_credentials_are_read_from_the_provider(zoom_api, monkeypatch):
    monkeypatch.setattr(Provider, "credentials", lambda self: CREDENTIALS, raising=False)
    zoom_api.post(f"{API}/users/room-b%40example.com/meetings").respond(201, json=zoom_created())
    provider = Provider(pk=7, name="Zoom account", kind=Provider.Kind.ZOOM)

    zoom = ZoomClient(provider)

    assert zoom.create(one_meeting()) == MEETING
    assert zoom.token_cache_key.startswith("bookings.remote.zoom.token:7:")
    assert repr(zoom) == "<ZoomClient 'Zoom account'>"


def test_missing_credentials_are_named_and_not_retried():
    with pytest.raises(ProviderError) as failure:
        ZoomClient(credentials={"account_id": "acct-Zx81", "client_secret": "ClientSecretForTests"})

    assert (failure.value.code, failure.value.transient) == ("credentials_missing", False)
    assert "client_id" in failure.value.message
    assert "user_id" in failure.value.message
    assert "ClientSecretForTests" not in failure.value.message
