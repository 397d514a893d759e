"""A fake remote provider's client (bookings.providers.RemoteClient) for the tests of
the remote meetings' life, and the provider accounts they run against. Each call is
recorded; `fail` queues errors to raise, one per call, before calls succeed."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bookings.providers import MeetingSpec, ProviderError, RemoteMeeting
from tests.factories import ProviderFactory, RoomFactory

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
