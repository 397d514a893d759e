"""BK-11 (Indico #4187): the organizer reads the answers in at most one email per
booking in a short window, sent by the every-minute job once, even with two workers
claiming at once (PostgreSQL), in the organizer's language and time zone, listing who
comes, who may, who declined and why, and who has not answered."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connections
from django_celery_beat.models import PeriodicTask

from bookings import digests, services
from bookings.models import AnswerDigest, NotificationDelivery, Participant
from bookings.services.answers import DIGEST_DELAY
from bookings.tasks import answer_digests_send_task
from meetingops.schedules import JOB_LABELS
from tests.bookings.conftest import NOW, at, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

DUE = NOW + DIGEST_DELAY
JOB = "bookings: send the organizers' digests of answers, every minute"


@pytest.fixture
def meeting(organizer, approver, policy):
    room = RoomFactory(capacity=20, allows_external_guests=True)
    people = [
        UserFactory(email="ann@example.com", name="Ann Accepts"),
        UserFactory(email="tom@example.com", name="Tom Tentative"),
        UserFactory(email="nina@example.com", name="Nina Noanswer"),
    ]
    booking = book(
        organizer,
        room,
        attendee_users=people,
        attendee_emails=["dora@partner.example"],
        expected_headcount=5,
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def p(booking, email) -> Participant:
    return Participant.objects.select_related("occurrence", "booking").get(
        booking=booking, email=email
    )


def answer_all(booking) -> None:
    services.participant_answer(
        participant=p(booking, "ann@example.com"),
        response="accepted",
        actor=p(booking, "ann@example.com").user,
        via="page",
    )
    services.participant_answer(
        participant=p(booking, "tom@example.com"),
        response="tentative",
        reason="Another call until 10:15",
        actor=p(booking, "tom@example.com").user,
        via="api",
    )
    services.participant_answer(
        participant=p(booking, "dora@partner.example"),
        response="declined",
        reason="Travelling to Berlin",
        actor=None,
        via="link",
    )


def test_the_job_is_scheduled_every_minute_and_named_in_admin():
    job = PeriodicTask.objects.get(name=JOB)

    assert job.task == "bookings.tasks.answer_digests_send"
    assert (job.interval.every, job.interval.period) == (1, "minutes")
    assert job.enabled
    assert JOB in JOB_LABELS


def test_three_answers_in_the_window_make_one_email_when_it_is_due(meeting, organizer):
    organizer.language = "en"
    organizer.save()
    answer_all(meeting)

    assert digests.answer_digests_send(now=DUE - dt.timedelta(seconds=1)) == 0
    assert mail.outbox == []

    assert digests.answer_digests_send(now=DUE) == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["organizer@example.com"]
    assert "Quarterly review" in email.subject
    text = email.body
    coming, rest = text.split("Coming (2):")[1].split("May come (1):")
    assert "Olga Organizer" in coming
    assert "Ann Accepts [new]" in coming
    may, rest = rest.split("Not coming, with their reasons (1):")
    assert "Tom Tentative [new]: Another call until 10:15" in may
    declined, unanswered = rest.split("Not answered yet (1):")
    # The organizer may read the guests' addresses and every leave request.
    assert "dora@partner.example (external guest) [new]: Travelling to Berlin" in declined
    assert "Nina Noanswer" in unanswered
    html = email.alternatives[0][0]
    assert "Travelling to Berlin" in html
    assert "Nina Noanswer" in html


def test_a_digest_is_sent_once_however_often_the_job_runs(meeting):
    answer_all(meeting)

    answer_digests_send_task.apply()
    with time_machine.travel(DUE, tick=False):
        assert answer_digests_send_task.apply().get() == 1
        assert answer_digests_send_task.apply().get() == 0
    assert len(mail.outbox) == 1
    digest = AnswerDigest.objects.get()
    assert digest.sent_at == DUE
    assert NotificationDelivery.objects.get(kind="answers").sent_at is not None


def test_a_digest_whose_mark_was_lost_is_not_mailed_again(meeting):
    answer_all(meeting)
    digests.answer_digests_send(now=DUE)
    # As if the worker died after the mail server took it, before the digest's mark.
    AnswerDigest.objects.update(sent_at=None)

    assert digests.answer_digests_send(now=DUE) == 0
    assert len(mail.outbox) == 1
    assert AnswerDigest.objects.get().sent_at is not None


def test_an_answer_after_the_digest_waits_for_the_next_window(meeting, organizer):
    organizer.language = "en"
    organizer.save()
    answer_all(meeting)
    digests.answer_digests_send(now=DUE)

    with time_machine.travel(DUE + dt.timedelta(minutes=1), tick=False):
        services.participant_answer(
            participant=p(meeting, "nina@example.com"),
            response="accepted",
            actor=p(meeting, "nina@example.com").user,
            via="page",
        )
    assert digests.answer_digests_send(now=DUE + dt.timedelta(minutes=2)) == 0
    assert digests.answer_digests_send(now=DUE + dt.timedelta(minutes=6)) == 1
    assert len(mail.outbox) == 2
    assert "Nina Noanswer [new]" in mail.outbox[1].body.split("Coming (3):")[1]


def test_the_digest_reads_the_organizers_language_and_time_zone(meeting, organizer):
    organizer.language, organizer.time_zone = "zh-hans", "Europe/Berlin"
    organizer.save()
    answer_all(meeting)

    digests.answer_digests_send(now=DUE)

    email = mail.outbox[0]
    # Wednesday 10:00 in Shanghai is 03:00 in Berlin (CET, UTC+1).
    assert at(2, "10:00").astimezone(dt.UTC).hour == 2
    assert "03:00" in email.body
    assert "10:00–11:00" not in email.body
    assert "CET" in email.body


def test_a_meeting_cancelled_before_the_digest_is_due_is_not_reported(meeting, organizer):
    answer_all(meeting)
    services.booking_cancel(booking=meeting, actor=organizer, reason="Off")

    assert digests.answer_digests_send(now=DUE) == 0
    assert mail.outbox == []
    assert AnswerDigest.objects.get().sent_at == DUE  # handled, not retried forever


def test_a_confidential_meetings_digest_shows_its_topic_to_its_organizer(
    organizer, approver, policy
):
    colleague = UserFactory(email="c@example.com")
    booking = book(
        organizer, RoomFactory(), attendee_users=[colleague], confidential=True, topic="Merger"
    )
    services.booking_approve(booking=booking, actor=approver)
    services.participant_answer(
        participant=p(booking, "c@example.com"), response="accepted", actor=colleague, via="page"
    )

    digests.answer_digests_send(now=DUE)

    assert "Merger" in mail.outbox[0].subject


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_a_digest_once(meeting, monkeypatch):
    answer_all(meeting)
    claimed, go = threading.Event(), threading.Event()
    real = digests._mailed
    first = threading.current_thread()
    outcomes: dict[str, object] = {}

    def slow(digest, now):
        # The first worker holds its claim while the second one runs.
        if threading.current_thread().name == "first":
            claimed.set()
            assert go.wait(10)
        return real(digest, now)

    monkeypatch.setattr(digests, "_mailed", slow)

    def worker(name: str) -> None:
        try:
            outcomes[name] = digests.answer_digests_send(now=DUE)
        except Exception as error:  # the assertion below shows it
            outcomes[name] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=worker, args=("first",), name="first")
    two = threading.Thread(target=worker, args=("second",), name="second")
    one.start()
    assert claimed.wait(10)
    two.start()
    two.join(10)
    assert not two.is_alive(), "the second worker waited on the first one's claim"
    go.set()
    one.join(10)

    assert threading.current_thread() is first
    assert outcomes == {"first": 1, "second": 0}
    assert len(mail.outbox) == 1
    assert AnswerDigest.objects.get().sent_at is not None


def test_the_schedule_is_upserted_by_name_keeping_its_edits():
    import importlib

    from django.apps import apps
    from django_celery_beat.models import IntervalSchedule

    migration = importlib.import_module("bookings.migrations.0020_answers_digest")
    job = PeriodicTask.objects.get(name=JOB)
    every_five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.filter(pk=job.pk).update(
        task="bookings.tasks.old_name", interval=every_five, enabled=False
    )

    migration.schedule(apps, None)

    job.refresh_from_db()
    assert job.task == "bookings.tasks.answer_digests_send"
    assert (job.interval.every, job.enabled) == (5, False)  # IT's edits stay
    assert PeriodicTask.objects.filter(name=JOB).count() == 1
