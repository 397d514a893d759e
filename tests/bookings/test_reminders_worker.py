"""BK-12 with a real Celery worker on the local Redis (DESIGN: CI runs a real worker for
the reminder path): the every-minute task, queued as beat queues it, is taken by a
worker process, which sends each due reminder once into the mail files; the same task
delivered again sends nothing more; the worker leaves its heartbeat."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from bookings import services
from bookings.models import Reminder
from bookings.tasks import reminders_send_task
from meetingops import config
from meetingops.models import Heartbeat
from tests.bookings.conftest import at, book
from tests.factories import RoomFactory, UserFactory

BASE = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    """DATABASE_URL, naming the test database this test writes to."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_sends_each_due_reminder_once(tmp_path):
    import redis

    organizer = UserFactory(email="organizer@example.com")
    approver = UserFactory(is_staff=True, groups=["Approvers"])
    colleague = UserFactory(email="colleague@example.com", language="en")
    booking = book(organizer, RoomFactory(), attendee_users=[colleague])
    services.booking_approve(booking=booking, actor=approver)
    # Due before the worker's clock, which is not the test's frozen one.
    Reminder.objects.filter(lead_minutes=1440).update(due_at=at(0, "09:00") - dt.timedelta(days=60))
    redis.Redis.from_url(settings.CONFIG.redis_url).flushdb()

    mail_dir = tmp_path / "mail"
    env = {k: v for k, v in os.environ.items() if k not in config.VARIABLES}
    env.update(
        DEBUG="true",
        VAR_DIR=str(tmp_path),
        DATABASE_URL=_test_database_url(),
        REDIS_URL=settings.CONFIG.redis_url,
        EMAIL_URL=f"filemail://{mail_dir}",
        SECRET_KEY=settings.SECRET_KEY,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "meetingops", "worker", "-c", "1", "--pool=solo"],
        cwd=BASE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        reminders_send_task.delay()
        _wait_for(
            lambda: not Reminder.objects.filter(lead_minutes=1440, sent_at__isnull=True).exists(),
            90,
            "the worker to send the reminders",
        )
        reminders_send_task.delay()  # the same minute's task delivered again
        time.sleep(3)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    # Django's file backend writes a file per connection, its messages divided by dashes.
    emails = [
        message_from_bytes(part.strip(b"\n"))
        for f in sorted(mail_dir.glob("*.log"))
        for part in f.read_bytes().split(b"-" * 79)
        if part.strip()
    ]
    assert sorted(m["To"] for m in emails) == ["colleague@example.com", "organizer@example.com"]
    # A subject in Chinese (the company's language, the default) is encoded in the header.
    subjects = [str(make_header(decode_header(m["Subject"]))) for m in emails]
    assert all(s.startswith("[MeetingOps] ") for s in subjects), subjects
    assert len({m["Message-ID"] for m in emails}) == 2
    assert not Reminder.objects.filter(lead_minutes=15, sent_at__isnull=False).exists()
    # The worker left its heartbeat for the watchdog as it started.
    assert Heartbeat.objects.filter(kind="worker").exists()
