"""BK-12: reminders sent exactly once, from approval to the email: each participant who
has not declined gets one per lead time, in their language and time zone, with the join
information and a sign-in link; twice delivered, two claimers at once, a mail server
failing mid-batch or a worker dying never send one twice (but the one in flight) or
lose one."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading
import time
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, connections
from django.utils import translation
from django_celery_beat.models import PeriodicTask

from bookings import reminders, secrecy, services
from bookings.models import Participant, Reminder
from bookings.reminders import reminders_send_due
from bookings.tasks import reminders_send_task
from meetingops.schedules import JOB_LABELS
from tests.bookings.conftest import at, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

# The day before the meeting (Wednesday 10:00): the 1440-minute reminders are due.
DAY_BEFORE = at(1, "10:00")


@pytest.fixture
def guest_room(db):
    return RoomFactory(capacity=20, allows_external_guests=True)


@pytest.fixture
def colleague(db):
    return UserFactory(
        email="colleague@example.com", language="zh-hans", time_zone="America/New_York"
    )


@pytest.fixture
def approved(organizer, guest_room, approver, colleague, policy):
    booking = book(
        organizer,
        guest_room,
        topic="Quarterly review",
        attendee_users=[colleague],
        attendee_emails=["guest@partner.example"],
        password_required=True,
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    mail.outbox.clear()
    return booking


def _by_recipient() -> dict[str, mail.EmailMessage]:
    return {m.to[0]: m for m in mail.outbox}


def _sends() -> Counter:
    return Counter(m.extra_headers["Message-ID"] for m in mail.outbox)


def test_approved_meeting_reminds_everyone_once_when_the_day_before_comes(approved):
    assert reminders_send_due(now=at(1, "09:59")).sent == 0  # none due yet

    with time_machine.travel(DAY_BEFORE, tick=False):
        result = reminders_send_due()

    assert result.sent == 3
    assert set(_by_recipient()) == {
        "organizer@example.com",
        "colleague@example.com",
        "guest@partner.example",
    }
    day_before = Reminder.objects.filter(lead_minutes=1440)
    assert {r.sent_at for r in day_before} == {DAY_BEFORE}
    assert not Reminder.objects.filter(lead_minutes=15, sent_at__isnull=False).exists()


def test_a_reminder_carries_topic_time_join_information_and_a_sign_in_link(approved, settings):
    settings.LANGUAGE_CODE = "en"  # the company's language, which a guest reads
    with time_machine.travel(DAY_BEFORE, tick=False):
        reminders_send_due()
    guest = _by_recipient()["guest@partner.example"]
    html = guest.alternatives[0][0]

    # The company's language and zone (Asia/Shanghai) for an external guest.
    assert guest.subject == "[MeetingOps] Meeting reminder: Quarterly review, in 1 day"
    assert "Time: 2026-12-09 10:00–11:00 (CST)" in guest.body
    assert f"Meeting link: {approved.join_url}" in guest.body
    assert f"Meeting ID: {approved.meeting_code}" in guest.body
    assert f"Meeting password: {approved.meeting_password}" in guest.body
    assert approved.meeting_password
    assert f'href="{approved.join_url}"' in html
    participant = Participant.objects.get(email="guest@partner.example")
    with time_machine.travel(DAY_BEFORE, tick=False):
        link = reminders.links.sign_in_url(participant)
    assert link in guest.body
    assert f'href="{link}"' in html


def test_a_colleague_reads_it_in_their_language_and_time_zone(approved):
    with time_machine.travel(DAY_BEFORE, tick=False):
        reminders_send_due()
    colleague = _by_recipient()["colleague@example.com"]

    assert "会议主题：Quarterly review" in colleague.body
    # 10:00 in Shanghai is 21:00 the evening before in New York.
    assert "2026-12-08 21:00–22:00" in colleague.body
    assert 'lang="zh-hans"' in colleague.alternatives[0][0]


def test_the_lead_time_is_said_in_minutes_hours_or_days():
    with translation.override("en"):
        assert reminders._lead_text(15) == "in 15 minutes"
        assert reminders._lead_text(120) == "in 2 hours"
        assert reminders._lead_text(2880) == "in 2 days"
    with translation.override("zh-hans"):
        assert reminders._lead_text(15) == "15 分钟后"


def test_a_second_run_and_a_task_delivered_twice_send_nothing_again(approved, eager_tasks):
    with time_machine.travel(DAY_BEFORE, tick=False):
        reminders_send_task.delay()
        reminders_send_task.delay()  # the same minute's task delivered again
        assert reminders_send_due().sent == 0

    assert len(mail.outbox) == 3
    assert max(_sends().values()) == 1


def test_a_declined_invitee_gets_no_reminder_and_their_rows_are_voided(approved):
    Participant.objects.filter(email="colleague@example.com").update(response="declined")

    with time_machine.travel(DAY_BEFORE, tick=False):
        result = reminders_send_due()

    assert "colleague@example.com" not in _by_recipient()
    assert (result.sent, result.voided) == (2, 1)
    voided = Reminder.objects.get(participant__email="colleague@example.com", lead_minutes=1440)
    assert voided.voided_at is not None
    assert voided.sent_at is None


def test_a_person_removed_or_a_meeting_cancelled_gets_no_reminder(approved, organizer):
    attendee = approved.attendees.get(email="guest@partner.example")
    services.booking_attendee_remove(booking=approved, attendee=attendee, actor=organizer)

    with time_machine.travel(DAY_BEFORE, tick=False):
        reminders_send_due()
    assert "guest@partner.example" not in _by_recipient()

    mail.outbox.clear()
    services.booking_cancel(booking=approved, actor=organizer, reason="Postponed")
    mail.outbox.clear()
    with time_machine.travel(at(2, "09:45"), tick=False):
        assert reminders_send_due().sent == 0
    assert mail.outbox == []


def test_a_row_left_pending_for_a_meeting_no_longer_approved_is_voided_not_sent(approved):
    # As if a cancellation had not voided it (a row written by hand, an older release).
    approved.occurrences.update(status="cancelled")

    with time_machine.travel(DAY_BEFORE, tick=False):
        result = reminders_send_due()

    assert (result.sent, result.voided) == (0, 3)
    assert mail.outbox == []


def test_a_reminder_whose_meeting_has_ended_is_voided(approved):
    with time_machine.travel(at(2, "11:30"), tick=False):
        result = reminders_send_due()

    assert result.sent == 0
    assert result.voided == 6
    assert mail.outbox == []


def test_voided_rows_are_never_sent(approved):
    Reminder.objects.update(voided_at=at(0, "09:00"))

    with time_machine.travel(at(2, "10:30"), tick=False):
        assert reminders_send_due() == reminders.RemindersSent()
    assert mail.outbox == []


def test_a_confidential_meeting_shows_its_participants_the_topic():
    assert secrecy.reminder_reveals(
        confidential=True, is_organizer=False, is_participant=True, meeting_approved=True
    ) == secrecy.EmailReveals(details=True, reason=False, join_link=True)
    # Someone no longer taking part (their reminder is voided anyway) would read nothing.
    assert secrecy.reminder_reveals(
        confidential=True, is_organizer=False, is_participant=False, meeting_approved=True
    ) == secrecy.EmailReveals(details=False, reason=False, join_link=False)
    assert not secrecy.reminder_reveals(
        confidential=False, is_organizer=True, is_participant=True, meeting_approved=False
    ).join_link


# -- the mail server failing ---------------------------------------------------------------


class FlakyBackend(EmailBackend):
    """The locmem backend; the `fail_at`th message raises `error` once."""

    fail_at = 0
    error: BaseException = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    refused: frozenset[str] = frozenset()
    attempts = 0

    def send_messages(self, messages):
        for message in messages:
            type(self).attempts += 1
            if set(message.to) & self.refused:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
            if type(self).attempts == self.fail_at:
                super().send_messages([message])  # it did go out: the worker dies after
                raise self.error
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.fail_at, FlakyBackend.attempts, FlakyBackend.refused = 0, 0, frozenset()
    return FlakyBackend


class _Disconnected(EmailBackend):
    def send_messages(self, messages):
        type(self).calls = getattr(type(self), "calls", 0) + 1
        if type(self).calls == 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_mail_server_failing_mid_batch_loses_nothing_and_repeats_nothing(settings, approved):
    settings.EMAIL_BACKEND = f"{__name__}._Disconnected"
    _Disconnected.calls = 0

    with time_machine.travel(DAY_BEFORE, tick=False):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            reminders_send_due()
        assert len(mail.outbox) == 1
        assert Reminder.objects.filter(sent_at__isnull=False).count() == 1
        assert reminders_send_due().sent == 2  # the next minute's run

    assert len(mail.outbox) == 3
    assert max(_sends().values()) == 1


class WorkerKilled(BaseException):
    """What a kill -9 does to the transaction in flight: it never commits."""


def test_a_worker_dying_mid_batch_repeats_at_most_the_email_in_flight(flaky_mail, approved):
    flaky_mail.fail_at, flaky_mail.error = 2, WorkerKilled()

    with time_machine.travel(DAY_BEFORE, tick=False):
        with pytest.raises(WorkerKilled):
            reminders_send_due()
        assert Reminder.objects.filter(sent_at__isnull=False).count() == 1
        assert reminders_send_due().sent == 2

    sends = _sends()
    assert len(sends) == 3  # none lost
    assert sorted(sends.values()) == [1, 1, 2]  # the one in flight went twice, no other


def test_a_refused_recipient_does_not_hold_up_the_others_and_is_kept(flaky_mail, approved):
    flaky_mail.refused = frozenset({"guest@partner.example"})

    with time_machine.travel(DAY_BEFORE, tick=False):
        result = reminders_send_due()

    assert (result.sent, result.refused) == (2, 1)
    kept = Reminder.objects.get(participant__email="guest@partner.example", lead_minutes=1440)
    assert kept.sent_at is None
    assert kept.voided_at is None


# -- concurrency ---------------------------------------------------------------------------


class SlowBackend(EmailBackend):
    """locmem, but each message takes a moment, so that two claimers overlap."""

    lock = threading.Lock()

    def send_messages(self, messages):
        time.sleep(0.005)
        with self.lock:
            return super().send_messages(messages)


def _many_reminders(count: int, *, due: dt.datetime) -> None:
    """`count` reminders due at `due`, for approved meetings' participants."""
    organizer, approver = UserFactory(), UserFactory(is_staff=True, groups=["Approvers"])
    room = RoomFactory(capacity=50)
    people = [UserFactory() for _ in range(9)]
    booking = book(organizer, room, attendee_users=people, expected_headcount=10)
    services.booking_approve(booking=booking, actor=approver)
    participants = list(Participant.objects.filter(booking=booking))
    Reminder.objects.all().delete()
    Reminder.objects.bulk_create(
        [
            Reminder(
                participant=participants[i % len(participants)],
                occurrence=participants[i % len(participants)].occurrence,
                lead_minutes=1000 + i,
                due_at=due,
            )
            for i in range(count)
        ]
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_claiming_at_once_on_postgresql_send_each_reminder_once(settings):
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    with time_machine.travel(at(0, "09:00"), tick=False):
        _many_reminders(120, due=at(1, "09:00"))
    mail.outbox = []
    barrier = threading.Barrier(2)
    results: list = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(reminders_send_due(now=at(1, "09:00")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sends = _sends()
    assert len(sends) == 120
    assert max(sends.values()) == 1
    assert sum(r.sent for r in results) == 120
    assert all(r.sent > 0 for r in results)  # both took part: the locks kept them apart
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.postgres
def test_the_claim_reads_the_due_rows_from_their_partial_index():
    due = reminders.reminders_due(now=at(1, "09:00")).order_by("due_at")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = due.explain()
    assert "reminder_due_idx" in plan


def test_on_sqlite_a_second_thread_of_the_worker_waits_its_turn(approved, monkeypatch):
    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    assert reminders._SQLITE_TURN.acquire(blocking=False)
    try:
        with time_machine.travel(DAY_BEFORE, tick=False):
            assert reminders_send_due() == reminders.RemindersSent()
    finally:
        reminders._SQLITE_TURN.release()
    with time_machine.travel(DAY_BEFORE, tick=False):
        assert reminders_send_due().sent == 3
        assert reminders_send_due().sent == 0


# -- the task and its schedule -------------------------------------------------------------


def test_the_task_is_acknowledged_late_and_requeued_when_its_worker_is_lost():
    assert reminders_send_task.acks_late is True
    assert reminders_send_task.reject_on_worker_lost is True


def test_the_reminders_run_every_minute_from_a_schedule_named_for_admin():
    job = PeriodicTask.objects.get(task="bookings.tasks.reminders_send")

    assert (job.interval.every, job.interval.period, job.enabled) == (1, "minutes", True)
    assert job.name in JOB_LABELS


@pytest.mark.postgres
def test_a_backlog_is_shared_with_a_twin_the_next_free_worker_takes(approved, monkeypatch):
    queued = []
    monkeypatch.setattr("bookings.tasks.REMINDERS_SPREAD_OVER", 2)
    monkeypatch.setattr(reminders_send_task, "delay", lambda: queued.append(1))

    with time_machine.travel(DAY_BEFORE, tick=False):
        assert reminders_send_task() == 3  # called as a worker calls it (not eagerly)
        assert queued == [1]
        assert reminders_send_task() == 0
        assert queued == [1]  # no backlog left: no twin


def test_a_reminder_sent_late_says_the_time_really_left(approved, settings):
    settings.LANGUAGE_CODE = "en"
    # The workers were down: the day-before reminders go out at 20:00, 14 hours ahead.
    with time_machine.travel(at(1, "20:00"), tick=False):
        reminders_send_due()

    guest = _by_recipient()["guest@partner.example"]
    assert guest.subject == "[MeetingOps] Meeting reminder: Quarterly review, in 14 hours"
    assert reminders._lead_text(0) == "now"


def test_a_confidential_meetings_reminder_gives_each_participant_its_topic_and_link(
    organizer, guest_room, approver, colleague, policy
):
    booking = book(
        organizer,
        guest_room,
        topic="Merger talks",
        attendee_users=[colleague],
        attendee_emails=["guest@partner.example"],
        confidential=True,
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    mail.outbox.clear()

    with time_machine.travel(DAY_BEFORE, tick=False):
        reminders_send_due()

    sent = _by_recipient()
    assert set(sent) == {"organizer@example.com", "colleague@example.com", "guest@partner.example"}
    for email in sent.values():
        assert "Merger talks" in email.subject
        assert booking.join_url in email.body
        assert booking.meeting_password in email.body
