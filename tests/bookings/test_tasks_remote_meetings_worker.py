"""BK-17 with a real Celery worker on the local Redis: an approval's provider meeting is
created by the worker after the commit, through a transient failure retried by the
broker (a countdown, then the same message again), and the booking gets its link."""

from __future__ import annotations

import time

import pytest

from bookings import services
from bookings.models import Booking, ProviderMeeting
from bookings.services import remote_meetings
from tests.bookings.conftest import book
from tests.bookings.remote_fakes import FakeClient, remote_room, tencent_provider, transient
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def _frozen_now():
    """The real clock here: the broker's countdown runs on it (the booking week is still
    ahead of the real date)."""


def test_a_real_worker_creates_the_meeting_after_a_retry_through_redis(monkeypatch):
    from celery.contrib.testing.worker import start_worker

    from meetingops.celery import app

    fake = FakeClient(prefix="t")
    fake.fail = [transient(503)]
    monkeypatch.setattr("bookings.remote.provider_client", lambda provider: fake)
    monkeypatch.setattr(remote_meetings, "retry_delay", lambda attempts, retry_after=None: 1)
    organizer = UserFactory(email="organizer@example.com")
    approver = UserFactory(email="approver@example.com", is_staff=True, groups=["Approvers"])
    booking = book(organizer, remote_room(tencent_provider()))

    app.control.purge()  # messages other tests queued for rows that no longer exist
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        services.booking_approve(booking=booking, actor=approver)  # queued on its commit
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if ProviderMeeting.objects.filter(state=ProviderMeeting.State.CREATED).exists():
                break
            time.sleep(0.2)

    assert app.conf.broker_url.startswith("redis://")
    row = ProviderMeeting.objects.get(booking=booking)
    assert (row.state, row.attempts) == (ProviderMeeting.State.CREATED, 2)
    assert fake.names() == ["create", "create"]
    assert Booking.objects.get(pk=booking.pk).join_url.endswith("/t1")
