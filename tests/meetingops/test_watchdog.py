"""X-3, issue 10 item 8: scheduled work never stops silently. The beat and every worker
leave a heartbeat; the web process emails IT once per silence of the scheduler or of
every worker longer than WATCHDOG_SILENCE_MINUTES, tells IT when it ends, and admin
shows staff a red banner meanwhile."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetingops import beat, watchdog
from meetingops.celery import WorkerHeartbeat
from meetingops.celery import app as celery_app
from meetingops.models import Heartbeat, Silence
from meetingops.watchdog import heartbeat_record, watchdog_check
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _watching(settings):
    settings.WATCHDOG_SILENCE_MINUTES = 10
    settings.IT_ALERT_EMAILS = ["it-desk@example.com"]
    settings.LANGUAGE_CODE = "en"
    watchdog._latest_quiet = []
    with time_machine.travel(NOW, tick=False):
        yield
    watchdog._latest_quiet = []


def ago(minutes: float) -> dt.datetime:
    return NOW - dt.timedelta(minutes=minutes)


def later(minutes: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


def heard(kind: str, name: str, minutes_ago: float) -> None:
    heartbeat_record(kind=kind, name=name, now=ago(minutes_ago))


def test_a_silent_scheduler_is_reported_to_it_once_per_silence():
    heard("scheduler", "beat@host:1", 11)
    heard("worker", "celery@host", 0.5)

    assert watchdog_check() == {"scheduler": "alerted", "workers": "ok"}
    [alert] = mail.outbox
    assert alert.to == ["it-desk@example.com"]
    assert alert.subject == ("[MeetingOps] The scheduler is silent: scheduled jobs are not running")
    assert "more than 10 minutes" in alert.body
    assert "restart beat" in alert.body

    # The web checks again every minute; IT is not told again of the same silence.
    heard("worker", "celery@host", -1)
    assert watchdog_check(now=later(1))["scheduler"] == "silent, alerted"
    assert watchdog_check(now=later(2))["scheduler"] == "silent, alerted"
    assert len(mail.outbox) == 1
    assert Silence.objects.filter(kind="scheduler").count() == 1


def test_workers_are_silent_only_when_every_one_is():
    heard("scheduler", "beat@host:1", 0)
    heard("worker", "celery@a", 30)
    heard("worker", "celery@b", 2)

    assert watchdog_check() == {"scheduler": "ok", "workers": "ok"}

    heard("worker", "celery@b", 12)
    assert watchdog_check()["workers"] == "alerted"
    [alert] = mail.outbox
    assert alert.subject == "[MeetingOps] No worker is running: background work waits"
    assert Silence.objects.get(kind="workers").since == ago(12)


def test_a_heartbeat_within_the_setting_is_no_silence():
    heard("scheduler", "beat@host:1", 9.9)
    heard("worker", "celery@host", 9.9)

    assert watchdog_check() == {"scheduler": "ok", "workers": "ok"}
    assert mail.outbox == []
    assert not Silence.objects.exists()


def test_processes_never_heard_are_reported_once_the_setting_has_passed_since_noticed():
    assert watchdog_check() == {"scheduler": "silent", "workers": "silent"}
    assert mail.outbox == []

    assert watchdog_check(now=later(9)) == {"scheduler": "silent", "workers": "silent"}
    assert watchdog_check(now=later(11)) == {"scheduler": "alerted", "workers": "alerted"}
    assert len(mail.outbox) == 2
    assert "never" in mail.outbox[0].body


def test_when_the_silence_ends_it_is_told_and_a_new_silence_is_reported_again():
    heard("scheduler", "beat@host:1", 11)
    heard("worker", "celery@host", 0)
    watchdog_check()
    mail.outbox.clear()

    heard("scheduler", "beat@host:1", -1)  # the beat runs again
    assert watchdog_check(now=later(1))["scheduler"] == "recovered"
    [told] = mail.outbox
    assert told.subject == "[MeetingOps] The scheduler runs again"
    assert Silence.objects.get(kind="scheduler").ended_at == later(1)

    mail.outbox.clear()
    heartbeat_record(kind="worker", name="celery@host", now=later(30))
    assert watchdog_check(now=later(30)) == {"scheduler": "alerted", "workers": "ok"}
    assert len(mail.outbox) == 1
    assert Silence.objects.filter(kind="scheduler").count() == 2


def test_a_silence_that_ends_before_it_was_reported_tells_nobody():
    heard("scheduler", "beat@host:1", 0)
    heard("worker", "celery@host", 0)
    assert watchdog_check(now=later(10.5)) == {"scheduler": "alerted", "workers": "alerted"}
    mail.outbox.clear()
    Silence.objects.update(alerted_at=None)  # as if noticed but not yet told
    heartbeat_record(kind="scheduler", name="beat@host:1", now=later(11))
    heartbeat_record(kind="worker", name="celery@host", now=later(11))

    assert watchdog_check(now=later(11)) == {"scheduler": "recovered", "workers": "recovered"}
    assert mail.outbox == []


def test_a_mail_server_down_leaves_the_alert_for_the_next_check(settings):
    settings.EMAIL_BACKEND = "tests.meetingops.test_watchdog.DownBackend"
    heard("scheduler", "beat@host:1", 11)
    heard("worker", "celery@host", 0)

    assert watchdog_check()["scheduler"] == "silent"
    assert Silence.objects.get().alerted_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert watchdog_check(now=later(1))["scheduler"] == "alerted"
    assert len(mail.outbox) == 1


class DownBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


# -- the heartbeats ---------------------------------------------------------------------------


def test_the_beat_leaves_a_heartbeat_on_its_tick_at_most_every_half_minute(monkeypatch):
    monkeypatch.setattr(beat.DatabaseScheduler, "tick", lambda self, *a, **k: 5.0)
    scheduler = beat.WatchedScheduler.__new__(beat.WatchedScheduler)

    assert scheduler.tick() == 5.0
    [row] = Heartbeat.objects.all()
    assert (row.kind, row.seen_at) == ("scheduler", NOW)

    with time_machine.travel(later(1), tick=False):
        scheduler.tick()  # within HEARTBEAT_SECONDS of the last: not written again
    assert Heartbeat.objects.get().seen_at == NOW


def test_each_worker_leaves_its_own_heartbeat_from_its_timer():
    assert WorkerHeartbeat in celery_app.steps["consumer"]

    WorkerHeartbeat._beat("celery@a")
    WorkerHeartbeat._beat("celery@b")
    with time_machine.travel(later(0.5), tick=False):
        WorkerHeartbeat._beat("celery@a")

    assert dict(Heartbeat.objects.values_list("name", "seen_at")) == {
        "celery@a": later(0.5),
        "celery@b": NOW,
    }


def test_the_worker_step_beats_on_start_and_stops_its_timer():
    class Timer:
        def __init__(self):
            self.calls, self.cancelled = [], False

        def call_repeatedly(self, seconds, fun, args):
            self.calls.append((seconds, fun, args))
            return self

        def cancel(self):
            self.cancelled = True

    class Consumer:
        hostname = "celery@bench"
        timer = Timer()

    step = WorkerHeartbeat(Consumer())
    step.start(Consumer)
    assert Heartbeat.objects.get().name == "celery@bench"
    assert Consumer.timer.calls[0][0] == watchdog.HEARTBEAT_SECONDS
    step.stop(Consumer)
    assert Consumer.timer.cancelled


def test_beat_runs_the_watched_scheduler(settings):
    assert settings.CELERY_BEAT_SCHEDULER == "meetingops.beat:WatchedScheduler"


# -- from the web ---------------------------------------------------------------------------


def test_the_web_checks_at_most_once_a_minute_per_process(client, settings, monkeypatch):
    settings.WATCHDOG_CHECK_SECONDS = 60
    calls = []
    monkeypatch.setattr(watchdog, "watchdog_check", lambda: calls.append(1))
    clock = [1000.0]
    monkeypatch.setattr("meetingops.middleware.time.monotonic", lambda: clock[0])

    for _ in range(5):
        client.get("/healthz")
    assert calls == [1]
    clock[0] += 61
    client.get("/healthz")
    assert calls == [1, 1]


def test_the_web_never_checks_with_the_checks_off(client, settings, monkeypatch):
    settings.WATCHDOG_CHECK_SECONDS = 0
    calls = []
    monkeypatch.setattr(watchdog, "watchdog_check", lambda: calls.append(1))

    client.get("/healthz")
    assert calls == []


def test_a_failing_check_never_fails_the_request(client, settings, monkeypatch):
    settings.WATCHDOG_CHECK_SECONDS = 60

    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setattr(watchdog, "watchdog_check", broken)
    assert client.get("/healthz").status_code == 200


def test_admin_shows_staff_a_red_banner_while_the_workers_are_silent(client, settings):
    settings.WATCHDOG_CHECK_SECONDS = 60
    heard("scheduler", "beat@host:1", 0)
    heard("worker", "celery@host", 25)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    html = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'data-testid="watchdog-banner"' in html
    assert 'role="alert"' in html
    since = timezone.localtime(ago(25)).strftime("%Y-%m-%d %H:%M")
    assert f"No worker has been heard from since {since}" in html
    assert "scheduler has been silent" not in html
    assert len(mail.outbox) == 1  # the page's own request ran the check


def test_no_banner_once_everything_is_heard(client, settings):
    settings.WATCHDOG_CHECK_SECONDS = 60
    heard("scheduler", "beat@host:1", 0)
    heard("worker", "celery@host", 0)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    html = client.get(reverse("admin:index")).content.decode()

    assert "watchdog-banner" not in html


def test_the_banner_is_for_staff_only(client, settings):
    settings.WATCHDOG_CHECK_SECONDS = 60
    watchdog.watchdog_check()
    with time_machine.travel(later(11), tick=False):  # nothing ever heard: both silent
        watchdog.watchdog_check()
        assert watchdog.latest_quiet()

        # The same moment, the same process: a visitor who is not staff sees no banner,
        # a member of staff does.
        outsider = client.get(reverse("admin:login")).content.decode()
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        staff = client.get(reverse("admin:index")).content.decode()

    assert "watchdog-banner" not in outsider
    assert 'data-testid="watchdog-banner"' in staff


def test_it_reads_the_heartbeats_and_silences_in_admin_and_cannot_change_them(client):
    heard("worker", "celery@host", 3)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listed = client.get(reverse("admin:meetingops_heartbeat_changelist"))
    assert listed.status_code == 200
    assert "celery@host" in listed.content.decode()
    assert client.get(reverse("admin:meetingops_silence_changelist")).status_code == 200
    assert client.get(reverse("admin:meetingops_heartbeat_add")).status_code == 403


def test_manage_py_serve_checks_in_a_thread_of_its_own_until_stopped(monkeypatch):
    import threading

    from meetingops.management.commands import serve

    calls = []
    monkeypatch.setattr(watchdog, "watchdog_check", lambda: calls.append(1))
    stopped = threading.Event()
    thread = threading.Thread(target=serve._watch, args=(stopped, 0.01))
    thread.start()
    deadline = 200
    while len(calls) < 3 and deadline:
        stopped.wait(0.01)
        deadline -= 1
    stopped.set()
    thread.join(timeout=5)

    assert len(calls) >= 3
    assert not thread.is_alive()
