"""BK-17: a room's provider gives each approved meeting its join link, meeting ID and
password. Manual and Jitsi rooms work offline; Tencent Meeting and Zoom plug in behind
the same interface (a class with `create_meeting`, registered in PROVIDERS)."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Protocol

from bookings.models import Booking, Provider


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
