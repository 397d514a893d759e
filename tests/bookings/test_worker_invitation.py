"""CI (BK-10, X-3): a real Celery worker, started as its own process against the local
Redis and the test database, sends the invitation of a booking approved through the
service, with its calendar entry; the test reads the email the worker wrote."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import icalendar
import pytest
from django.conf import settings
from django.db import connection

from bookings import services
from bookings.ical import booking_uid
from meetingops.celery import app
from tests.bookings.conftest import at, book
from tests.factories import RoomFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
SEPARATOR = b"-" * 79


def _database_url() -> str:
    """The test database (not the one DATABASE_URL names), for the worker."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _messages(folder: Path) -> list[email.message.EmailMessage]:
    """Every message the file backend wrote (one file per connection, the messages
    separated by a line of dashes)."""
    chunks = [c.strip() for p in folder.glob("*.log") for c in p.read_bytes().split(SEPARATOR)]
    return [email.message_from_bytes(c, policy=policy.default) for c in chunks if c]


def _invitation(folder: Path, address: str, *, within: float = 60.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for message in _messages(folder):
            if message["To"] == address:
                return message
        time.sleep(0.25)
    return None


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_sends_the_invitation_with_its_calendar_entry(tmp_path):
    organizer = UserFactory(email="organizer@example.com", name="Olga Organizer")
    approver = UserFactory(email="approver@example.com", is_staff=True, groups=["Approvers"])
    invitee = UserFactory(email="invitee@example.com", language="en", time_zone="Europe/Berlin")
    room = RoomFactory(name="Worker Room", capacity=10)
    booking = book(organizer, room, attendee_users=[invitee])

    mailbox, log = tmp_path / "mail", tmp_path / "worker.log"
    mailbox.mkdir()
    app.control.purge()  # messages other tests left for bookings that no longer exist
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.CONFIG.redis_url,
        "EMAIL_URL": f"filemail://{mailbox}",
        "DEBUG": "true",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "meetingops",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        services.booking_approve(booking=booking, actor=approver)  # queues on commit
        message = _invitation(mailbox, "invitee@example.com")
        assert message is not None, f"no invitation within 60 s: {log.read_text()[-2000:]}"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    booking.refresh_from_db()
    assert message["Subject"] == "[MeetingOps] Invitation: Quarterly review"
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    assert calendar["method"] == "REQUEST"
    assert str(event["uid"]) == booking_uid(booking)
    assert event.decoded("dtstart") == at(2, "10:00")
    assert str(event["location"]) == booking.join_url
    assert str(event["organizer"]) == "mailto:organizer@example.com"
    assert "2026-12-09 03:00–04:00 (CET)" in message.get_body(("plain",)).get_content()
