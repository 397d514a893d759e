"""The nightly audit check (OV-1, X-3), run eagerly and by a real worker."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.db import connection

from oversight import audit
from oversight.tasks import audit_chain_verify
from security import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_check_of_an_intact_chain_reports_its_head():
    events = [audit.record(actor=None, action="thing.done") for _ in range(3)]

    result = audit_chain_verify.apply().get()

    assert result == {"ok": True, "checked": 3, "head": [events[-1].seq, events[-1].hash]}
    assert mail.outbox == []


def _break_chain_at(seq: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE oversight_auditevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE oversight_auditevent SET action = 'x' WHERE seq = %s", [seq])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE oversight_auditevent ENABLE TRIGGER USER")


def test_a_broken_chain_is_mailed_to_it(settings):
    settings.IT_ALERT_EMAILS = ["alerts@example.com"]
    UserFactory(email="it.member@example.com", groups=[roles.IT])
    events = [audit.record(actor=None, action="thing.done") for _ in range(3)]
    _break_chain_at(events[1].seq)

    result = audit_chain_verify.apply().get()

    assert result["ok"] is False
    assert result["broken_seq"] == events[1].seq
    assert set(mail.outbox[0].to) == {"alerts@example.com", "it.member@example.com"}
    assert f"#{events[1].seq}" in mail.outbox[0].body


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_takes_the_check_from_redis(settings):
    from celery.contrib.testing.worker import start_worker

    from meetingops.celery import app

    settings.IT_ALERT_EMAILS = ["alerts@example.com"]
    events = [audit.record(actor=None, action="thing.done") for _ in range(2)]
    _break_chain_at(events[0].seq)

    app.control.purge()  # messages other tests queued for bookings that no longer exist
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        audit_chain_verify.delay()
        deadline = time.monotonic() + 30
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.1)

    assert app.conf.broker_url.startswith("redis://")
    assert mail.outbox[0].to == ["alerts@example.com"]


def test_a_failed_job_report_survives_a_mail_server_that_is_down(settings, caplog):
    from oversight.services import task_failure_report

    settings.IT_ALERT_EMAILS = ["alerts@example.com"]
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"

    sent = task_failure_report(
        task_name="bookings.tasks.booking_notify",
        task_id="abc",
        error=ConnectionRefusedError("SMTP down"),
        retries=5,
    )

    assert sent == 0
    assert "bookings.tasks.booking_notify (abc) failed after 5 retries" in caplog.text
    assert "Could not mail IT" in caplog.text


class DownBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")
