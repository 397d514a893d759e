"""Reminders benchmark (BK-12, issue 10 item 10): 10,000 due reminders across 2,000
meetings, sent by two real Celery workers on the local Redis; then the same with one
worker killed (kill -9) mid-batch. Prints the seconds to send all, the duplicates and
the missing, beside the target: all sent within 60 s, 0 duplicates, 0 missing.

Run from the project folder, against PostgreSQL (SQLite has no row locks to share the
work with) and a Redis database of its own:

    .venv/bin/python bench/reminders.py

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/meetingops_bench_reminders
(created if missing, and migrated), REDIS_URL to redis://127.0.0.1:6379/13, which the
bench empties before each run. The data is written with bulk_create, not through the
services: 2,000 approved one-hour meetings (40 rooms), five participants each (the
organizer, three colleagues, one external guest; English and Chinese, four time zones),
one reminder each, due a minute ago. Each run marks them unsent again.

Each worker is `celery -A meetingops worker -c 1` (prefork, one child) in its own
process group, with DJANGO_SETTINGS_MODULE=bench.settings_reminders: the project's
settings and `CountingBackend` below, which appends each email's Message-ID (it names
the reminder) to a file of the worker's process, one line per send, with os.write on
an O_APPEND descriptor: a line written survives a kill -9 of its writer. The bench
queues one `bookings.tasks.reminders_send`, as the beat does each minute; the task
shares a backlog with a twin that the other worker takes (bookings/tasks.py). The
clock runs from the queueing to the last row marked sent in the database.

The kill: once a third of the reminders are marked sent, the worker that is sending
(its file grew within the last 0.2 s) is killed with SIGKILL, its whole process group
(the worker and its pool child), as a machine dies. The other worker goes on; the dead
one's transaction dies with its connection, and its row lock with it.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/meetingops_bench_reminders"
REDIS_URL = "redis://127.0.0.1:6379/13"
MEETINGS = 2_000
PER_MEETING = 5  # the organizer, three colleagues, one external guest
REMINDERS = MEETINGS * PER_MEETING
ROOMS = 40
USERS = 400
WORKERS = 2
TARGET_SECONDS = 60.0
KILL_AFTER = REMINDERS // 3
TIMEOUT = 300.0
VAR_DIR = Path(tempfile.gettempdir()) / "meetingops_bench_reminders"
MAIL_DIR = VAR_DIR / "sent"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}


class CountingBackend(BaseEmailBackend):
    """One line per email sent, the email's Message-ID, in MAIL_DIR/<group>-<pid>.log."""

    def send_messages(self, email_messages) -> int:
        folder = Path(os.environ.get("BENCH_MAIL_DIR", MAIL_DIR))
        # Named by the worker's process group (its main process) and the sending process.
        name = f"{os.getpgid(0)}-{os.getpid()}.log"
        descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            for message in email_messages:
                message.message()  # built as SMTP would build it: headers, both parts
                os.write(descriptor, f"{message.extra_headers['Message-ID']}\n".encode())
        finally:
            os.close(descriptor)
        return len(email_messages)


def configure_environment() -> dict[str, str]:
    url = os.environ.setdefault("DATABASE_URL", DATABASE_URL)
    if url.split("://", 1)[0] not in POSTGRES_SCHEMES:
        sys.exit(f"bench/reminders.py measures PostgreSQL only; DATABASE_URL is {url!r}.")
    os.environ.setdefault("REDIS_URL", REDIS_URL)
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("SECRET_KEY", "bench-reminders-" + "x" * 40)
    os.environ.setdefault("VAR_DIR", str(VAR_DIR))
    os.environ["BENCH_MAIL_DIR"] = str(MAIL_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_reminders"
    return dict(os.environ)


def database_ready() -> None:
    import psycopg2
    from django.conf import settings
    from django.core.management import call_command
    from psycopg2 import sql

    db = settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
    admin.close()
    call_command("migrate", verbosity=0)


def data_build(now: dt.datetime) -> None:
    """The meetings, participants and reminders, unless they are there already."""
    from bookings.models import Booking, Occurrence, Participant, Provider, Reminder, Room
    from security.models import User

    if Reminder.objects.count() == REMINDERS:
        return
    if Reminder.objects.exists():
        sys.exit("The bench database holds other reminders: drop it and run again.")
    started = time.perf_counter()
    provider, _ = Provider.objects.get_or_create(
        name="Bench Jitsi", defaults={"kind": "jitsi", "base_url": "https://meet.example.com"}
    )
    rooms = Room.objects.bulk_create(
        [Room(name=f"Bench room {i}", provider=provider, capacity=20) for i in range(ROOMS)]
    )
    languages = ("en", "zh-hans", "", "en")
    zones = ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Tokyo")
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench-user-{i}@example.com",
                name=f"Bench User {i}",
                language=languages[i % 4],
                time_zone=zones[i % 4],
            )
            for i in range(USERS)
        ]
    )
    first = (now + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    bookings, slots = [], []
    for i in range(MEETINGS):
        room = rooms[i % ROOMS]
        start = first + dt.timedelta(hours=i // ROOMS)
        slots.append((room, start, start + dt.timedelta(hours=1)))
        bookings.append(
            Booking(
                organizer=users[i % USERS],
                room=room,
                topic=f"Bench meeting {i}",
                expected_headcount=PER_MEETING,
                status=Booking.Status.APPROVED,
                confidential=i % 10 == 0,
                join_url=f"https://meet.example.com/bench-{i}",
                meeting_code=f"bench-{i}",
                meeting_password=f"pw{i:05d}",
                first_start=start,
            )
        )
    bookings = Booking.objects.bulk_create(bookings)
    occurrences = Occurrence.objects.bulk_create(
        [
            Occurrence(
                booking=b,
                room=room,
                start=start,
                end=end,
                occupied_from=start,
                status=Occurrence.Status.APPROVED,
                topic=b.topic,
                confidential=b.confidential,
                organizer=b.organizer,
            )
            for b, (room, start, end) in zip(bookings, slots, strict=True)
        ]
    )
    participants = []
    for i, (b, o) in enumerate(zip(bookings, occurrences, strict=True)):
        participants.append(
            Participant(
                occurrence=o,
                booking=b,
                user=b.organizer,
                email=b.organizer.email,
                role="organizer",
                response="accepted",
            )
        )
        for k in range(1, PER_MEETING - 1):
            u = users[(i + k * 7) % USERS]
            participants.append(
                Participant(occurrence=o, booking=b, user=u, email=u.email, role="colleague")
            )
        participants.append(
            Participant(occurrence=o, booking=b, email=f"guest-{i}@partner.example", role="guest")
        )
    participants = Participant.objects.bulk_create(participants, batch_size=2000)
    due = now - dt.timedelta(minutes=1)
    Reminder.objects.bulk_create(
        [
            Reminder(
                participant=p,
                occurrence=p.occurrence,
                lead_minutes=int((p.occurrence.start - due).total_seconds() // 60),
                due_at=due,
            )
            for p in participants
        ],
        batch_size=2000,
    )
    print(f"data: {REMINDERS:,} reminders built in {time.perf_counter() - started:.1f} s")


def reminders_reset(now: dt.datetime) -> None:
    """Every reminder unsent and due a minute ago; the send files and the queue empty."""
    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bookings_reminder SET sent_at = NULL, voided_at = NULL, due_at = %s",
            [now - dt.timedelta(minutes=1)],
        )
        cursor.execute("VACUUM ANALYZE bookings_reminder")  # autocommit: no transaction
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    for log in MAIL_DIR.glob("*.log"):
        log.unlink()


def workers_start(env: dict[str, str], round_name: str) -> list[subprocess.Popen]:
    workers = []
    for n in range(1, WORKERS + 1):
        log = open(VAR_DIR / f"worker{n}-{round_name}.log", "w")  # noqa: SIM115 (lives with it)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "meetingops",
            "worker",
            "-c",
            "1",
            "--loglevel=INFO",
            "-n",
            f"bench{n}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        workers.append(
            subprocess.Popen(  # noqa: S603
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 takes the child too
            )
        )
    deadline = time.monotonic() + 60
    for n in range(1, WORKERS + 1):
        log_path = VAR_DIR / f"worker{n}-{round_name}.log"
        while "ready." not in log_path.read_text():
            if time.monotonic() > deadline:
                sys.exit(f"worker {n} did not start; see {log_path}")
            time.sleep(0.1)
    return workers


def workers_stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def sent_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bookings_reminder WHERE sent_at IS NOT NULL")
        return cursor.fetchone()[0]


def sends() -> Counter:
    counted: Counter = Counter()
    for log in MAIL_DIR.glob("*.log"):
        counted.update(line for line in log.read_text().splitlines() if line)
    return counted


def _sending_worker(workers: list[subprocess.Popen]) -> subprocess.Popen:
    """The worker whose pool child wrote an email last: the one mid-batch."""
    newest, chosen = -1.0, workers[0]
    for worker in workers:
        for log in MAIL_DIR.glob(f"{worker.pid}-*.log"):
            if log.stat().st_mtime > newest:
                newest, chosen = log.stat().st_mtime, worker
    return chosen


def run(env: dict[str, str], *, kill: bool) -> dict:
    from django.utils import timezone

    from bookings.models import Reminder
    from meetingops.celery import app

    now = timezone.now()
    reminders_reset(now)
    workers = workers_start(env, "kill" if kill else "plain")
    killed = None
    try:
        started = time.perf_counter()
        app.send_task("bookings.tasks.reminders_send")
        while True:
            done = sent_count()
            if done >= REMINDERS:
                break
            if kill and killed is None and done >= KILL_AFTER:
                victim = _sending_worker(workers)
                os.killpg(victim.pid, signal.SIGKILL)
                victim.wait()
                killed = (workers.index(victim) + 1, done)
            if time.perf_counter() - started > TIMEOUT:
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        workers_stop(workers)
    counted = sends()
    expected = {f"<reminder.{pk}@" for pk in Reminder.objects.values_list("pk", flat=True)}
    seen = {mid.split("@")[0] + "@" for mid in counted}
    per_file = sorted(sum(1 for _ in log.open()) for log in MAIL_DIR.glob("*.log"))
    return {
        "seconds": seconds,
        "marked": sent_count(),
        "emails": sum(counted.values()),
        "duplicates": sum(n - 1 for n in counted.values() if n > 1),
        "missing": len(expected - seen),
        "killed": killed,
        "per_process": per_file,
    }


def main() -> None:
    # A TERM (timeout, Ctrl-C's cousin) unwinds like Ctrl-C, so the workers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    env = configure_environment()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.utils import timezone

    database_ready()
    data_build(timezone.now())
    print(
        f"{REMINDERS:,} due reminders, {MEETINGS:,} meetings, {WORKERS} workers "
        f"(celery worker -c 1, prefork) on {env['REDIS_URL']}; target: all within "
        f"{TARGET_SECONDS:.0f} s, 0 duplicates, 0 missing"
    )
    print(f"{'run':<36}{'seconds':>9}{'per s':>8}{'emails':>8}{'dupl.':>7}{'missing':>9}  sends")
    for kill in (False, True):
        result = run(env, kill=kill)
        name = "one worker kill -9'd" if kill else "two workers"
        if result["killed"]:
            name += f" (#{result['killed'][0]} at {result['killed'][1]:,})"
        ok = (
            result["seconds"] <= TARGET_SECONDS
            and result["duplicates"] == 0
            and result["missing"] == 0
            and result["marked"] == REMINDERS
        )
        print(
            f"{name:<36}{result['seconds']:>9.1f}{REMINDERS / result['seconds']:>8.0f}"
            f"{result['emails']:>8,}{result['duplicates']:>7}{result['missing']:>9}  "
            f"{'/'.join(map(str, result['per_process']))}  {'ok' if ok else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
