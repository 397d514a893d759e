"""BK-17: a booking's meeting at Tencent Meeting or Zoom: wanted inside the approval,
made by the worker after the commit, retried with backoff, failed for good without
losing the booking, moved with a change, cancelled with a cancellation."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core import mail

from bookings import services
from bookings.models import Booking, Occurrence, ProviderMeeting
from bookings.services import remote_meetings
from bookings.tasks import provider_meeting_sync_task
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.bookings.remote_fakes import (
    TENCENT_SECRET,
    FakeClient,
    permanent,
    remote_room,
    tencent_provider,
    transient,
    zoom_provider,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

St = ProviderMeeting.State


@pytest.fixture
def client_fake(monkeypatch):
    fakes: dict[int, FakeClient] = {}

    def provider_client(provider):
        return fakes.setdefault(provider.pk, FakeClient(prefix=provider.kind[0]))

    monkeypatch.setattr("bookings.remote.provider_client", provider_client)
    return fakes


@pytest.fixture
def organizer(db):
    """Reads English, so the tests read the emails' words whatever the catalogues say."""
    return UserFactory(email="organizer@example.com", name="Olga Organizer", language="en")


@pytest.fixture
def tencent(db):
    return tencent_provider()


@pytest.fixture
def troom(tencent):
    return remote_room(tencent)


@pytest.fixture
def eager_retrying():
    """Tasks run in the test's thread and their retries too: Celery's eager mode retries
    at once (ignoring the countdown) unless errors propagate."""
    from meetingops.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def it_people(settings):
    """IT's address, no one's account: it reads the company's language, English here so
    the tests read the alert's words whatever the catalogues say."""
    settings.IT_ALERT_EMAILS = ["it-desk@example.com"]
    settings.LANGUAGE_CODE = "en"


def approve(booking, approver, capture, **extra):
    with capture(execute=True):
        services.booking_approve(booking=booking, actor=approver, **extra)
    booking.refresh_from_db()
    return booking


def the_row(booking) -> ProviderMeeting:
    return ProviderMeeting.objects.get(
        booking=booking, state__in=[St.PENDING, St.CREATED, St.FAILED]
    )


def test_approval_wants_the_meeting_and_queues_the_worker_only_on_commit(
    organizer, approver, troom, policy, client_fake, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(provider_meeting_sync_task, "delay", lambda **kw: queued.append(kw))
    booking = book(organizer, troom)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.booking_approve(booking=booking, actor=approver)
    # Inside the transaction nothing called out, and nothing was queued yet.
    assert client_fake == {} or not any(f.calls for f in client_fake.values())
    assert queued == []
    row = the_row(booking)
    assert (row.state, row.action, row.provider_id) == (St.PENDING, "create", troom.provider_id)
    for callback in callbacks:
        callback()
    assert queued == [{"meeting_id": row.pk}]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert booking.join_url == ""  # the link comes later


def test_the_worker_creates_the_meeting_and_gives_the_booking_its_link(
    organizer,
    approver,
    troom,
    policy,
    client_fake,
    eager_tasks,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    arrived = []
    monkeypatch.setattr(
        remote_meetings, "_invitations_join_info_arrived", lambda pk: arrived.append(pk)
    )
    booking = approve(
        book(organizer, troom, agenda="Figures"), approver, django_capture_on_commit_callbacks
    )
    fake = client_fake[troom.provider_id]
    assert fake.names() == ["create"]
    spec = fake.calls[0][1]
    assert (spec.topic, spec.start, spec.end) == (
        "Quarterly review",
        at(2, "10:00"),
        at(2, "11:00"),
    )
    assert spec.agenda == "Figures"
    assert booking.join_url == "https://meeting.example.com/j/t1"
    assert booking.meeting_code == "800000001"
    row = the_row(booking)
    assert (row.state, row.action, row.attempts, row.remote_id) == (St.CREATED, "", 1, "t1")
    assert arrived == [booking.pk]
    event = AuditEvent.objects.get(action="booking.link_given")
    assert event.target_id == str(booking.pk)
    assert "Quarterly review" not in str(event.data) + event.target_label


def test_a_confidential_meeting_is_created_with_a_password_of_six_digits(
    organizer, approver, troom, policy, client_fake, eager_tasks, django_capture_on_commit_callbacks
):
    booking = approve(
        book(organizer, troom, confidential=True), approver, django_capture_on_commit_callbacks
    )
    spec = client_fake[troom.provider_id].calls[0][1]
    assert len(spec.password) == 6
    assert spec.password.isdigit()
    assert booking.meeting_password == spec.password


def test_transient_failures_are_retried_with_backoff_each_attempt_recorded(
    organizer,
    approver,
    troom,
    policy,
    client_fake,
    eager_retrying,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    countdowns = []
    original = provider_meeting_sync_task.retry

    def retry(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return original(*args, **kwargs)

    monkeypatch.setattr(provider_meeting_sync_task, "retry", retry)
    fake = client_fake.setdefault(troom.provider_id, FakeClient(prefix="t"))
    fake.fail = [transient(503), transient(429)]
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    assert fake.names() == ["create", "create", "create"]
    assert countdowns == [60, 120]  # doubling from a minute
    row = the_row(booking)
    assert (row.state, row.attempts, row.last_error) == (St.CREATED, 3, "")
    assert booking.join_url.endswith("/t1")
    # Nobody is bothered by a failure that mended itself: only the approval's own email,
    # then the calendar entry with the link once it came (BK-10).
    assert [m.subject for m in mail.outbox] == [
        "[MeetingOps] Booking confirmed: Quarterly review",
        "[MeetingOps] Your meeting, with its link: Quarterly review",
    ]


def test_a_transient_failure_records_the_attempt_and_the_next_one(
    organizer, approver, troom, policy, client_fake, django_capture_on_commit_callbacks
):
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    row = the_row(booking)
    fake = client_fake.setdefault(troom.provider_id, FakeClient(prefix="t"))
    fake.fail = [transient(502)]
    outcome = remote_meetings.provider_meeting_sync(meeting_id=row.pk)
    assert outcome.status == "retry"
    assert outcome.countdown == 60
    row.refresh_from_db()
    assert row.state == St.PENDING
    assert row.attempts == 1
    assert row.last_error.startswith("HTTP 502")
    assert row.next_attempt_at is not None
    assert row.claimed_until is None


def test_retry_after_is_honoured_and_backoff_is_capped():
    assert remote_meetings.retry_delay(1) == 60
    assert remote_meetings.retry_delay(3) == 240
    assert remote_meetings.retry_delay(30) == 3600
    assert remote_meetings.retry_delay(1, retry_after=300) == 300


def test_a_permanent_failure_fails_the_row_tells_organizer_and_it_once_and_keeps_the_booking(
    organizer,
    approver,
    troom,
    policy,
    client_fake,
    eager_tasks,
    it_people,
    django_capture_on_commit_callbacks,
):
    fake = client_fake.setdefault(troom.provider_id, FakeClient(prefix="t"))
    fake.fail = [permanent(400, "invalid userid")]
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    row = the_row(booking)
    assert row.state == St.FAILED
    assert row.attempts == 1
    assert "invalid userid" in row.last_error
    assert "HTTP 400" in row.last_error
    assert booking.status == Booking.Status.APPROVED
    assert booking.join_url == ""
    assert booking.occurrences.get().status == Occurrence.Status.APPROVED
    organizer_mail = [m for m in mail.outbox if m.to == [organizer.email]]
    it_mail = [m for m in mail.outbox if "it-desk@example.com" in m.to]
    # The approval's own confirmation, and the failure's notice.
    assert len(organizer_mail) == 2
    failure = [m for m in organizer_mail if "link" in m.subject.lower()]
    assert len(failure) == 1
    assert "approved" in failure[0].body
    assert "Quarterly review" in failure[0].body
    assert len(it_mail) == 1
    assert f"booking #{booking.pk}" in it_mail[0].body
    assert "Quarterly review" not in it_mail[0].body  # IT may not see every topic
    assert TENCENT_SECRET not in it_mail[0].body
    # Run again (a redelivered message): nothing more is sent, nothing called.
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        provider_meeting_sync_task.delay(meeting_id=row.pk)
    assert len(mail.outbox) == before
    assert fake.names() == ["create"]


def test_retries_used_up_fail_the_row(
    organizer,
    approver,
    troom,
    policy,
    client_fake,
    eager_retrying,
    it_people,
    django_capture_on_commit_callbacks,
):
    fake = client_fake.setdefault(troom.provider_id, FakeClient(prefix="t"))
    fake.fail = [transient() for _ in range(remote_meetings.MAX_ATTEMPTS)]
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    row = the_row(booking)
    assert row.state == St.FAILED
    assert row.attempts == remote_meetings.MAX_ATTEMPTS
    assert len(fake.calls) == remote_meetings.MAX_ATTEMPTS
    assert len([m for m in mail.outbox if "it-desk@example.com" in m.to]) == 1


def test_retry_now_after_the_cause_is_fixed_gives_the_link(
    organizer,
    approver,
    troom,
    policy,
    client_fake,
    eager_tasks,
    it_member,
    django_capture_on_commit_callbacks,
):
    fake = client_fake.setdefault(troom.provider_id, FakeClient(prefix="t"))
    fake.fail = [permanent()]
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    row = the_row(booking)
    with django_capture_on_commit_callbacks(execute=True):
        services.provider_meeting_retry(meeting=row, actor=it_member)
    row.refresh_from_db()
    booking.refresh_from_db()
    assert row.state == St.CREATED
    assert booking.join_url.endswith("/t1")
    event = AuditEvent.objects.get(action="providermeeting.retried")
    assert event.actor == it_member


def test_retry_now_refuses_a_meeting_in_sync(
    organizer,
    approver,
    troom,
    policy,
    client_fake,
    eager_tasks,
    it_member,
    django_capture_on_commit_callbacks,
):
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    from meetingops.errors import InvalidTransition

    with pytest.raises(InvalidTransition) as refused:
        services.provider_meeting_retry(meeting=the_row(booking), actor=it_member)
    assert refused.value.code == "not_retryable"


def test_an_approved_change_of_time_updates_the_meeting(
    organizer, approver, troom, policy, client_fake, eager_tasks, django_capture_on_commit_callbacks
):
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    services.booking_change(
        booking=booking, actor=organizer, start=at(2, "14:00"), end=at(2, "15:00")
    )
    booking = approve(
        Booking.objects.get(pk=booking.pk), approver, django_capture_on_commit_callbacks
    )
    fake = client_fake[troom.provider_id]
    assert fake.names() == ["create", "update"]
    meeting, spec = fake.calls[1][1]
    assert meeting.remote_id == "t1"
    assert (spec.start, spec.end) == (at(2, "14:00"), at(2, "15:00"))
    row = the_row(booking)
    assert row.state == St.CREATED
    assert booking.join_url.endswith("/t1")  # the same meeting, moved


def test_an_approved_change_of_headcount_calls_no_provider(
    organizer, approver, troom, policy, client_fake, eager_tasks, django_capture_on_commit_callbacks
):
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    services.booking_change(booking=booking, actor=organizer, expected_headcount=5)
    approve(Booking.objects.get(pk=booking.pk), approver, django_capture_on_commit_callbacks)
    assert client_fake[troom.provider_id].names() == ["create"]


def test_a_cancellation_cancels_the_meeting(
    organizer, approver, troom, policy, client_fake, eager_tasks, django_capture_on_commit_callbacks
):
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer, reason="No longer needed")
    fake = client_fake[troom.provider_id]
    assert fake.names() == ["create", "cancel"]
    assert fake.calls[1][1] == ("t1", "")
    row = ProviderMeeting.objects.get(booking=booking)
    assert row.state == St.CANCELLED
    assert AuditEvent.objects.filter(action="providermeeting.cancelled").count() == 1


def test_cancelling_a_meeting_never_created_calls_nobody(
    organizer, approver, troom, policy, client_fake, eager_tasks, django_capture_on_commit_callbacks
):
    booking = book(organizer, troom)
    with django_capture_on_commit_callbacks(execute=False):  # the worker never ran
        services.booking_approve(booking=booking, actor=approver)
    with django_capture_on_commit_callbacks(execute=True) as cancelled:
        services.booking_cancel(booking=booking, actor=organizer)

    assert cancelled  # the cancellation's work was queued and ran, eagerly
    assert ProviderMeeting.objects.get(booking=booking).state == St.CANCELLED
    assert not any(f.calls for f in client_fake.values())


def test_one_cancelled_meeting_of_a_series_is_cancelled_alone_by_its_key(
    organizer, approver, troom, policy, client_fake, eager_tasks, django_capture_on_commit_callbacks
):
    booking = book(organizer, troom, recurrence_rule={"freq": "weekly", "count": 3})
    booking = approve(booking, approver, django_capture_on_commit_callbacks)
    fake = client_fake[troom.provider_id]
    spec = fake.calls[0][1]
    assert len(spec.slots) == 3
    assert spec.recurrence
    second = list(booking.occurrences.order_by("start"))[1]
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer, occurrence=second)
    assert fake.names() == ["create", "cancel"]
    assert fake.calls[1][1] == ("t1", "sub-1")
    row = the_row(booking)
    assert row.state == St.CREATED
    assert row.occurrence_cancels == []


def test_a_change_to_another_providers_room_cancels_the_old_and_creates_anew(
    organizer, approver, troom, policy, client_fake, eager_tasks, django_capture_on_commit_callbacks
):
    zroom = remote_room(zoom_provider())
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    services.booking_change(booking=booking, actor=organizer, room=zroom)
    booking = approve(
        Booking.objects.get(pk=booking.pk), approver, django_capture_on_commit_callbacks
    )
    assert client_fake[troom.provider_id].names() == ["create", "cancel"]
    assert client_fake[zroom.provider_id].names() == ["create"]
    old = ProviderMeeting.objects.get(booking=booking, provider=troom.provider)
    new = ProviderMeeting.objects.get(booking=booking, provider=zroom.provider)
    assert (old.state, new.state) == (St.CANCELLED, St.CREATED)
    assert booking.join_url == "https://meeting.example.com/j/z1"


def test_a_twin_run_while_the_row_is_claimed_calls_out_no_second_time(
    organizer, approver, troom, policy, client_fake, django_capture_on_commit_callbacks
):
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    row = the_row(booking)
    now = dt.datetime.now(dt.UTC)
    ProviderMeeting.objects.filter(pk=row.pk).update(claimed_until=now + dt.timedelta(minutes=1))
    assert remote_meetings.provider_meeting_sync(meeting_id=row.pk, now=now).status == "busy"
    assert not any(f.calls for f in client_fake.values())


def test_the_sweep_queues_only_overdue_rows_no_worker_holds(
    organizer, approver, troom, policy, client_fake, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(provider_meeting_sync_task, "delay", lambda **kw: queued.append(kw))
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    queued.clear()
    row = the_row(booking)
    now = dt.datetime.now(dt.UTC)
    assert remote_meetings.provider_meetings_due(now=now) == 0  # on time: its own task
    later = now + dt.timedelta(minutes=10)
    assert remote_meetings.provider_meetings_due(now=later) == 1
    assert queued == [{"meeting_id": row.pk}]


def test_missing_credentials_fail_at_once_without_retry(
    organizer,
    approver,
    policy,
    eager_tasks,
    it_people,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    """The real client, with its secret's environment variable unset: no call goes out
    (respx would refuse it), and no retry can mend it."""
    import respx

    provider = tencent_provider(secret_env="MEETINGOPS_TEST_NOT_SET")
    monkeypatch.delenv("MEETINGOPS_TEST_NOT_SET", raising=False)
    with respx.mock(assert_all_mocked=True):
        booking = approve(
            book(organizer, remote_room(provider)), approver, django_capture_on_commit_callbacks
        )
    row = the_row(booking)
    assert row.state == St.FAILED
    assert row.attempts == 1
    assert "credentials" in row.last_error
    assert "secret_key" in row.last_error


def test_an_unreadable_stored_secret_fails_at_once_saying_so(
    organizer,
    approver,
    policy,
    eager_tasks,
    it_people,
    django_capture_on_commit_callbacks,
    settings,
):
    from cryptography.fernet import Fernet

    provider = tencent_provider()  # stored under the key derived from SECRET_KEY
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # that key dropped
    booking = approve(
        book(organizer, remote_room(provider)), approver, django_capture_on_commit_callbacks
    )
    row = the_row(booking)
    assert row.state == St.FAILED
    assert "cannot be read" in row.last_error


def test_an_error_echoing_the_secret_is_recorded_without_it(
    organizer,
    approver,
    troom,
    policy,
    client_fake,
    eager_tasks,
    it_people,
    django_capture_on_commit_callbacks,
    caplog,
):
    fake = client_fake.setdefault(troom.provider_id, FakeClient(prefix="t"))
    fake.fail = [permanent(401, f"bad signature for key {TENCENT_SECRET}")]
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    row = the_row(booking)
    assert TENCENT_SECRET not in row.last_error
    assert "•••" in row.last_error
    assert TENCENT_SECRET not in caplog.text
    assert all(TENCENT_SECRET not in m.body for m in mail.outbox)
    assert not AuditEvent.objects.filter(data__icontains=TENCENT_SECRET).exists()


def test_a_manual_or_jitsi_room_wants_no_remote_meeting(organizer, approver, room, policy):
    booking = book(organizer, room)
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    assert booking.join_url  # Jitsi: at once, offline
    assert not ProviderMeeting.objects.exists()


def test_a_failed_move_is_its_alone_the_organizer_keeps_the_old_link(
    organizer,
    approver,
    troom,
    policy,
    client_fake,
    eager_tasks,
    it_people,
    django_capture_on_commit_callbacks,
):
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    services.booking_change(
        booking=booking, actor=organizer, start=at(2, "14:00"), end=at(2, "15:00")
    )
    client_fake[troom.provider_id].fail = [permanent(400, "meeting locked")]
    mail.outbox.clear()
    booking = approve(
        Booking.objects.get(pk=booking.pk), approver, django_capture_on_commit_callbacks
    )
    row = the_row(booking)
    assert (row.state, row.action) == (St.FAILED, "update")
    assert booking.join_url.endswith("/t1")
    told = [m for m in mail.outbox if "could not schedule" in m.subject]
    assert [m.to for m in told] == [["it-desk@example.com"]]
    assert "could not update the meeting" in told[0].body
    assert not [m for m in mail.outbox if "delayed" in m.subject]


class RuleClient(FakeClient):
    """Schedules a series as the provider does, by its rule: every week from the first
    meeting, `weeks` of them, whatever meetings the booking itself holds."""

    def __init__(self, weeks: int, *, spelling=lambda start: start) -> None:
        super().__init__(prefix="t")
        self.weeks, self.spelling = weeks, spelling

    def create(self, spec):
        meeting = super().create(spec)
        starts = [spec.start + dt.timedelta(weeks=i) for i in range(self.weeks)]
        keys = {
            self.spelling(s.astimezone(dt.UTC).isoformat()): f"sub-{i}"
            for i, s in enumerate(starts)
        }
        return dataclasses.replace(meeting, occurrence_keys=keys)


def test_a_series_meeting_the_booking_does_not_hold_is_cancelled_at_the_provider(
    organizer,
    approver,
    troom,
    policy,
    eager_tasks,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    client = RuleClient(weeks=3)
    monkeypatch.setattr("bookings.remote.provider_client", lambda provider: client)
    booking = book(organizer, troom, recurrence_rule={"freq": "weekly", "count": 3})
    middle = list(booking.occurrences.order_by("start"))[1]
    services.booking_reject(booking=booking, actor=approver, reason="Taken", occurrence=middle)
    booking = approve(
        Booking.objects.get(pk=booking.pk), approver, django_capture_on_commit_callbacks
    )
    assert client.names() == ["create", "cancel"]
    assert client.calls[1][1] == ("t1", "sub-1")  # the rejected week, alone
    row = the_row(booking)
    assert (row.state, row.occurrence_cancels) == (St.CREATED, [])


def test_keys_that_do_not_name_the_approved_meetings_cancel_nothing(
    organizer,
    approver,
    troom,
    policy,
    eager_tasks,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    client = RuleClient(weeks=3, spelling=lambda iso: iso[:10])  # days, not starts
    monkeypatch.setattr("bookings.remote.provider_client", lambda provider: client)
    booking = book(organizer, troom, recurrence_rule={"freq": "weekly", "count": 2})
    approve(booking, approver, django_capture_on_commit_callbacks)
    assert client.names() == ["create"]


def test_a_message_for_a_row_that_is_not_there_does_nothing():
    assert remote_meetings.provider_meeting_sync(meeting_id=987654).status == "idle"


def test_a_provider_made_manual_meanwhile_fails_the_meeting_saying_why(
    organizer, approver, troom, policy, django_capture_on_commit_callbacks
):
    booking = approve(book(organizer, troom), approver, django_capture_on_commit_callbacks)
    row = the_row(booking)
    troom.provider.__class__.objects.filter(pk=troom.provider_id).update(kind="manual")
    assert remote_meetings.provider_meeting_sync(meeting_id=row.pk).status == "failed"
    row.refresh_from_db()
    assert row.last_error.startswith("ValueError: provider")
    assert "has no REST client" in row.last_error
