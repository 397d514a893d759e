"""The remote providers' answers in the shapes their APIs document, for faking them at
their HTTP boundary with respx (tests of bookings/remote/ and of what calls it):

    with respx.mock(base_url=TENCENT_API) as tencent:
        tencent.post("/v1/meetings").respond(200, json=tencent_created())
        tencent.get("/v1/meetings/7567173273889276131/participants").respond(
            200, json=tencent_participants([tencent_participant("wang", "王小明", t0, t1)])
        )

Tencent Meeting: 创建会议 (meeting_info_list), 获取参会成员列表 (participants with a
Base64 user_name and Unix-second strings, has_remaining / next_pos), error_info.
Zoom: the Server-to-Server OAuth token, Create a meeting (201), List past meeting
participants (next_page_token), {"code", "message"} errors.

Below them, for the tests of the meetings' life (bookings.services.remote_meetings):
Tencent Meeting and Zoom provider accounts with their secrets stored, a room of
theirs, and a scripted fake RemoteClient whose calls are recorded."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bookings.providers import MeetingSpec, ProviderError, RemoteMeeting
from tests.factories import ProviderFactory, RoomFactory

TENCENT_API = "https://api.meeting.qq.com"
ZOOM_API = "https://api.zoom.us/v2"
ZOOM_TOKEN_URL = "https://zoom.us/oauth/token"


# -- Tencent Meeting -----------------------------------------------------------------


def tencent_created(meeting_id: str = "7567173273889276131", **extra) -> dict:
    """POST /v1/meetings's answer (PUT's and GET's carry the same list)."""
    info = {
        "subject": "Budget 2027",
        "meeting_id": meeting_id,
        "meeting_code": "806146667",
        "password": "246810",
        "start_time": "1796781600",
        "end_time": "1796785200",
        "join_url": "https://meeting.tencent.com/dm/0kQAaDuFbH0x",
        **extra,
    }
    return {"meeting_number": 1, "meeting_info_list": [info]}


def tencent_participant(
    userid: str, name: str, joined: dt.datetime, left: dt.datetime | None
) -> dict:
    """One stay in GET /v1/meetings/{id}/participants; `left` None: still there."""
    return {
        "userid": userid,
        "user_name": base64.b64encode(name.encode()).decode(),
        "instanceid": 1,
        "user_role": 0,
        "join_time": str(int(joined.timestamp())),
        "left_time": str(int(left.timestamp())) if left else "0",
    }


def tencent_participants(
    rows: list[dict], *, has_remaining: bool = False, next_pos: int = 0
) -> dict:
    """One page of GET /v1/meetings/{id}/participants."""
    return {
        "meeting_id": "7567173273889276131",
        "meeting_code": "806146667",
        "subject": "Budget 2027",
        "schedule_start_time": "1796781600",
        "schedule_end_time": "1796785200",
        "participants": rows,
        "has_remaining": has_remaining,
        "next_pos": next_pos,
        "total_count": len(rows),
    }


def tencent_error(code: int, message: str) -> dict:
    return {
        "error_info": {"error_code": code, "new_error_code": 1000000000 + code, "message": message}
    }


# -- Zoom ----------------------------------------------------------------------------


def zoom_token(token: str = "eyJ.first-access-token", expires_in: int = 3600) -> dict:  # noqa: S107
    return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}


def zoom_created(**extra) -> dict:
    """POST /users/{userId}/meetings's answer (201)."""
    return {
        "id": 85746065432,
        "uuid": "aDYlohsHRtCd4ii1uC2+hA==",
        "host_id": "KDcuGIm1QgePTO8WbOqwIQ",
        "topic": "Budget 2027",
        "type": 2,
        "start_time": "2026-12-09T02:00:00Z",
        "duration": 90,
        "timezone": "Asia/Shanghai",
        "join_url": "https://us05web.zoom.us/j/85746065432?pwd=abc",
        "start_url": "https://us05web.zoom.us/s/85746065432?zak=host-only",
        "password": "246810",
        **extra,
    }


def zoom_participant(
    name: str, email: str, joined: dt.datetime, left: dt.datetime | None, *, user: str = ""
) -> dict:
    """One stay in GET /past_meetings/{uuid}/participants."""
    row = {
        "id": user,
        "name": name,
        "user_email": email,
        "join_time": joined.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": int(((left or joined) - joined).total_seconds()),
    }
    if left is not None:
        row["leave_time"] = left.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return row


def zoom_participants(rows: list[dict], *, next_page_token: str = "") -> dict:
    return {
        "page_count": 1,
        "page_size": 300,
        "total_records": len(rows),
        "next_page_token": next_page_token,
        "participants": rows,
    }


# -- what the clients log ------------------------------------------------------------


@contextmanager
def remote_logs() -> Iterator[list[str]]:
    """Every line bookings.remote and httpx log meanwhile, at every level (the
    "bookings" logger does not propagate to pytest's caplog)."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep(level=logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("bookings.remote", "httpx", "httpcore")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


# -- provider accounts and a fake client, for the meetings' life ------------------------

TENCENT_SECRET = "tencent-secret-key-0123456789"
ZOOM_SECRET = "zoom-client-secret-9876543210"


def tencent_provider(**extra):
    from bookings.models import Provider

    provider = ProviderFactory.build(
        name=extra.pop("name", "Tencent Meeting"),
        kind="tencent",
        base_url="",
        app_id="211153201",
        sdk_id="19367008",
        secret_id="AKIDtencent",
        host_user="host-userid",
        **extra,
    )
    provider.secret_set(TENCENT_SECRET)
    provider.save()
    return Provider.objects.get(pk=provider.pk)


def zoom_provider(**extra):
    from bookings.models import Provider

    provider = ProviderFactory.build(
        name=extra.pop("name", "Zoom"),
        kind="zoom",
        base_url="",
        account_id="zoom-account",
        client_id="zoom-client",
        host_user="host@example.com",
        **extra,
    )
    provider.secret_set(ZOOM_SECRET)
    provider.save()
    return Provider.objects.get(pk=provider.pk)


def remote_room(provider, **extra):
    extra.setdefault("name", f"{provider.name} room")
    extra.setdefault("capacity", 10)
    return RoomFactory(provider=provider, **extra)


class FakeClient:
    """Scripted: `fail` holds errors raised by the next calls, in order."""

    def __init__(self, prefix: str = "m") -> None:
        self.prefix = prefix
        self.calls: list[tuple[str, object]] = []
        self.fail: list[ProviderError] = []
        self.made = 0

    def _maybe_fail(self) -> None:
        if self.fail:
            raise self.fail.pop(0)

    def create(self, spec: MeetingSpec) -> RemoteMeeting:
        self.calls.append(("create", spec))
        self._maybe_fail()
        self.made += 1
        slots = spec.slots or ((spec.start, spec.end),)
        return RemoteMeeting(
            remote_id=f"{self.prefix}{self.made}",
            join_url=f"https://meeting.example.com/j/{self.prefix}{self.made}",
            code=f"80{self.made:07d}",
            password=spec.password,
            uuid=f"uuid-{self.prefix}{self.made}",
            occurrence_keys={
                start.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"): f"sub-{i}"
                for i, (start, _end) in enumerate(slots)
            }
            if len(slots) > 1
            else {},
        )

    def update(self, meeting: RemoteMeeting, spec: MeetingSpec) -> RemoteMeeting:
        self.calls.append(("update", (meeting, spec)))
        self._maybe_fail()
        return dataclasses.replace(meeting)

    def cancel(self, meeting: RemoteMeeting, *, occurrence_key: str = "") -> None:
        self.calls.append(("cancel", (meeting.remote_id, occurrence_key)))
        self._maybe_fail()

    def participants(self, meeting, *, occurrence_key=""):
        self.calls.append(("participants", meeting.remote_id))
        return []

    def names(self) -> list[str]:
        return [name for name, _args in self.calls]


def transient(status: int = 503) -> ProviderError:
    return ProviderError("Service Unavailable", transient=True, status=status)


def permanent(status: int = 400, message: str = "invalid userid") -> ProviderError:
    return ProviderError(message, transient=False, status=status, code="9003")
