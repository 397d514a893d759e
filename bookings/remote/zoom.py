"""BK-17: Zoom REST API v2 through a Server-to-Server OAuth app.

The access token comes from POST https://zoom.us/oauth/token?grant_type=
account_credentials&account_id=… with HTTP Basic client_id:client_secret; it lives an
hour (expires_in) and has no refresh token. It is kept in Django's cache (shared by the
workers; keyed by provider and by the app, so that new credentials never reuse an old
token) until five minutes before it expires, and fetched again once when Zoom answers
401. It is never logged.

Credentials (`provider.credentials()` or the `credentials` dict): account_id,
client_id, client_secret, user_id (the host's Zoom user ID or email; `host_user` is
accepted too)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import zoneinfo
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
from django.core.cache import cache
from django.utils.translation import gettext as _

from bookings.providers import AttendanceRecord, MeetingSpec, ProviderError, RemoteMeeting
from bookings.remote.http import RestClient, missing_credentials, start_key

if TYPE_CHECKING:
    from bookings.models import Provider

logger = logging.getLogger("bookings.remote")

BASE_URL = "https://api.zoom.us/v2"
TOKEN_URL = "https://zoom.us/oauth/token"  # noqa: S105 (a URL, not a password)
TOKEN_MARGIN = 300  # seconds before expires_in at which a cached token is dropped
PAGE_SIZE = 300  # past meeting participants: at most 300 a page
MAX_PAGES = 500
SCHEDULED, RECURRING_FIXED_TIME = 2, 8
RECURRENCE_TYPES = {"daily": 1, "weekly": 2, "monthly": 3}
MAX_INTERVAL = {"daily": 90, "weekly": 12, "monthly": 3}
TOPIC_LENGTH, AGENDA_LENGTH = 200, 2000
# An ended instance of a series belongs to the meeting it started nearest to, if it
# started within this of it (a meeting begun late, or restarted, is still that one).
INSTANCE_WINDOW = dt.timedelta(hours=12)


@dataclass(frozen=True)
class ZoomCredentials:
    account_id: str
    user_id: str
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ZoomCredentials:
        values = {
            "account_id": str(data.get("account_id") or ""),
            "user_id": str(data.get("user_id") or data.get("host_user") or ""),
            "client_id": str(data.get("client_id") or ""),
            "client_secret": str(data.get("client_secret") or ""),
        }
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise missing_credentials(_("Zoom"), missing)
        return cls(**values)

    @property
    def fingerprint(self) -> str:
        """Names the app in a cache key without revealing anything of it."""
        return hashlib.sha256(f"{self.account_id}:{self.client_id}".encode()).hexdigest()[:16]


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _minutes(spec: MeetingSpec) -> int:
    return max(int((spec.end - spec.start).total_seconds() // 60), 1)


def _moment(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def meeting_uuid_path(uuid: str) -> str:
    """A meeting UUID as a path segment: Zoom wants it double URL-encoded when it
    starts with / or contains //, encoded once otherwise."""
    once = quote(uuid, safe="")
    return quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once


def recurrence(spec: MeetingSpec) -> dict[str, Any]:
    """Zoom's recurrence object for the series `spec`, in the meeting's time zone, ending
    with the last meeting (end_date_time: its start, in UTC)."""
    rule = spec.recurrence
    freq = rule.get("freq")
    interval = int(rule.get("interval") or 1)
    if freq not in RECURRENCE_TYPES or interval > MAX_INTERVAL[freq]:
        raise ProviderError(
            _("Zoom cannot repeat a meeting this way (%(freq)s, every %(interval)s).")
            % {"freq": freq, "interval": interval},
            transient=False,
            code="recurrence_unsupported",
        )
    local_start = spec.start.astimezone(zoneinfo.ZoneInfo(spec.time_zone))
    slots = spec.slots or ((spec.start, spec.end),)
    result: dict[str, Any] = {
        "type": RECURRENCE_TYPES[freq],
        "repeat_interval": interval,
        "end_date_time": _utc(slots[-1][0]),
    }
    if freq == "weekly":
        weekdays = sorted({int(d) for d in rule.get("weekdays") or ()}) or [
            local_start.isoweekday()
        ]
        # Zoom's weekly_days: 1 Sunday, 2 Monday … 7 Saturday; ours are ISO (1 Monday).
        result["weekly_days"] = ",".join(str(day % 7 + 1) for day in weekdays)
    elif freq == "monthly":
        result["monthly_day"] = local_start.day
    return result


class ZoomClient(RestClient):
    """Zoom's meetings and attendance for one account's host user (a
    bookings.providers.RemoteClient)."""

    def __init__(
        self,
        provider: Provider | None = None,
        *,
        credentials: dict | None = None,
        http: httpx.Client | None = None,
        base_url: str = BASE_URL,
        token_url: str = TOKEN_URL,
    ) -> None:
        self.label = _("Zoom")
        self.provider = provider
        if credentials is None:
            if provider is None:
                raise missing_credentials(self.label, ["credentials"])
            credentials = provider.credentials()
        self.credentials = ZoomCredentials.from_dict(credentials)
        super().__init__(
            http=http, secrets=(self.credentials.client_id, self.credentials.client_secret)
        )
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url

    def __repr__(self) -> str:
        name = self.provider.name if self.provider is not None else self.credentials.account_id
        return f"<ZoomClient {name!r}>"

    @property
    def token_cache_key(self) -> str:
        owner = getattr(self.provider, "pk", None) or "-"
        return f"bookings.remote.zoom.token:{owner}:{self.credentials.fingerprint}"

    # -- the calls -------------------------------------------------------------------

    def create(self, spec: MeetingSpec) -> RemoteMeeting:
        """POST /users/{userId}/meetings (201): a scheduled meeting (type 2) or a series
        with a fixed time (type 8 with its recurrence; the answer's occurrences give
        each meeting's occurrence_id)."""
        response = self.call(
            "POST",
            f"/users/{quote(self.credentials.user_id, safe='')}/meetings",
            body=self._meeting_body(spec),
        )
        data = self.json_of(response)
        if not data.get("id") or not data.get("join_url"):
            raise self.unreadable(response)
        return RemoteMeeting(
            remote_id=str(data["id"]),
            join_url=str(data["join_url"]),
            code=str(data["id"]),
            password=str(data.get("password") or spec.password),
            uuid=str(data.get("uuid") or ""),
            occurrence_keys=self._occurrence_keys(data),
        )

    def update(
        self, meeting: RemoteMeeting, spec: MeetingSpec, *, occurrence_key: str = ""
    ) -> RemoteMeeting:
        """PATCH /meetings/{meetingId} (204, no body): the whole meeting (or series) to
        `spec`; or, with `occurrence_key`, only that meeting of the series moved to
        `spec`'s start and duration. A series' occurrence_ids are its meetings' start
        times, so they are read again from the meeting."""
        path = f"/meetings/{quote(meeting.remote_id, safe='')}"
        if occurrence_key:
            body = {
                "start_time": _utc(spec.start),
                "duration": _minutes(spec),
                "timezone": spec.time_zone,
            }
            self.call("PATCH", path, params={"occurrence_id": occurrence_key}, body=body)
        else:
            self.call("PATCH", path, body=self._meeting_body(spec))
        keys = meeting.occurrence_keys
        if spec.recurrence or occurrence_key:
            try:
                keys = self._occurrence_keys(self.json_of(self.call("GET", path))) or keys
            except ProviderError as error:
                # The change is made: only the keys may be stale; the old ones are kept.
                logger.warning(
                    "%s: occurrences of %s not read: %s", self.label, meeting.remote_id, error
                )
        return RemoteMeeting(
            remote_id=meeting.remote_id,
            join_url=meeting.join_url,
            code=meeting.code,
            password=spec.password or meeting.password,
            uuid=meeting.uuid,
            occurrence_keys=keys,
        )

    def cancel(self, meeting: RemoteMeeting, *, occurrence_key: str = "") -> None:
        """DELETE /meetings/{meetingId} (204), or one meeting of a series by its
        occurrence_id. A 404 means it is already gone: done, not a failure."""
        params = {"occurrence_id": occurrence_key} if occurrence_key else None
        try:
            self.call("DELETE", f"/meetings/{quote(meeting.remote_id, safe='')}", params=params)
        except ProviderError as error:
            if error.status != 404:
                raise
            logger.info("%s: meeting %s was already gone", self.label, meeting.remote_id)

    def participants(
        self, meeting: RemoteMeeting, *, occurrence_key: str = ""
    ) -> list[AttendanceRecord]:
        """GET /past_meetings/{meetingUUID}/participants, every page (next_page_token):
        one record per stay. One meeting of a series is found among the series' past
        instances by its start."""
        records: list[AttendanceRecord] = []
        for uuid in self._instance_uuids(meeting, occurrence_key):
            records.extend(self._past_participants(uuid))
        return records

    # -- the wire --------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        body: dict | None = None,
    ) -> httpx.Response:
        """One call with the account's bearer token: on a 401 the token is fetched
        again, once, and the call repeated."""
        for attempt in (1, 2):
            request = self._http.build_request(
                method,
                self.base_url + path,
                params=params,
                json=body,
                headers={"Authorization": f"Bearer {self._token(fresh=attempt == 2)}"},
            )
            response = self.send(request)
            if response.status_code != 401 or attempt == 2:
                break
            self._cached("delete", self.token_cache_key)
        if not response.is_success:
            data = self.json_of(response)
            raise self.refused(
                response, code=str(data.get("code") or ""), message=str(data.get("message") or "")
            )
        return response

    def _token(self, *, fresh: bool = False) -> str:
        if not fresh:
            token = self._cached("get", self.token_cache_key)
            if token:
                self.keep_secret(token)
                return token
        creds = self.credentials
        basic = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()
        self.keep_secret(basic)
        request = self._http.build_request(
            "POST",
            self.token_url,
            params={"grant_type": "account_credentials", "account_id": creds.account_id},
            headers={"Authorization": f"Basic {basic}"},
        )
        response = self.send(request)
        data = self.json_of(response)
        if not response.is_success:
            raise self.refused(
                response,
                code=str(data.get("error") or data.get("code") or ""),
                message=str(data.get("reason") or data.get("message") or ""),
            )
        token = str(data.get("access_token") or "")
        if not token:
            raise self.unreadable(response)
        self.keep_secret(token)
        lifetime = int(data.get("expires_in") or 0) - TOKEN_MARGIN
        if lifetime > 0:
            self._cached("set", self.token_cache_key, token, timeout=lifetime)
        return token

    def _cached(self, verb: str, *args, **kwargs):
        """The token cache, whose failure (Redis away) costs a token request, never the
        call: the token is fetched instead of read."""
        try:
            return getattr(cache, verb)(*args, **kwargs)
        except Exception as error:  # the backend's own errors (redis.ConnectionError …)
            logger.warning("%s: token cache %s failed: %s", self.label, verb, type(error).__name__)
            return None

    # -- shapes ----------------------------------------------------------------------

    def _meeting_body(self, spec: MeetingSpec) -> dict[str, Any]:
        body: dict[str, Any] = {
            "topic": spec.topic[:TOPIC_LENGTH],
            "type": RECURRING_FIXED_TIME if spec.recurrence else SCHEDULED,
            "start_time": _utc(spec.start),
            "duration": _minutes(spec),
            "timezone": spec.time_zone,
            "agenda": spec.agenda[:AGENDA_LENGTH],
            # The host is the room's licensed account, never there to admit anyone:
            # people join before it, no waiting room. SE-5 protects by the password.
            "settings": {
                "join_before_host": True,
                "waiting_room": False,
                "auto_recording": "cloud" if spec.recording_allowed else "none",
            },
        }
        if spec.password:
            body["password"] = spec.password
        if spec.recurrence:
            body["recurrence"] = recurrence(spec)
        return body

    @staticmethod
    def _occurrence_keys(data: dict) -> dict[str, str]:
        keys = {}
        for occurrence in data.get("occurrences") or ():
            start = _moment(occurrence.get("start_time"))
            if (
                start is not None
                and occurrence.get("occurrence_id")
                and occurrence.get("status", "available") != "deleted"
            ):
                keys[start_key(start)] = str(occurrence["occurrence_id"])
        return keys

    def _instance_uuids(self, meeting: RemoteMeeting, occurrence_key: str) -> list[str]:
        if not occurrence_key:
            return [meeting.uuid or meeting.remote_id]
        # GET /past_meetings/{meetingId}/instances lists every ended instance of the
        # series with its UUID and start; an instance belongs to the meeting of the
        # series whose scheduled start is the nearest to its own.
        data = self.json_of(
            self.call("GET", f"/past_meetings/{quote(meeting.remote_id, safe='')}/instances")
        )
        scheduled = {
            key: start
            for start_iso, key in meeting.occurrence_keys.items()
            if (start := _moment(start_iso)) is not None
        }
        wanted = scheduled.get(occurrence_key) or _from_occurrence_id(occurrence_key)
        if wanted is None:
            return []
        starts = [*scheduled.values(), wanted]
        uuids = []
        for instance in data.get("meetings") or ():
            started = _moment(instance.get("start_time"))
            if started is None or not instance.get("uuid"):
                continue
            nearest = min(starts, key=lambda start: abs(start - started))
            if nearest == wanted and abs(started - wanted) <= INSTANCE_WINDOW:
                uuids.append(str(instance["uuid"]))
        return uuids

    def _past_participants(self, uuid: str) -> list[AttendanceRecord]:
        records: list[AttendanceRecord] = []
        params: dict[str, Any] = {"page_size": PAGE_SIZE}
        path = f"/past_meetings/{meeting_uuid_path(uuid)}/participants"
        for _page in range(MAX_PAGES):
            try:
                data = self.json_of(self.call("GET", path, params=params))
            except ProviderError as error:
                # A meeting nobody joined never started, so Zoom has no past meeting
                # for it (404, 3001): its attendance is nobody, not a failure.
                if error.status != 404 or records:
                    raise
                logger.info("%s: no past meeting %s: nobody joined", self.label, uuid)
                return records
            for row in data.get("participants") or ():
                joined = _moment(row.get("join_time"))
                if joined is None:
                    continue
                records.append(
                    AttendanceRecord(
                        name=str(row.get("name") or ""),
                        joined_at=joined,
                        left_at=_moment(row.get("leave_time")),
                        email=str(row.get("user_email") or ""),
                        user_key=str(row.get("id") or ""),
                    )
                )
            token = data.get("next_page_token")
            if not token:
                return records
            if token == params.get("next_page_token"):
                break
            params = {"page_size": PAGE_SIZE, "next_page_token": token}
        raise ProviderError(
            _("%(provider)s kept announcing more participants; stopped at position %(pos)s.")
            % {"provider": self.label, "pos": len(records)},
            transient=False,
            code="paging_stuck",
        )


def _from_occurrence_id(occurrence_id: str) -> dt.datetime | None:
    """Zoom's occurrence_id is the occurrence's start in milliseconds since the epoch."""
    try:
        return dt.datetime.fromtimestamp(int(occurrence_id) / 1000, tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None
