"""The watchdog (X-3, issue 10 item 8): scheduled work never stops silently
(LibreBooking #1046, where a dead cron left reminders unsent for weeks).

- **Heartbeats.** The beat scheduler writes its row on its tick
  (`meetingops.beat.WatchedScheduler`), each worker its own from the worker's timer
  (`meetingops.celery.WorkerHeartbeat`), every HEARTBEAT_SECONDS. A worker's heartbeat
  comes from its consumer's timer, beside the tasks and not through the queue: a full
  queue or a long task in the pool does not silence it, while a worker that lost its
  broker stops its consumer, and so its heartbeat.
- **The check** (`watchdog_check`) runs in the web process, which depends on neither:
  `meetingops.middleware.WatchdogMiddleware` runs it at most once a minute per process
  (WATCHDOG_CHECK_SECONDS) as requests come (the health probe's included), and
  `manage.py serve` in a thread of its own, so that a laptop nobody browses is watched
  too. When the scheduler, or every worker, has been silent longer than
  WATCHDOG_SILENCE_MINUTES, IT is emailed once for that silence: the silence is a row,
  one open per kind (a database constraint), and the one process that marks it alerted
  sends the email. When it ends, IT is told that the work runs again.
- **The banner** on every admin page, for staff: what the process's last check found
  silent (`latest_quiet`, at most WATCHDOG_CHECK_SECONDS old, no query on the page),
  shown by templates/admin/base_site.html through `meetingops.templatetags.watchdog`.

A process never heard at all counts as silent from the moment the watchdog first
noticed (a beat that never started is as bad as one that died)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from meetingops.models import Heartbeat, Silence

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
# Which heartbeats each silence is about.
HEARD_FROM = {
    Silence.Kind.SCHEDULER: Heartbeat.Kind.SCHEDULER,
    Silence.Kind.WORKERS: Heartbeat.Kind.WORKER,
}

ALERTS = {
    Silence.Kind.SCHEDULER: (
        gettext_lazy("[MeetingOps] The scheduler is silent: scheduled jobs are not running"),
        gettext_lazy(
            "The beat scheduler has not been heard from since %(since)s, more than "
            "%(minutes)s minutes. Reminders, the nightly checks and every other scheduled "
            "job wait until it runs again.\n\nRestart the scheduler (docker compose "
            "restart beat, or manage.py serve on a single machine) and read its log."
        ),
    ),
    Silence.Kind.WORKERS: (
        gettext_lazy("[MeetingOps] No worker is running: background work waits"),
        gettext_lazy(
            "No Celery worker has been heard from since %(since)s, more than %(minutes)s "
            "minutes. Emails, reminders and the providers' calls wait in the queue until "
            "a worker runs again.\n\nRestart the workers (docker compose restart worker, "
            "or manage.py serve on a single machine) and read their log."
        ),
    ),
}
RECOVERED = {
    Silence.Kind.SCHEDULER: (
        gettext_lazy("[MeetingOps] The scheduler runs again"),
        gettext_lazy(
            "The beat scheduler was heard again at %(at)s, after a silence since "
            "%(since)s. Scheduled jobs run again; check that the ones missed meanwhile "
            "have caught up."
        ),
    ),
    Silence.Kind.WORKERS: (
        gettext_lazy("[MeetingOps] Workers run again"),
        gettext_lazy(
            "A Celery worker was heard again at %(at)s, after a silence since %(since)s. "
            "The queued work is being done."
        ),
    ),
}


def process_name(prefix: str) -> str:
    return f"{prefix}@{socket.gethostname()}:{os.getpid()}"


def heartbeat_record(*, kind: str, name: str, now: dt.datetime | None = None) -> None:
    """The process `name` of `kind` is alive now (one row per process, kept)."""
    now = now or timezone.now()
    updated = Heartbeat.objects.filter(kind=kind, name=name).update(seen_at=now)
    if not updated:
        try:
            with transaction.atomic():
                Heartbeat.objects.create(kind=kind, name=name, started_at=now, seen_at=now)
        except IntegrityError:  # written meanwhile by the same process's other thread
            Heartbeat.objects.filter(kind=kind, name=name).update(seen_at=now)


def _limit() -> dt.timedelta:
    return dt.timedelta(minutes=settings.WATCHDOG_SILENCE_MINUTES)


def _last_heard(now: dt.datetime) -> dict[str, dt.datetime | None]:
    heard = dict(
        Heartbeat.objects.values("kind").annotate(last=Max("seen_at")).values_list("kind", "last")
    )
    return {kind: heard.get(beat) for kind, beat in HEARD_FROM.items()}


@dataclass(frozen=True)
class Quiet:
    """A silence longer than the setting, as the banner shows it."""

    kind: str
    since: dt.datetime | None  # None: never heard


def watchdog_quiet(*, now: dt.datetime | None = None) -> list[Quiet]:
    """What is silent longer than WATCHDOG_SILENCE_MINUTES now: the scheduler, every
    worker. One never heard is silent once the watchdog noticed it that long ago."""
    now = now or timezone.now()
    heard = _last_heard(now)
    never = set()
    if None in heard.values():
        never = set(
            Silence.objects.filter(
                ended_at__isnull=True, since__isnull=True, noticed_at__lt=now - _limit()
            ).values_list("kind", flat=True)
        )
    quiet = []
    for kind, last in heard.items():
        if (last is not None and now - last > _limit()) or (last is None and kind in never):
            quiet.append(Quiet(kind=kind, since=last))
    return quiet


def _moment(value: dt.datetime | None) -> str:
    if value is None:
        return str(gettext_lazy("never (not since the watchdog started)"))
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")


def _tell(messages: tuple, **params) -> bool:
    from oversight.services import it_alert_send

    subject, body = messages
    try:
        it_alert_send(subject, body, **params)
    except OSError:
        logger.exception("Could not mail IT about the watchdog's finding")
        return False
    return True


def watchdog_check(*, now: dt.datetime | None = None) -> dict[str, str]:
    """Look at the heartbeats; open, alert and close silences. Returns what it found
    for each kind: "ok", "silent" (noticed, not long enough yet), "alerted" (IT was
    emailed now), "silent, alerted" (already told), "recovered". Safe to run in many
    processes at once: each silence is opened once and alerted once."""
    now = now or timezone.now()
    found = {}
    for kind, last in _last_heard(now).items():
        silent = last is None or now - last > _limit()
        current = Silence.objects.filter(kind=kind, ended_at__isnull=True).first()
        if not silent:
            found[kind] = "ok"
            if current is not None and _closed(current, now=now):
                found[kind] = "recovered"
                if current.alerted_at is not None:
                    _tell(RECOVERED[kind], at=_moment(last), since=_moment(current.since))
            continue
        if current is None:
            current = _opened(kind, since=last, now=now)
        found[kind] = _alerted(current, now=now)
    global _latest_quiet
    _latest_quiet = watchdog_quiet(now=now)
    return found


# What this process's last check found silent: the admin's banner shows it, so that
# pages ask the database nothing more (a check runs at least once a minute per process,
# on a page's own request when its minute has passed).
_latest_quiet: list[Quiet] = []


def latest_quiet() -> list[Quiet]:
    return list(_latest_quiet)


def _opened(kind: str, *, since: dt.datetime | None, now: dt.datetime) -> Silence:
    try:
        with transaction.atomic():
            return Silence.objects.create(kind=kind, since=since, noticed_at=now)
    except IntegrityError:  # another web process noticed it first
        return Silence.objects.get(kind=kind, ended_at__isnull=True)


def _closed(silence: Silence, *, now: dt.datetime) -> bool:
    """Whether this process ended `silence` (and so tells IT)."""
    return bool(Silence.objects.filter(pk=silence.pk, ended_at__isnull=True).update(ended_at=now))


def _alerted(silence: Silence, *, now: dt.datetime) -> str:
    if silence.alerted_at is not None:
        return "silent, alerted"
    if now - (silence.since or silence.noticed_at) <= _limit():
        return "silent"
    if not Silence.objects.filter(pk=silence.pk, alerted_at__isnull=True).update(alerted_at=now):
        return "silent, alerted"  # another process told IT
    told = _tell(
        ALERTS[silence.kind],
        since=_moment(silence.since),
        minutes=settings.WATCHDOG_SILENCE_MINUTES,
    )
    if not told:  # the mail server failed: the next check tries again
        Silence.objects.filter(pk=silence.pk).update(alerted_at=None)
        return "silent"
    return "alerted"
