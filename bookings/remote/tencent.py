"""BK-17: Tencent Meeting (腾讯会议) REST API v1 for an enterprise self-built app with
AK/SK credentials (企业自建应用, https://api.meeting.qq.com).

Every call carries X-TC-Key (the SecretId), X-TC-Timestamp (Unix seconds), X-TC-Nonce
(a random positive integer), X-TC-Signature, AppId, SdkId (only when one was issued:
the API refuses an SdkId it never gave) and X-TC-Registered: 1 (the host is a
registered user of the enterprise's address book, which creating a meeting requires).

The signature: Base64 of the lower-case hex HMAC-SHA256, under the SecretKey, of
    METHOD \\n X-TC-Key=…&X-TC-Nonce=…&X-TC-Timestamp=… \\n URI (path and query) \\n body
over the exact bytes sent (the body is empty for a GET).

Credentials (`provider.credentials()` or the `credentials` dict): app_id, secret_id,
secret_key, userid (the host; `host_user` is accepted too), and optionally sdk_id,
registered (default true) and instanceid (default 1, PC)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import httpx
from django.utils.translation import gettext as _

from bookings.providers import AttendanceRecord, MeetingSpec, ProviderError, RemoteMeeting
from bookings.remote.http import RestClient, missing_credentials, start_key

if TYPE_CHECKING:
    from bookings.models import Provider

logger = logging.getLogger("bookings.remote")

BASE_URL = "https://api.meeting.qq.com"
PAGE_SIZE = 100  # the participants endpoint's maximum
MAX_PAGES = 500  # it serves at most 50,000 rows in all
REASON_CODE = 1  # cancel: "可为用户自定义"; ours is the organizer's cancellation

# recurring_rule.recurring_type: 0 daily, 1 Monday to Friday, 2 weekly, 3 every two
# weeks, 4 monthly, 5 customized (customized_recurring_type: 0 by day, 1 by week,
# 3 by date of the month; customized_recurring_step every n; _days a bit mask).
DAILY, WORKDAYS, WEEKLY, BIWEEKLY, MONTHLY, CUSTOMIZED = range(6)
BY_DAY, BY_WEEK, BY_MONTH_DATE = 0, 1, 3
UNTIL_DATE = 0


def tencent_signature(
    *,
    secret_id: str,
    secret_key: str,
    method: str,
    nonce: str,
    timestamp: str,
    uri: str,
    body: str,
) -> str:
    """X-TC-Signature, as the AK/SK authentication page documents it."""
    to_sign = (
        f"{method}\nX-TC-Key={secret_id}&X-TC-Nonce={nonce}&X-TC-Timestamp={timestamp}\n"
        f"{uri}\n{body}"
    )
    digest = hmac.new(secret_key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(digest.encode()).decode()


@dataclass(frozen=True)
class TencentCredentials:
    app_id: str
    userid: str
    secret_id: str = field(repr=False)
    secret_key: str = field(repr=False)
    sdk_id: str = ""
    registered: bool = True
    instanceid: int = 1

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TencentCredentials:
        values = {
            "app_id": str(data.get("app_id") or ""),
            "userid": str(data.get("userid") or data.get("host_user") or ""),
            "secret_id": str(data.get("secret_id") or ""),
            "secret_key": str(data.get("secret_key") or ""),
        }
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise missing_credentials(_("Tencent Meeting"), missing)
        registered = data.get("registered", True)
        if isinstance(registered, str):
            registered = registered.strip().lower() in {"1", "true", "yes", "on"}
        return cls(
            **values,
            sdk_id=str(data.get("sdk_id") or ""),
            registered=bool(registered),
            instanceid=int(data.get("instanceid") or 1),
        )


def _nonce() -> int:
    return secrets.randbelow(10**9) + 1


def _moment(value: Any) -> dt.datetime | None:
    """A Unix-seconds string (Tencent's join_time, left_time) as an aware datetime;
    None for an empty or zero one (still in the meeting)."""
    try:
        seconds = int(str(value or "0").strip())
    except ValueError:
        return None
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC) if seconds > 0 else None


def _name(value: Any) -> str:
    """user_name is Base64 (入会用户名（base64）); a name that is not is kept as given."""
    text = str(value or "")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return text


def _weekday_bits(iso_weekdays: list[int]) -> int:
    # customized_recurring_days by week: 1 Sunday, 2 Monday, 4 Tuesday … 64 Saturday.
    return sum(1 << (day % 7) for day in iso_weekdays)


def recurring_rule(spec: MeetingSpec) -> dict[str, int]:
    """Tencent's recurring_rule for the series `spec` (BK-8's rule: daily, weekly on
    weekdays, monthly on the first meeting's date; every 1 to 12), in the company's
    zone, ending on the day of the last meeting (until_date: its start)."""
    rule = spec.recurrence
    interval = int(rule.get("interval") or 1)
    local_start = spec.start.astimezone(zoneinfo.ZoneInfo(spec.time_zone))
    slots = spec.slots or ((spec.start, spec.end),)
    ending = {"until_type": UNTIL_DATE, "until_date": int(slots[-1][0].timestamp())}
    freq = rule.get("freq")
    if freq == "daily":
        if interval == 1:
            return {"recurring_type": DAILY, **ending}
        return {
            "recurring_type": CUSTOMIZED,
            "customized_recurring_type": BY_DAY,
            "customized_recurring_step": interval,
            **ending,
        }
    if freq == "weekly":
        weekdays = sorted({int(d) for d in rule.get("weekdays") or ()}) or [
            local_start.isoweekday()
        ]
        if interval == 1 and weekdays == [1, 2, 3, 4, 5]:
            return {"recurring_type": WORKDAYS, **ending}
        if weekdays == [local_start.isoweekday()] and interval in (1, 2):
            return {"recurring_type": WEEKLY if interval == 1 else BIWEEKLY, **ending}
        return {
            "recurring_type": CUSTOMIZED,
            "customized_recurring_type": BY_WEEK,
            "customized_recurring_step": interval,
            "customized_recurring_days": _weekday_bits(weekdays),
            **ending,
        }
    if freq == "monthly":
        if interval == 1:
            return {"recurring_type": MONTHLY, **ending}
        return {
            "recurring_type": CUSTOMIZED,
            "customized_recurring_type": BY_MONTH_DATE,
            "customized_recurring_step": interval,
            "customized_recurring_days": 1 << (local_start.day - 1),
            **ending,
        }
    raise ProviderError(
        _("Tencent Meeting cannot repeat a meeting this way (%(freq)s).") % {"freq": freq},
        transient=False,
        code="recurrence_unsupported",
    )


class TencentClient(RestClient):
    """Tencent Meeting's meetings and attendance for one enterprise account (a
    bookings.providers.RemoteClient). `clock` and `nonce` are injectable so that a
    test can check the signature against a fixed vector."""

    def __init__(
        self,
        provider: Provider | None = None,
        *,
        credentials: dict | None = None,
        http: httpx.Client | None = None,
        base_url: str = BASE_URL,
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], int] = _nonce,
    ) -> None:
        self.label = _("Tencent Meeting")
        self.provider = provider
        if credentials is None:
            if provider is None:
                raise missing_credentials(self.label, ["credentials"])
            credentials = provider.credentials()
        self.credentials = TencentCredentials.from_dict(credentials)
        super().__init__(
            http=http, secrets=(self.credentials.secret_id, self.credentials.secret_key)
        )
        self.base_url = base_url.rstrip("/")
        self._clock = clock
        self._nonce = nonce

    def __repr__(self) -> str:
        name = self.provider.name if self.provider is not None else self.credentials.app_id
        return f"<TencentClient {name!r}>"

    # -- the calls -------------------------------------------------------------------

    def create(self, spec: MeetingSpec) -> RemoteMeeting:
        """POST /v1/meetings: a scheduled meeting (type 0), or a series (meeting_type 1
        with its recurring_rule), hosted by the account's userid."""
        data = self.call("POST", "/v1/meetings", body=self._meeting_body(spec))
        info = self._first_meeting(data)
        if not info.get("join_url"):
            # The meeting exists: failing here would have the task create it twice.
            logger.warning(
                "%s: meeting %s came without a join link", self.label, info["meeting_id"]
            )
        meeting = RemoteMeeting(
            remote_id=str(info["meeting_id"]),
            join_url=str(info.get("join_url") or ""),
            code=str(info.get("meeting_code") or ""),
            password=str(info.get("password") or spec.password),
        )
        if not spec.recurrence:
            return meeting
        return self._with_sub_meetings(meeting, info)

    def update(
        self, meeting: RemoteMeeting, spec: MeetingSpec, *, occurrence_key: str = ""
    ) -> RemoteMeeting:
        """PUT /v1/meetings/{meeting_id}: the whole meeting (or series) to `spec`, a
        password no longer wanted removed ("" cancels it); or, with `occurrence_key`,
        only that meeting of the series moved to `spec`'s start and end (its
        sub_meeting_id in recurring_rule, which then carries nothing else)."""
        if occurrence_key:
            body = {
                "userid": self.credentials.userid,
                "instanceid": self.credentials.instanceid,
                "meeting_type": 1,
                "start_time": str(int(spec.start.timestamp())),
                "end_time": str(int(spec.end.timestamp())),
                "recurring_rule": {"sub_meeting_id": occurrence_key},
            }
        else:
            body = self._meeting_body(spec)
            body.pop("type")  # not a field of the modify call
            if not spec.password and meeting.password:
                body["password"] = ""
        data = self.call("PUT", f"/v1/meetings/{quote(meeting.remote_id, safe='')}", body=body)
        infos = data.get("meeting_info_list") or [{}]
        updated = RemoteMeeting(
            remote_id=meeting.remote_id,
            join_url=meeting.join_url,
            code=str(infos[0].get("meeting_code") or meeting.code),
            password=meeting.password if occurrence_key else spec.password,
            uuid=meeting.uuid,
            occurrence_keys=meeting.occurrence_keys,
        )
        if not (spec.recurrence or occurrence_key):
            return updated
        return self._with_sub_meetings(updated, infos[0])

    def cancel(self, meeting: RemoteMeeting, *, occurrence_key: str = "") -> None:
        """POST /v1/meetings/{meeting_id}/cancel: the meeting, the whole series, or one
        meeting of it (its sub_meeting_id)."""
        body: dict[str, Any] = {
            "userid": self.credentials.userid,
            "instanceid": self.credentials.instanceid,
            "reason_code": REASON_CODE,
        }
        if occurrence_key or meeting.occurrence_keys:
            body["meeting_type"] = 1
        if occurrence_key:
            body["sub_meeting_id"] = occurrence_key
        self.call("POST", f"/v1/meetings/{quote(meeting.remote_id, safe='')}/cancel", body=body)

    def participants(
        self, meeting: RemoteMeeting, *, occurrence_key: str = ""
    ) -> list[AttendanceRecord]:
        """GET /v1/meetings/{meeting_id}/participants, every page (has_remaining,
        next_pos): one record per stay, the name Base64-decoded, times aware. Empty
        before the meeting starts. A meeting of a series needs its sub_meeting_id."""
        query: dict[str, Any] = {"userid": self.credentials.userid}
        if occurrence_key:
            query["sub_meeting_id"] = occurrence_key
        path = f"/v1/meetings/{quote(meeting.remote_id, safe='')}/participants"
        records: list[AttendanceRecord] = []
        pos = 0
        for _page in range(MAX_PAGES):
            data = self.call("GET", path, query={**query, "pos": pos, "size": PAGE_SIZE})
            for row in data.get("participants") or ():
                joined = _moment(row.get("join_time"))
                if joined is None:
                    continue  # a row without a join time tells nothing about attendance
                records.append(
                    AttendanceRecord(
                        name=_name(row.get("user_name")),
                        joined_at=joined,
                        left_at=_moment(row.get("left_time")),
                        user_key=str(row.get("userid") or ""),
                    )
                )
            if not data.get("has_remaining"):
                return records
            next_pos = int(data.get("next_pos") or 0)
            if next_pos <= pos:
                break
            pos = next_pos
        raise ProviderError(
            _("%(provider)s kept announcing more participants; stopped at position %(pos)s.")
            % {"provider": self.label, "pos": pos},
            transient=False,
            code="paging_stuck",
        )

    def sub_meetings(self, meeting_id: str) -> dict[str, str]:
        """GET /v1/meetings/{meeting_id}: a series' sub_meeting_id by start (start_key),
        the deleted ones left out."""
        data = self.call(
            "GET",
            f"/v1/meetings/{quote(meeting_id, safe='')}",
            query={"userid": self.credentials.userid, "instanceid": self.credentials.instanceid},
        )
        return self._sub_meeting_keys(self._first_meeting(data))

    # -- the wire --------------------------------------------------------------------

    def call(
        self, method: str, path: str, *, query: dict | None = None, body: dict | None = None
    ) -> dict:
        """One signed call; the answer's JSON, or a ProviderError."""
        url = self.base_url + path + (f"?{urlencode(query)}" if query else "")
        content = (
            json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body is not None else ""
        )
        request = self._http.build_request(
            method,
            url,
            content=content.encode() if content else None,
            headers={"Content-Type": "application/json"},
        )
        self._sign(request, content)
        response = self.send(request)
        data = self.json_of(response)
        error = data.get("error_info")
        if not response.is_success or isinstance(error, dict):
            error = error if isinstance(error, dict) else {}
            raise self.refused(
                response,
                code=str(error.get("new_error_code") or error.get("error_code") or ""),
                message=str(error.get("message") or ""),
            )
        return data

    def _sign(self, request: httpx.Request, body: str) -> None:
        creds = self.credentials
        timestamp = str(int(self._clock()))
        nonce = str(self._nonce())
        uri = request.url.raw_path.decode("ascii")
        request.headers["X-TC-Key"] = creds.secret_id
        request.headers["X-TC-Timestamp"] = timestamp
        request.headers["X-TC-Nonce"] = nonce
        request.headers["X-TC-Signature"] = tencent_signature(
            secret_id=creds.secret_id,
            secret_key=creds.secret_key,
            method=request.method,
            nonce=nonce,
            timestamp=timestamp,
            uri=uri,
            body=body,
        )
        request.headers["AppId"] = creds.app_id
        if creds.sdk_id:
            request.headers["SdkId"] = creds.sdk_id
        if creds.registered:
            request.headers["X-TC-Registered"] = "1"

    # -- shapes ----------------------------------------------------------------------

    def _meeting_body(self, spec: MeetingSpec) -> dict[str, Any]:
        body: dict[str, Any] = {
            "userid": self.credentials.userid,
            "instanceid": self.credentials.instanceid,
            "subject": spec.topic,
            "type": 0,  # scheduled (预约会议)
            "start_time": str(int(spec.start.timestamp())),
            "end_time": str(int(spec.end.timestamp())),
            "time_zone": spec.time_zone,
            # The host is the room's licensed account, not the organizer, and is never
            # there to admit anyone: members join before it and no waiting room holds
            # them. A confidential meeting is protected by its password (SE-5).
            "settings": {
                "allow_in_before_host": True,
                "auto_in_waiting_room": False,
                "auto_record_type": "cloud" if spec.recording_allowed else "none",
            },
        }
        if spec.password:
            if not (spec.password.isdigit() and 4 <= len(spec.password) <= 6):
                raise ProviderError(
                    _("A Tencent Meeting password is 4 to 6 digits."),
                    transient=False,
                    code="invalid_password",
                )
            body["password"] = spec.password
        if spec.recurrence:
            body["meeting_type"] = 1
            body["recurring_rule"] = recurring_rule(spec)
        return body

    def _first_meeting(self, data: dict) -> dict:
        infos = data.get("meeting_info_list")
        if not infos or not isinstance(infos[0], dict) or not infos[0].get("meeting_id"):
            raise ProviderError(
                _("%(provider)s gave an answer MeetingOps cannot read (HTTP %(status)s).")
                % {"provider": self.label, "status": 200},
                transient=False,
                status=200,
                code="unreadable_answer",
            )
        return infos[0]

    @staticmethod
    def _sub_meeting_keys(info: dict) -> dict[str, str]:
        keys = {}
        for sub in info.get("sub_meetings") or ():
            start = _moment(sub.get("start_time"))
            if start is not None and sub.get("sub_meeting_id") and not sub.get("status"):
                keys[start_key(start)] = str(sub["sub_meeting_id"])
        return keys

    def _with_sub_meetings(self, meeting: RemoteMeeting, info: dict) -> RemoteMeeting:
        """The series' sub-meeting keys: from the answer when it lists them, else from
        querying the meeting. The meeting exists whatever that query does, so its
        failure is logged and the keys left as they were (a retry of the create would
        schedule the series twice)."""
        keys = self._sub_meeting_keys(info)
        if not keys:
            try:
                keys = self.sub_meetings(meeting.remote_id)
            except ProviderError as error:
                logger.warning(
                    "%s: sub-meetings of %s not read: %s", self.label, meeting.remote_id, error
                )
                return meeting
        return RemoteMeeting(
            remote_id=meeting.remote_id,
            join_url=meeting.join_url,
            code=meeting.code,
            password=meeting.password,
            uuid=meeting.uuid,
            occurrence_keys=keys,
        )
