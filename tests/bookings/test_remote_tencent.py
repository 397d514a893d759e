"""BK-17: Tencent Meeting's REST client against its HTTP boundary (respx), in the shapes
its API documents: the AK/SK signature against a vector computed by hand (openssl
dgst -sha256 -hmac, then base64, over the documented string to sign), the headers,
create / modify / cancel, the attendance list over several pages, and failures."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import httpx
import pytest
import respx

from bookings.models import Provider
from bookings.providers import MeetingSpec, ProviderError, RemoteMeeting
from bookings.remote.tencent import TencentClient, recurring_rule, tencent_signature
from tests.bookings.remote_fakes import (
    TENCENT_API,
    remote_logs,
    tencent_created,
    tencent_error,
    tencent_participant,
    tencent_participants,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
API = TENCENT_API
CREDENTIALS = {
    "app_id": "200000001",
    "sdk_id": "19000001",
    "secret_id": "AKIDTestSecretId",
    "secret_key": "TestSecretKey",
    "userid": "room-a",
}
NOW_TS = 1796605200  # 2026-12-07T01:00:00Z, the bookings tests' frozen moment
NONCE = 12345678

# The vectors were computed by hand with openssl from the documented string to sign.
# GET (nonce 1): printf 'GET\nX-TC-Key=AKIDTestSecretId&X-TC-Nonce=1&X-TC-Timestamp=1796605200
#   \n/v1/meetings/7567173273889276131/participants?userid=room-a&pos=0&size=100\n'
#   | openssl dgst -sha256 -hmac TestSecretKey -r | cut -d' ' -f1 | tr -d '\n' | base64 -w0
# The documented body of the create below, byte for byte, and its X-TC-Signature:
#   printf 'POST\nX-TC-Key=AKIDTestSecretId&X-TC-Nonce=12345678&X-TC-Timestamp=1796605200
#   \n/v1/meetings\n%s' "$BODY" | openssl dgst -sha256 -hmac TestSecretKey -r | cut -d' ' -f1
#   | tr -d '\n' | base64 -w0
CREATE_BODY = (
    '{"userid":"room-a","instanceid":1,"subject":"Budget 2027","type":0,'
    '"start_time":"1796781600","end_time":"1796785200","time_zone":"Asia/Shanghai",'
    '"settings":{"allow_in_before_host":true,"auto_in_waiting_room":false,'
    '"auto_record_type":"none"},"password":"246810"}'
)
CREATE_SIGNATURE = (
    "YWM5Nzg0MjA1MmQzNTg4OGE3M2EyMGQ1ZDBiZWU4YjEzMzI4ZDgwNDBmYWNlZDRhODA5ZTFjOTE2M2QxYjc4ZA=="
)


PARTICIPANTS_SIGNATURE = (
    "MTczZmIyMGZhZjIxMDYxNDZlNDk1MjgwOWFkOTAyNzlmN2ZkMzcyOTY0OWQ2NDRjMGRiNzJjNzVhMWQ5MzMxZQ=="
)


def local(day: int, hhmm: str) -> dt.datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return dt.datetime(2026, 12, day, hours, minutes, tzinfo=SHANGHAI)


def one_meeting(**extra) -> MeetingSpec:
    values = {
        "topic": "Budget 2027",
        "start": local(9, "10:00"),
        "end": local(9, "11:00"),
        "time_zone": "Asia/Shanghai",
        "password": "246810",
    }
    values.update(extra)
    return MeetingSpec(**values)


def weekly_series() -> MeetingSpec:
    """Mondays and Wednesdays 10:00-11:00 from Wednesday 9 December, four meetings."""
    starts = [local(9, "10:00"), local(14, "10:00"), local(16, "10:00"), local(21, "10:00")]
    return one_meeting(
        slots=tuple((s, s + dt.timedelta(hours=1)) for s in starts),
        recurrence={"freq": "weekly", "interval": 1, "weekdays": [1, 3], "count": 4},
    )


def client(**extra) -> TencentClient:
    return TencentClient(
        credentials={**CREDENTIALS, **extra}, clock=lambda: NOW_TS, nonce=lambda: NONCE
    )


@pytest.fixture
def api():
    with respx.mock(base_url=API, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def remote_log():
    with remote_logs() as lines:
        yield lines


# -- the signature ---------------------------------------------------------------------


def test_a_get_is_signed_over_its_path_and_query_with_an_empty_body(api):
    route = api.get("/v1/meetings/7567173273889276131/participants").respond(
        200, json={"participants": [], "has_remaining": False}
    )
    tencent = TencentClient(credentials=CREDENTIALS, clock=lambda: NOW_TS, nonce=lambda: 1)

    tencent.participants(RemoteMeeting("7567173273889276131", "https://x", "806146667"))

    request = route.calls.last.request
    assert request.url.raw_path == (
        b"/v1/meetings/7567173273889276131/participants?userid=room-a&pos=0&size=100"
    )
    assert request.content == b""
    assert request.headers["X-TC-Signature"] == PARTICIPANTS_SIGNATURE


def test_signature_of_a_get_matches_the_vector_computed_by_hand():
    assert tencent_signature(
        secret_id="AKIDTestSecretId",
        secret_key="TestSecretKey",
        method="GET",
        nonce="1",
        timestamp="1796605200",
        uri="/v1/meetings/7567173273889276131/participants?userid=room-a&pos=0&size=100",
        body="",
    ) == (
        "MTczZmIyMGZhZjIxMDYxNDZlNDk1MjgwOWFkOTAyNzlmN2ZkMzcyOTY0OWQ2NDRjMGRiNzJjNzVhMWQ5MzMxZQ=="
    )


def test_create_sends_the_documented_body_signed_with_the_known_vector(api):
    route = api.post("/v1/meetings").respond(200, json=tencent_created())

    meeting = client().create(one_meeting())

    request = route.calls.last.request
    assert request.content.decode() == CREATE_BODY
    # Tencent reads the header names case-sensitively: they go out as documented.
    sent = {name.decode(): value.decode() for name, value in request.headers.raw}
    assert sent["X-TC-Key"] == "AKIDTestSecretId"
    assert sent["X-TC-Timestamp"] == str(NOW_TS)
    assert sent["X-TC-Nonce"] == str(NONCE)
    assert sent["X-TC-Signature"] == CREATE_SIGNATURE
    assert sent["AppId"] == "200000001"
    assert sent["SdkId"] == "19000001"
    assert sent["X-TC-Registered"] == "1"
    assert sent["Content-Type"] == "application/json"
    assert meeting == RemoteMeeting(
        remote_id="7567173273889276131",
        join_url="https://meeting.tencent.com/dm/0kQAaDuFbH0x",
        code="806146667",
        password="246810",
    )


def test_sdk_id_and_registered_header_are_left_out_when_the_account_has_none(api):
    route = api.post("/v1/meetings").respond(200, json=tencent_created())

    client(sdk_id="", registered=False).create(one_meeting())

    headers = route.calls.last.request.headers
    assert "SdkId" not in headers
    assert "X-TC-Registered" not in headers
    assert headers["X-TC-Signature"] == CREATE_SIGNATURE  # the signature does not cover them


def test_each_call_is_signed_with_its_own_timestamp_and_nonce(api):
    route = api.post("/v1/meetings").respond(200, json=tencent_created())
    nonces = iter([1, 2])
    tencent = TencentClient(credentials=CREDENTIALS, nonce=lambda: next(nonces))

    tencent.create(one_meeting())
    tencent.create(one_meeting())

    first, second = (call.request.headers for call in route.calls)
    assert (first["X-TC-Nonce"], second["X-TC-Nonce"]) == ("1", "2")
    assert first["X-TC-Signature"] != second["X-TC-Signature"]
    assert first["X-TC-Timestamp"] == str(NOW_TS)  # the real clock, frozen by the tests


# -- create, modify, cancel ------------------------------------------------------------


def test_recording_allowed_asks_for_cloud_recording_and_no_password_sends_none(api):
    route = api.post("/v1/meetings").respond(200, json=tencent_created(password=""))

    meeting = client().create(one_meeting(password="", recording_allowed=True))

    body = json.loads(route.calls.last.request.content)
    assert body["settings"]["auto_record_type"] == "cloud"
    assert "password" not in body
    assert meeting.password == ""


@pytest.mark.parametrize("password", ["123", "1234567", "12ab56"])
def test_a_password_tencent_would_refuse_fails_before_any_call(api, password):
    route = api.post("/v1/meetings").respond(200, json=tencent_created())

    with pytest.raises(ProviderError) as failure:
        client().create(one_meeting(password=password))

    assert failure.value.code == "invalid_password"
    assert not failure.value.transient
    assert not route.called


def test_a_series_is_created_with_its_rule_and_each_sub_meetings_key(api):
    create = api.post("/v1/meetings").respond(200, json=tencent_created())
    starts = [local(9, "10:00"), local(14, "10:00"), local(16, "10:00"), local(21, "10:00")]
    subs = [
        {
            "sub_meeting_id": f"17965{n}",
            "status": 0,
            "start_time": str(int(s.timestamp())),
            "end_time": str(int(s.timestamp()) + 3600),
        }
        for n, s in enumerate(starts)
    ]
    query = api.get("/v1/meetings/7567173273889276131").respond(
        200, json=tencent_created(meeting_type=1, sub_meetings=subs)
    )

    meeting = client().create(weekly_series())

    body = json.loads(create.calls.last.request.content)
    assert body["meeting_type"] == 1
    assert body["start_time"] == str(int(starts[0].timestamp()))
    assert body["recurring_rule"] == {
        "recurring_type": 5,
        "customized_recurring_type": 1,
        "customized_recurring_step": 1,
        "customized_recurring_days": 2 + 8,  # Monday and Wednesday
        "until_type": 0,
        "until_date": int(starts[-1].timestamp()),
    }
    assert query.calls.last.request.url.params["userid"] == "room-a"
    assert meeting.occurrence_keys == {
        "2026-12-09T02:00:00Z": "179650",
        "2026-12-14T02:00:00Z": "179651",
        "2026-12-16T02:00:00Z": "179652",
        "2026-12-21T02:00:00Z": "179653",
    }


def test_sub_meetings_listed_in_the_create_answer_need_no_query(api):
    sub = {"sub_meeting_id": "1796781600", "status": 0, "start_time": "1796781600"}
    api.post("/v1/meetings").respond(200, json=tencent_created(sub_meetings=[sub]))
    query = api.get("/v1/meetings/7567173273889276131").respond(500)

    meeting = client().create(weekly_series())

    assert meeting.occurrence_keys == {"2026-12-09T02:00:00Z": "1796781600"}
    assert not query.called


def test_a_created_series_whose_sub_meetings_cannot_be_read_is_still_returned(api):
    """The meeting exists: failing the create would have the task schedule it twice."""
    api.post("/v1/meetings").respond(200, json=tencent_created())
    api.get("/v1/meetings/7567173273889276131").respond(503)

    meeting = client().create(weekly_series())

    assert meeting.remote_id == "7567173273889276131"
    assert meeting.occurrence_keys == {}


@pytest.mark.parametrize(
    ("recurrence", "start", "expected"),
    [
        ({"freq": "daily", "interval": 1}, local(9, "10:00"), {"recurring_type": 0}),
        (
            {"freq": "daily", "interval": 3},
            local(9, "10:00"),
            {"recurring_type": 5, "customized_recurring_type": 0, "customized_recurring_step": 3},
        ),
        (
            {"freq": "weekly", "interval": 1, "weekdays": []},
            local(9, "10:00"),
            {"recurring_type": 2},
        ),
        (
            {"freq": "weekly", "interval": 2, "weekdays": [3]},
            local(9, "10:00"),
            {"recurring_type": 3},
        ),
        (
            {"freq": "weekly", "interval": 1, "weekdays": [1, 2, 3, 4, 5]},
            local(9, "10:00"),
            {"recurring_type": 1},
        ),
        (
            {"freq": "weekly", "interval": 3, "weekdays": [3, 7]},
            local(9, "10:00"),
            {
                "recurring_type": 5,
                "customized_recurring_type": 1,
                "customized_recurring_step": 3,
                "customized_recurring_days": 8 + 1,  # Wednesday and Sunday
            },
        ),
        ({"freq": "monthly", "interval": 1}, local(9, "10:00"), {"recurring_type": 4}),
        (
            # 00:30 in Shanghai is still the 8th in UTC: the date is the company's.
            {"freq": "monthly", "interval": 2},
            local(9, "00:30"),
            {
                "recurring_type": 5,
                "customized_recurring_type": 3,
                "customized_recurring_step": 2,
                "customized_recurring_days": 1 << 8,  # the 9th
            },
        ),
    ],
)
def test_booking_rules_map_to_tencent_recurring_rules(recurrence, start, expected):
    spec = one_meeting(start=start, end=start + dt.timedelta(hours=1), recurrence=recurrence)

    rule = recurring_rule(spec)

    assert rule == {**expected, "until_type": 0, "until_date": int(start.timestamp())}


def test_update_puts_the_meeting_and_removes_a_password_no_longer_wanted(api):
    route = api.put("/v1/meetings/7567173273889276131").respond(
        200,
        json={
            "meeting_number": 1,
            "meeting_info_list": [
                {"meeting_id": "7567173273889276131", "meeting_code": "806146667"}
            ],
        },
    )
    before = RemoteMeeting(
        "7567173273889276131", "https://meeting.tencent.com/dm/x", "806146667", "246810"
    )

    after = client().update(
        before, one_meeting(start=local(10, "14:00"), end=local(10, "15:30"), password="")
    )

    body = json.loads(route.calls.last.request.content)
    assert body["userid"] == "room-a"
    assert body["instanceid"] == 1
    assert "type" not in body
    assert body["start_time"] == str(int(local(10, "14:00").timestamp()))
    assert body["end_time"] == str(int(local(10, "15:30").timestamp()))
    assert body["password"] == ""
    assert after == RemoteMeeting(
        "7567173273889276131", "https://meeting.tencent.com/dm/x", "806146667", ""
    )


def test_update_of_one_meeting_of_a_series_moves_only_its_sub_meeting(api):
    route = api.put("/v1/meetings/7567173273889276131").respond(
        200,
        json={"meeting_number": 1, "meeting_info_list": [{"meeting_id": "7567173273889276131"}]},
    )
    moved = {
        "sub_meeting_id": "179651",
        "status": 0,
        "start_time": str(int(local(15, "15:00").timestamp())),
    }
    api.get("/v1/meetings/7567173273889276131").respond(
        200, json=tencent_created(sub_meetings=[moved])
    )
    series = RemoteMeeting(
        "7567173273889276131",
        "https://x",
        "806146667",
        "246810",
        occurrence_keys={"2026-12-14T02:00:00Z": "179651"},
    )

    after = client().update(
        series,
        one_meeting(start=local(15, "15:00"), end=local(15, "16:00")),
        occurrence_key="179651",
    )

    assert json.loads(route.calls.last.request.content) == {
        "userid": "room-a",
        "instanceid": 1,
        "meeting_type": 1,
        "start_time": str(int(local(15, "15:00").timestamp())),
        "end_time": str(int(local(15, "16:00").timestamp())),
        "recurring_rule": {"sub_meeting_id": "179651"},
    }
    assert after.occurrence_keys == {"2026-12-15T07:00:00Z": "179651"}
    assert after.password == "246810"


def test_cancel_posts_the_reason_code_for_a_single_meeting(api):
    route = api.post("/v1/meetings/7567173273889276131/cancel").respond(200, json={})

    client().cancel(RemoteMeeting("7567173273889276131", "https://x", "806146667"))

    assert json.loads(route.calls.last.request.content) == {
        "userid": "room-a",
        "instanceid": 1,
        "reason_code": 1,
    }


def test_cancel_of_one_meeting_of_a_series_names_its_sub_meeting(api):
    route = api.post("/v1/meetings/7567173273889276131/cancel").respond(200, json={})
    series = RemoteMeeting(
        "7567173273889276131",
        "https://x",
        "806146667",
        occurrence_keys={"2026-12-09T02:00:00Z": "179650", "2026-12-14T02:00:00Z": "179651"},
    )

    client().cancel(series, occurrence_key="179651")

    body = json.loads(route.calls.last.request.content)
    assert body["meeting_type"] == 1
    assert body["sub_meeting_id"] == "179651"
    assert body["reason_code"] == 1


# -- attendance ------------------------------------------------------------------------


def test_participants_are_read_over_every_page_with_base64_names_and_aware_times(api):
    path = "/v1/meetings/7567173273889276131/participants"
    first = [
        tencent_participant("olga", "Olga Organizer", local(9, "09:58"), local(9, "11:00")),
        tencent_participant("wang", "王小明", local(9, "10:07"), local(9, "10:40")),
    ]
    second = [
        tencent_participant("wang", "王小明", local(9, "10:45"), local(9, "11:00")),  # came back
        tencent_participant("", "Guest 访客", local(9, "10:02"), None),  # still in the meeting
    ]
    api.get(path, params={"pos": "0"}).respond(
        200, json=tencent_participants(first, has_remaining=True, next_pos=2)
    )
    api.get(path, params={"pos": "2"}).respond(
        200, json=tencent_participants(second, has_remaining=True, next_pos=4)
    )
    last = api.get(path, params={"pos": "4"}).respond(
        200, json=tencent_participants([], has_remaining=False)
    )

    records = client().participants(RemoteMeeting("7567173273889276131", "https://x", "806146667"))

    assert [(r.name, r.user_key, r.joined_at, r.left_at) for r in records] == [
        ("Olga Organizer", "olga", local(9, "09:58"), local(9, "11:00")),
        ("王小明", "wang", local(9, "10:07"), local(9, "10:40")),
        ("王小明", "wang", local(9, "10:45"), local(9, "11:00")),
        ("Guest 访客", "", local(9, "10:02"), None),
    ]
    assert all(r.joined_at.tzinfo is not None for r in records)
    params = last.calls.last.request.url.params
    assert (params["userid"], params["size"]) == ("room-a", "100")
    assert "sub_meeting_id" not in params


def test_participants_of_one_meeting_of_a_series_name_its_sub_meeting(api):
    route = api.get("/v1/meetings/7567173273889276131/participants").respond(
        200, json=tencent_participants([], has_remaining=False)
    )

    records = client().participants(
        RemoteMeeting("7567173273889276131", "https://x", "806146667"), occurrence_key="179651"
    )

    assert records == []  # before the meeting starts the list is empty
    assert route.calls.last.request.url.params["sub_meeting_id"] == "179651"


def test_a_participant_list_whose_paging_does_not_advance_is_an_error_not_a_loop(api):
    api.get("/v1/meetings/1/participants").respond(
        200, json=tencent_participants([], has_remaining=True, next_pos=0)
    )

    with pytest.raises(ProviderError) as failure:
        client().participants(RemoteMeeting("1", "https://x", "1"))

    assert failure.value.code == "paging_stuck"


# -- failures --------------------------------------------------------------------------


def test_a_4xx_with_error_info_is_not_transient_and_keeps_the_code(api):
    api.post("/v1/meetings").respond(400, json=tencent_error(190004, "参数非法"))

    with pytest.raises(ProviderError) as failure:
        client().create(one_meeting())

    assert failure.value.transient is False
    assert failure.value.status == 400
    assert failure.value.code == "1000190004"
    assert "参数非法" in failure.value.message


def test_error_info_in_a_2xx_is_still_a_refusal(api):
    api.post("/v1/meetings/1/cancel").respond(200, json=tencent_error(9042, "无权限进行该操作"))

    with pytest.raises(ProviderError) as failure:
        client().cancel(RemoteMeeting("1", "https://x", "1"))

    assert (failure.value.transient, failure.value.code) == (False, "1000009042")


def test_a_5xx_is_transient_and_the_callers_retry_then_succeeds(api):
    route = api.post("/v1/meetings")
    route.side_effect = [
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(200, json=tencent_created()),
    ]
    tencent = client()

    with pytest.raises(ProviderError) as failure:
        tencent.create(one_meeting())
    assert failure.value.transient is True
    assert failure.value.status == 502
    assert route.call_count == 1  # the client does not retry: the task does, with backoff

    assert tencent.create(one_meeting()).remote_id == "7567173273889276131"


def test_a_429_is_transient_with_the_wait_it_asks_for(api):
    api.post("/v1/meetings").respond(
        429, headers={"Retry-After": "30"}, json=tencent_error(190000, "请求过于频繁")
    )

    with pytest.raises(ProviderError) as failure:
        client().create(one_meeting())

    assert (failure.value.transient, failure.value.retry_after) == (True, 30.0)


@pytest.mark.parametrize(
    ("error", "code"),
    [(httpx.ConnectTimeout("slow"), "timeout"), (httpx.ConnectError("down"), "network")],
)
def test_a_timeout_or_a_network_failure_is_transient(api, error, code):
    api.post("/v1/meetings").mock(side_effect=error)

    with pytest.raises(ProviderError) as failure:
        client().create(one_meeting())

    assert (failure.value.transient, failure.value.code) == (True, code)


def test_a_2xx_without_the_meeting_is_not_retried(api):
    api.post("/v1/meetings").respond(200, json={"meeting_number": 0})

    with pytest.raises(ProviderError) as failure:
        client().create(one_meeting())

    assert (failure.value.transient, failure.value.code) == (False, "unreadable_answer")


# -- credentials -----------------------------------------------------------------------


def test_secrets_never_reach_the_logs_the_error_or_the_repr(api, remote_log):
    api.post("/v1/meetings").respond(
        401,
        # A provider that echoes what it was sent must not leak it through us.
        json=tencent_error(190303, "bad key AKIDTestSecretId signed with TestSecretKey"),
    )
    tencent = client()

    with pytest.raises(ProviderError) as failure:
        tencent.create(one_meeting())

    shown = [str(failure.value), failure.value.message, repr(failure.value), repr(tencent)]
    shown += [repr(tencent.credentials), *remote_log]
    assert remote_log  # the call was logged
    for text in shown:
        assert "TestSecretKey" not in text
        assert "AKIDTestSecretId" not in text
    assert failure.value.transient is False


def test_credentials_are_read_from_the_provider(api, monkeypatch):
    monkeypatch.setattr(Provider, "credentials", lambda self: CREDENTIALS, raising=False)
    route = api.post("/v1/meetings").respond(200, json=tencent_created())
    provider = Provider(name="Tencent enterprise", kind=Provider.Kind.TENCENT)

    tencent = TencentClient(provider, clock=lambda: NOW_TS, nonce=lambda: NONCE)
    tencent.create(one_meeting())

    assert route.calls.last.request.headers["X-TC-Signature"] == CREATE_SIGNATURE
    assert repr(tencent) == "<TencentClient 'Tencent enterprise'>"


def test_missing_credentials_are_named_and_not_retried():
    with pytest.raises(ProviderError) as failure:
        TencentClient(credentials={"app_id": "200000001", "secret_key": "TestSecretKey"})

    assert failure.value.code == "credentials_missing"
    assert not failure.value.transient
    assert "secret_id" in failure.value.message
    assert "userid" in failure.value.message
    assert "TestSecretKey" not in failure.value.message
