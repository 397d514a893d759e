"""BK-17: a room's provider gives each approved meeting its join link, meeting ID and
password. Manual and Jitsi rooms work offline, at once, inside the approval; Tencent
Meeting and Zoom (`REMOTE_KINDS`) are called over their REST APIs by the worker after
the approval commits, so their link comes later (`link_comes_later`).

The shapes every remote provider's client speaks (`MeetingSpec` in, `RemoteMeeting`
and `AttendanceRecord` out, `ProviderError` when it fails) are defined here, so that
the clients, the tasks that call them and the attendance reconciliation agree."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass, field
from typing import Protocol

from bookings.models import Booking, Provider

# Providers reached over their REST API, by the worker (never inside a request).
REMOTE_KINDS = frozenset({Provider.Kind.TENCENT, Provider.Kind.ZOOM})


def is_remote(provider: Provider) -> bool:
    return provider.kind in REMOTE_KINDS


def link_comes_later(booking: Booking) -> bool:
    """Whether the booking's join link is still to come from a remote provider: its
    invitations wait for it (BK-10, BK-17)."""
    return is_remote(booking.room.provider) and not booking.join_url


@dataclass(frozen=True)
class MeetingSpec:
    """What a remote provider is asked to schedule: one meeting, or a series of them
    (`slots`, each start and end, the first equal to `start`, `end`; `recurrence`: the
    booking's rule as stored, BK-8)."""

    topic: str
    start: dt.datetime
    end: dt.datetime
    time_zone: str
    password: str = ""
    agenda: str = ""
    recording_allowed: bool = False
    slots: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    recurrence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteMeeting:
    """A meeting as a remote provider scheduled it. `occurrence_keys`: for a series, the
    provider's key of each meeting (Tencent's sub_meeting_id, Zoom's occurrence_id) by
    its start, as ISO 8601 in UTC."""

    remote_id: str
    join_url: str
    code: str
    password: str = ""
    uuid: str = ""
    occurrence_keys: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AttendanceRecord:
    """One stay of one person in a meeting, as the provider reports it: a person who
    dropped out and came back has several. `email` or `user_key` (the provider's own
    id of the person, a Tencent userid) identify them where given."""

    name: str
    joined_at: dt.datetime
    left_at: dt.datetime | None
    email: str = ""
    user_key: str = ""


class ProviderError(Exception):
    """A remote provider's call failed. `transient`: retrying may succeed (a network
    error, a timeout, 429, a 5xx); otherwise (a 4xx) it will not until someone fixes
    the cause, and IT is told. `retry_after`: seconds the provider asked to wait."""

    def __init__(
        self,
        message: str,
        *,
        transient: bool,
        status: int | None = None,
        code: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.status = status
        self.code = code
        self.retry_after = retry_after


class RemoteClient(Protocol):
    """A remote provider's REST client (Tencent Meeting, Zoom); every method raises
    ProviderError when the provider refuses or cannot be reached."""

    def create(self, spec: MeetingSpec) -> RemoteMeeting: ...

    def update(self, meeting: RemoteMeeting, spec: MeetingSpec) -> RemoteMeeting: ...

    def cancel(self, meeting: RemoteMeeting, *, occurrence_key: str = "") -> None: ...

    def participants(
        self, meeting: RemoteMeeting, *, occurrence_key: str = ""
    ) -> list[AttendanceRecord]: ...


@dataclass(frozen=True)
class JoinInfo:
    url: str
    code: str
    password: str


class MeetingProvider(Protocol):
    def create_meeting(self, booking: Booking) -> JoinInfo: ...


def _meeting_password(booking: Booking) -> str:
    """SE-5: confidential or password-protected meetings get a fresh 6-digit password."""
    if booking.password_required or booking.confidential:
        return "".join(secrets.choice(string.digits) for _ in range(6))
    return ""


class ManualProvider:
    """The room's own fixed link (a licensed account booked by hand)."""

    def create_meeting(self, booking: Booking) -> JoinInfo:
        room = booking.room
        return JoinInfo(room.join_url, room.meeting_code, room.meeting_password)


class JitsiProvider:
    """An unguessable room name on the configured Jitsi server."""

    def __init__(self, provider: Provider) -> None:
        self.base_url = provider.base_url.rstrip("/")

    def create_meeting(self, booking: Booking) -> JoinInfo:
        name = f"MeetingOps-{secrets.token_urlsafe(18)}"
        return JoinInfo(f"{self.base_url}/{name}", name, _meeting_password(booking))


def provider_for(provider: Provider) -> MeetingProvider:
    if provider.kind == Provider.Kind.JITSI:
        return JitsiProvider(provider)
    return ManualProvider()
