"""BK-17 on PostgreSQL: two runs of the worker for one provider meeting at once (a
redelivered message beside the first) call the provider once, and an approved change
that arrives while the meeting is being created moves it right after."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from bookings import services
from bookings.models import Booking, ProviderMeeting
from bookings.services import remote_meetings
from tests.bookings.conftest import at, book
from tests.bookings.remote_fakes import FakeClient, remote_room, tencent_provider
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class SlowClient(FakeClient):
    """Holds its create until the test lets it go."""

    def __init__(self) -> None:
        super().__init__(prefix="t")
        self.entered = threading.Event()
        self.go = threading.Event()

    def create(self, spec):
        self.entered.set()
        assert self.go.wait(10)
        return super().create(spec)


@pytest.fixture
def pending(monkeypatch):
    organizer = UserFactory(email="organizer@example.com")
    approver = UserFactory(email="approver@example.com", is_staff=True, groups=["Approvers"])
    booking = book(organizer, remote_room(tencent_provider()))
    services.booking_approve(booking=booking, actor=approver)
    client = SlowClient()
    monkeypatch.setattr("bookings.remote.provider_client", lambda provider: client)
    row = ProviderMeeting.objects.get(booking=booking)
    return booking, row, client, organizer, approver


def in_thread(target) -> tuple[threading.Thread, list]:
    out: list = []

    def run() -> None:
        try:
            out.append(target())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_a_twin_run_while_the_first_calls_out_does_not_create_a_second_meeting(pending):
    booking, row, client, _organizer, _approver = pending
    first, first_out = in_thread(lambda: remote_meetings.provider_meeting_sync(meeting_id=row.pk))
    assert client.entered.wait(10)
    second = remote_meetings.provider_meeting_sync(meeting_id=row.pk)
    client.go.set()
    first.join(10)
    assert second.status == "busy"
    assert first_out[0].status == "done"
    assert client.names() == ["create"]
    row.refresh_from_db()
    assert row.state == ProviderMeeting.State.CREATED
    assert Booking.objects.get(pk=booking.pk).join_url.endswith("/t1")


def test_a_change_approved_while_the_meeting_is_created_moves_it_next(pending, monkeypatch):
    booking, row, client, organizer, approver = pending
    queued = []
    monkeypatch.setattr(
        "bookings.tasks.provider_meeting_sync_task.delay", lambda **kw: queued.append(kw)
    )
    first, _out = in_thread(lambda: remote_meetings.provider_meeting_sync(meeting_id=row.pk))
    assert client.entered.wait(10)
    services.booking_change(
        booking=booking, actor=organizer, start=at(2, "14:00"), end=at(2, "15:00")
    )
    services.booking_approve(booking=Booking.objects.get(pk=booking.pk), actor=approver)
    client.go.set()
    first.join(10)
    row.refresh_from_db()
    assert (row.state, row.action, row.remote_id) == (ProviderMeeting.State.PENDING, "update", "t1")
    assert {"meeting_id": row.pk} in queued  # queued again for the move
    assert remote_meetings.provider_meeting_sync(meeting_id=row.pk).status == "done"
    assert client.names() == ["create", "update"]
    assert client.calls[1][1][1].start == at(2, "14:00")
