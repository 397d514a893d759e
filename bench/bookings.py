"""Booking benchmark: availability reads over a year-two booking history, and the
write rate of booking requests through the API (BK-3, BK-9, X-1).

Run from the project folder, against PostgreSQL only (SQLite is refused):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/meetingops_bench \\
        .venv/bin/python bench/bookings.py

The database is created if missing (through the `postgres` database) and migrated. Its
data — 20 departments, 1,000 users, 200 rooms, and 1,000,000 one-hour approved
bookings drawn without overlap (seeded random.sample) from the hourly slots
07:00–21:00 Asia/Shanghai of 2027-01-01 .. 2028-12-31 — is generated with COPY only
when the counts are not already right, so a re-run starts measuring at once. The
exclusion constraint `occurrence_no_overlap` stays enabled during the COPY.

Then it measures, and prints as one table with the targets:
  (a) free rooms for a one-hour weekday slot: the selector in-process and
      GET /api/v1/availability/free-rooms/ over real HTTP (p50/p95, 50 runs, 3 warm-ups);
  (b) a week's occupancy of all rooms: the selector the API answers with
      (`occupancy_for_week_json`) and GET /api/v1/availability/week/;
  (c) POST /api/v1/bookings/ per second, 8 concurrent clients with personal API
      tokens, against POST /bench/insert-api (one INSERT in a DRF view behind the API's
      token authentication: the bare API write) per second, same gunicorn, the target
      a ratio of at least 0.5; and POST /bench/insert (the same INSERT, a plain view).
The HTTP figures come from a gunicorn (5 workers, DEBUG=false, DJANGO_SETTINGS_MODULE=
bench.settings) the script starts on a free 127.0.0.1 port and stops at the end; every
worker is warmed (2 s of concurrent reads) before timing. Runtime files (mail, Celery's
file queue, cache) go to a temporary VAR_DIR.
"""

from __future__ import annotations

import datetime as dt
import gc
import http.client
import io
import json
import os
import random
import secrets
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
import zoneinfo
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

SEED = 20270101
DEPARTMENTS = 20
USERS = 1000
ROOMS = 200
BOOKINGS = 1_000_000
FIRST_DAY = dt.date(2027, 1, 1)
DAYS = 730  # 2027-01-01 .. 2028-12-31
FIRST_HOUR = 7
SLOTS_PER_DAY = 14  # 07:00 .. 21:00
CONFIDENTIAL_SHARE = 0.10
CHUNK = 200_000  # rows per COPY

RUNS = 50
WARMUPS = 3
CLIENTS = 8
WORKERS = 5
DURATION = 15.0  # seconds per write phase
WRITE_WARMUP = 2.0

TARGET_FREE_P95_MS = 15.0
TARGET_WEEK_P95_MS = 60.0
TARGET_RATIO = 0.5

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}
VAR_DIR = Path(tempfile.gettempdir()) / "meetingops_bench_var"


def random_key(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def configure_environment() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in POSTGRES_SCHEMES:
        sys.exit(
            "bench/bookings.py measures PostgreSQL only (the exclusion constraint and the "
            f"index plans are the point); DATABASE_URL is {url or 'unset (SQLite)'!r}.\n"
            "Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/meetingops_bench "
            ".venv/bin/python bench/bookings.py"
        )
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("SECRET_KEY", random_key())
    os.environ.setdefault("VAR_DIR", str(VAR_DIR))
    os.environ.setdefault("EMAIL_URL", f"filemail://{VAR_DIR / 'mail'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    return url


def server_params(url: str) -> dict:
    import environ

    config = environ.Env.db_url_config(url)
    return {
        "dbname": config["NAME"],
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }


def admin_execute(params: dict, statements: list[tuple[str, tuple]]) -> list:
    """Run statements on the `postgres` database of the same server (autocommit)."""
    import psycopg2

    connection = psycopg2.connect(**{**params, "dbname": "postgres"})
    connection.autocommit = True
    results = []
    try:
        with connection.cursor() as cursor:
            for sql, args in statements:
                cursor.execute(sql, args)
                results.append(cursor.fetchall() if cursor.description else None)
    finally:
        connection.close()
    return results


def database_create_if_missing(params: dict) -> bool:
    from psycopg2 import sql

    name = params["dbname"]
    (rows,) = admin_execute(params, [("SELECT 1 FROM pg_database WHERE datname = %s", (name,))])
    if rows:
        return False
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    admin_execute(params, [(create, ())])
    return True


def database_recreate(params: dict) -> None:
    from psycopg2 import sql

    name = params["dbname"]
    admin_execute(
        params,
        [
            (
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            ),
            (sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)), ()),
            (sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)), ()),
        ],
    )


# -- data -----------------------------------------------------------------------------------

EXPECTED = (DEPARTMENTS, USERS, ROOMS, BOOKINGS, BOOKINGS)
COUNTS_SQL = """
SELECT (SELECT count(*) FROM security_department WHERE code LIKE 'bench-%%'),
       (SELECT count(*) FROM security_user WHERE email LIKE 'bench-user-%%'),
       (SELECT count(*) FROM bookings_room),
       (SELECT count(*) FROM bookings_booking WHERE id <= %s),
       (SELECT count(*) FROM bookings_occurrence
         WHERE start >= '2027-01-01T00:00+08:00' AND start < '2029-01-01T00:00+08:00')
"""


def data_counts() -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL, [BOOKINGS])
        return tuple(cursor.fetchone())


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    """COPY rows (tuples of already formatted text fields) in chunks."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    buffer, count = io.StringIO(), 0
    for row in rows:
        buffer.write("\t".join(row))
        buffer.write("\n")
        count += 1
        if count == CHUNK:
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
            buffer, count = io.StringIO(), 0
    if count:
        buffer.seek(0)
        cursor.copy_expert(statement, buffer)


def generate() -> float:
    """Write the data set with COPY, ids given explicitly; return the seconds taken."""
    from django.db import connection, transaction
    from psycopg2 import sql

    began = time.perf_counter()
    rng = random.Random(SEED)
    per_room = DAYS * SLOTS_PER_DAY
    picked = rng.sample(range(ROOMS * per_room), BOOKINGS)
    # Booked in time order, as a real history is: ids (and the heap) follow the start.
    picked.sort(key=lambda i: (i % per_room, i // per_room))
    now = dt.datetime.now(dt.UTC).isoformat()
    days = [(FIRST_DAY + dt.timedelta(days=d)).isoformat() for d in range(DAYS)]
    hours = [f"{FIRST_HOUR + h:02d}:00:00+08" for h in range(SLOTS_PER_DAY + 1)]
    user_department = {u: str((u - 1) % DEPARTMENTS + 1) for u in range(1, USERS + 1)}
    organizers = [rng.randrange(1, USERS + 1) for _ in range(BOOKINGS)]
    confidential = [rng.random() < CONFIDENTIAL_SHARE for _ in range(BOOKINGS)]

    def slot_start(slot: int) -> str:
        rest = slot % per_room
        return f"{days[rest // SLOTS_PER_DAY]} {hours[rest % SLOTS_PER_DAY]}"

    def bookings():
        for n, slot in enumerate(picked):
            booking_id = n + 1
            organizer = organizers[n]
            yield (
                str(booking_id),
                f"Bench meeting {booking_id}",
                "",
                "video",
                str(1 + booking_id % 5),
                "f",
                "t",
                "f",
                "t" if confidential[n] else "f",
                "approved",
                "{}",
                "",
                "",
                "",
                "1",
                now,
                now,
                user_department[organizer],
                str(organizer),
                str(slot // per_room + 1),
                slot_start(slot),  # first_start: its one meeting
                r"\N",  # first_pending_start: approved, nothing pending
            )

    def occurrences():
        for n, slot in enumerate(picked):
            rest = slot % per_room
            day, hour = days[rest // SLOTS_PER_DAY], rest % SLOTS_PER_DAY
            start = f"{day} {hours[hour]}"
            yield (
                str(n + 1),
                start,
                f"{day} {hours[hour + 1]}",
                start,
                "approved",
                r"\N",
                "",
                r"\N",
                "f",
                str(n + 1),
                str(slot // per_room + 1),
                f"Bench meeting {n + 1}",
                "t" if confidential[n] else "f",
                str(organizers[n]),
            )

    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor, for copy_expert
        copy_rows(
            raw,
            "security_department",
            ["id", "name", "code", "is_active"],
            (
                (str(d), f"Bench department {d:02d}", f"bench-{d:02d}", "t")
                for d in range(1, DEPARTMENTS + 1)
            ),
        )
        copy_rows(
            raw,
            "security_user",
            [
                "id",
                "password",
                "is_superuser",
                "email",
                "name",
                "time_zone",
                "language",
                "is_staff",
                "is_active",
                "date_joined",
                "department_id",
            ],
            (
                (
                    str(u),
                    "!",
                    "f",
                    f"bench-user-{u:04d}@example.com",
                    f"Bench user {u:04d}",
                    "Asia/Shanghai",
                    "",
                    "f",
                    "t",
                    now,
                    user_department[u],
                )
                for u in range(1, USERS + 1)
            ),
        )
        copy_rows(
            raw,
            "bookings_provider",
            ["id", "name", "kind", "base_url", "is_active"],
            [("1", "Bench manual", "manual", "", "t")],
        )
        copy_rows(
            raw,
            "bookings_room",
            [
                "id",
                "name",
                "provider_id",
                "capacity",
                "supports_recording",
                "supports_large_meeting",
                "allows_external_guests",
                "preparation_minutes",
                "status",
                "maintenance_reason",
                "join_url",
                "meeting_code",
                "meeting_password",
            ],
            (
                (
                    str(r),
                    f"Bench room {r:03d}",
                    "1",
                    str(5 + (r % 10) * 10),
                    "t" if r % 2 == 0 else "f",
                    "t" if r % 5 == 0 else "f",
                    "t" if r % 3 == 0 else "f",
                    "0",
                    "active",
                    "",
                    "https://meet.example.com/bench",
                    "",
                    "",
                )
                for r in range(1, ROOMS + 1)
            ),
        )
        copy_rows(
            raw,
            "bookings_booking",
            [
                "id",
                "topic",
                "agenda",
                "mode",
                "expected_headcount",
                "recording_allowed",
                "chat_allowed",
                "password_required",
                "confidential",
                "status",
                "recurrence",
                "join_url",
                "meeting_code",
                "meeting_password",
                "policy_version",
                "created_at",
                "updated_at",
                "department_id",
                "organizer_id",
                "room_id",
                "first_start",
                "first_pending_start",
            ],
            bookings(),
        )
        copy_rows(
            raw,
            "bookings_occurrence",
            [
                "id",
                "start",
                '"end"',
                "occupied_from",
                "status",
                "decided_at",
                "reason",
                "cancelled_at",
                "late_cancellation",
                "booking_id",
                "room_id",
                "topic",
                "confidential",
                "organizer_id",
            ],
            occurrences(),
        )
        for table in (
            "security_department",
            "security_user",
            "bookings_provider",
            "bookings_room",
            "bookings_booking",
            "bookings_occurrence",
        ):
            raw.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({name}, 'id'), "
                    "(SELECT max(id) FROM {table}))"
                ).format(name=sql.Literal(table), table=sql.Identifier(table))
            )
    settle()
    return time.perf_counter() - began


def settle() -> None:
    """VACUUM ANALYZE: measure a settled database, as autovacuum leaves production, not
    one full of the dead rows a fresh COPY, a data migration or the last run's writes
    left (the first measurements would otherwise pay for them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def ensure_data(params: dict) -> str:
    from django.core.management import call_command
    from django.db import connection

    created = database_create_if_missing(params)
    call_command("migrate", verbosity=0)
    counts = data_counts()
    if counts == EXPECTED:
        settle()
        return f"data present {counts}, generation skipped, vacuumed"
    if not created and any(counts):
        print(f"data counts {counts} != {EXPECTED}: recreating {params['dbname']}", flush=True)
        connection.close()
        database_recreate(params)
        call_command("migrate", verbosity=0)
    print("generating 1,000,000 bookings with COPY …", flush=True)
    seconds = generate()
    counts = data_counts()
    if counts != EXPECTED:
        raise RuntimeError(f"generated counts {counts} != {EXPECTED}")
    return f"generated in {seconds:.1f} s (exclusion constraint kept enabled)"


# -- measuring ------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def timed(calls) -> list[float]:
    """Milliseconds of each call after the warm-ups."""
    out = []
    for index, call in enumerate(calls):
        began = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - began) * 1000
        if index >= WARMUPS:
            out.append(elapsed)
    return out


def random_weekday_slots(rng: random.Random, count: int) -> list[tuple[dt.datetime, dt.datetime]]:
    from bookings.rules import company_zone

    zone = company_zone()
    slots = []
    while len(slots) < count:
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        if day.isoweekday() > 5:
            continue
        start = dt.datetime.combine(day, dt.time(rng.randrange(8, 20)), tzinfo=zone)
        slots.append((start, start + dt.timedelta(hours=1)))
    return slots


def random_weeks(rng: random.Random, count: int) -> list[dt.date]:
    first_monday = FIRST_DAY + dt.timedelta(days=(7 - FIRST_DAY.weekday()) % 7)
    weeks = (DAYS - (first_monday - FIRST_DAY).days) // 7
    return [first_monday + dt.timedelta(weeks=rng.randrange(weeks)) for _ in range(count)]


class Http:
    """One client: a connection to gunicorn (reopened when the sync worker closes it)."""

    def __init__(self, port: int, token: str | None = None, host: str = "127.0.0.1"):
        self.host = host
        self.port = port
        self.headers = {"Host": host}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.connection = http.client.HTTPConnection(host, port, timeout=60)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, data


def get_ok(client: Http, path: str) -> bytes:
    status, data = client.request("GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {data[:300]!r}")
    return data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(url: str, settings: str = "bench.settings") -> dict[str, str]:
    """The environment of the measured server (and of its collectstatic): DEBUG=false."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DEBUG": "false",
        "SECRET_KEY": random_key(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": url,
        "VAR_DIR": str(VAR_DIR),
        "EMAIL_URL": f"filemail://{VAR_DIR / 'mail'}",
    }


def gunicorn_start(
    url: str,
    port: int,
    log_path: Path,
    *,
    workers: int = WORKERS,
    threads: int = 1,
    settings: str = "bench.settings",
) -> subprocess.Popen:
    env = server_env(url, settings)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(BASE_DIR),
        "--log-level",
        "warning",
        "meetingops.wsgi:application",
    ]
    log = log_path.open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log_path}")
        try:
            status, _ = Http(port).request("GET", "/healthz")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in 30 s; see {log_path}")


def gunicorn_stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def load_phase(port: int, tokens: list[str], work, seconds: float) -> tuple[int, dict, float]:
    """CLIENTS threads calling work(client) for `seconds`; (successes, statuses, elapsed)."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []

    def run(token: str) -> None:
        client = Http(port, token)
        seen: dict[int, int] = {}
        try:
            while not stop.is_set():
                status = work(client)
                seen[status] = seen.get(status, 0) + 1
        except BaseException as error:  # reported after the phase
            errors.append(error)
        with lock:
            for status, n in seen.items():
                statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=run, args=(token,)) for token in tokens]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"a client failed: {errors[0]!r}")
    return statuses.get(201, 0), statuses, elapsed


def free_slots_2029(rng: random.Random) -> list[tuple[int, str, str]]:
    """Every weekday 08:00–20:00 hour of 2029 in every room not yet taken, shuffled."""
    from bookings.models import Occurrence
    from bookings.rules import company_zone

    zone = company_zone()
    taken = set(
        Occurrence.objects.filter(start__year=2029, status__in=Occurrence.OCCUPYING).values_list(
            "room_id", "start"
        )
    )
    slots = []
    day = dt.date(2029, 1, 1)
    while day.year == 2029:
        if day.isoweekday() <= 5:
            for hour in range(8, 20):
                start = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
                for room in range(1, ROOMS + 1):
                    if (room, start) not in taken:
                        end = start + dt.timedelta(hours=1)
                        slots.append((room, start.isoformat(), end.isoformat()))
        day += dt.timedelta(days=1)
    rng.shuffle(slots)
    return slots


def bench_setup() -> tuple[object, list[str], str]:
    """The policy allowing 2029 bookings, the insert table, and tokens: one for the
    reading viewer, one per writing client. Returns (viewer, writer secrets, viewer secret)."""
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from bookings.models import UsagePolicy
    from security.models import ApiToken, User
    from security.tokens import api_token_create

    version = (UsagePolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    UsagePolicy.objects.create(
        version=version,
        min_advance_hours=0,
        max_duration_minutes=240,
        horizon_days=2000,
        workday_start=dt.time(8),
        workday_end=dt.time(20),
        allowed_weekdays="1,2,3,4,5",
        user_weekly_quota_hours=0,
        department_weekly_quota_hours=0,
        auto_approve=False,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_insert (id serial PRIMARY KEY, at timestamptz)"
        )
    viewer = User.objects.get(email="bench-user-0007@example.com")
    writers = []
    for n in range(CLIENTS):
        user, _ = User.objects.get_or_create(
            email=f"bench-client-{n}@example.com",
            defaults={"name": f"Bench client {n}", "time_zone": "Asia/Shanghai"},
        )
        writers.append(user)
    ApiToken.objects.filter(user__in=[viewer, *writers], revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _, viewer_secret = api_token_create(user=viewer, name="bench reads")
    secrets_ = [api_token_create(user=u, name="bench writes")[1] for u in writers]
    return viewer, secrets_, viewer_secret


def approver_setup():
    """An approver, as the admin queue sees one (the Approvers group)."""
    from django.contrib.auth.models import Group

    from security import roles
    from security.models import User

    approver, _ = User.objects.get_or_create(
        email="bench-approver@example.com",
        defaults={"name": "Bench approver", "is_staff": True, "time_zone": "Asia/Shanghai"},
    )
    approver.groups.add(Group.objects.get(name=roles.APPROVERS))
    return User.objects.get(pk=approver.pk)  # fresh permission caches


def queue_page(approver, status: str | None) -> int:
    """What admin's queue reads for a page: the first 50 rows and the count."""
    from bookings.selectors import booking_list_for_review

    queue = booking_list_for_review(actor=approver)
    if status:
        queue = queue.filter(status=status)
    return len(list(queue[:50])) + queue.count()


def latency_row(label: str, ms: list[float], target_ms: float | None) -> tuple[str, ...]:
    """A table row: p50 and p95 of `ms`, and the p95 held to `target_ms` when it has one."""
    p50, p95 = percentiles(ms)
    if target_ms is None:
        return (label, f"{p50:.1f}", f"{p95:.1f}", "", "")
    return (
        label,
        f"{p50:.1f}",
        f"{p95:.1f}",
        f"p95 ≤ {target_ms:g} ms",
        verdict(p95, target_ms, at_most=True),
    )


def verdict(value: float, target: float, *, at_most: bool) -> str:
    ok = value <= target if at_most else value >= target
    return "PASS" if ok else "MISS"


def main() -> None:
    wall = time.perf_counter()
    url = configure_environment()
    params = server_params(url)
    VAR_DIR.mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    # As a web worker runs (meetingops/wsgi.py): the views imported, start-up's objects
    # exempt from the garbage collector's full collections.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    gc.freeze()
    from django.conf import settings
    from django.utils import timezone

    from bookings import selectors

    settings.DEBUG = False  # no query log in-process: it would be measured too
    print(f"database {params['dbname']} on {params['host']}:{params['port']}", flush=True)
    print(ensure_data(params), flush=True)

    viewer, writer_tokens, viewer_token = bench_setup()
    rng = random.Random(SEED + 1)
    port = free_port()
    log_path = VAR_DIR / "gunicorn.log"
    process = None
    rows: list[tuple[str, str, str, str, str]] = []
    notes: list[str] = []
    try:
        process = gunicorn_start(url, port, log_path)
        print(f"gunicorn: {WORKERS} workers on 127.0.0.1:{port} (log {log_path})", flush=True)
        reader = Http(port, viewer_token)
        # Each sync worker opens its database connection and fills its caches on its
        # first requests: warm all of them, concurrently, before any timing.
        warm_slot = random_weekday_slots(random.Random(SEED + 2), 1)[0]
        warm_paths = [
            "/api/v1/availability/free-rooms/?"
            + urlencode({"start": warm_slot[0].isoformat(), "end": warm_slot[1].isoformat()}),
            f"/api/v1/availability/week/?start={random_weeks(random.Random(SEED), 1)[0]}",
        ]
        load_phase(
            port,
            [viewer_token] * CLIENTS,
            lambda client: max(client.request("GET", path)[0] for path in warm_paths),
            WRITE_WARMUP,
        )

        # (a) free rooms for a one-hour weekday slot
        free_counts: list[int] = []
        slots = random_weekday_slots(rng, WARMUPS + RUNS)
        ms = timed(
            lambda s=s: free_counts.append(
                len(selectors.room_list_free_for_slot(start=s[0], end=s[1]))
            )
            for s in slots
        )
        rows.append(latency_row("(a) free rooms: selector", ms, TARGET_FREE_P95_MS))
        slots = random_weekday_slots(rng, WARMUPS + RUNS)
        ms = timed(
            lambda s=s: get_ok(
                reader,
                "/api/v1/availability/free-rooms/?"
                + urlencode({"start": s[0].isoformat(), "end": s[1].isoformat()}),
            )
            for s in slots
        )
        rows.append(latency_row("(a) free rooms: API over HTTP", ms, TARGET_FREE_P95_MS))
        notes.append(f"free rooms per slot: {statistics.mean(free_counts):.0f} of {ROOMS} (mean)")

        # (b) the week's occupancy of all rooms
        # The selector the API answers with: the week as JSON, in the viewer's zone.
        weeks_written: list[bytes] = []
        weeks = random_weeks(rng, WARMUPS + RUNS)
        with timezone.override(zoneinfo.ZoneInfo(viewer.time_zone or settings.TIME_ZONE)):
            ms = timed(
                lambda w=w: weeks_written.append(
                    selectors.occupancy_for_week_json(week_start=w, viewer=viewer)
                )
                for w in weeks
            )
        week_sizes = [sum(len(r["occurrences"]) for r in json.loads(w)) for w in weeks_written]
        rows.append(latency_row("(b) week occupancy: selector (JSON)", ms, TARGET_WEEK_P95_MS))
        weeks = random_weeks(rng, WARMUPS + RUNS)
        body_sizes: list[int] = []
        ms = timed(
            lambda w=w: body_sizes.append(
                len(get_ok(reader, f"/api/v1/availability/week/?start={w.isoformat()}"))
            )
            for w in weeks
        )
        rows.append(latency_row("(b) week occupancy: API over HTTP", ms, TARGET_WEEK_P95_MS))
        notes.append(
            f"week: {statistics.mean(week_sizes):.0f} meetings (mean), "
            f"response {statistics.mean(body_sizes) / 1e6:.2f} MB (mean)"
        )

        # The approvers' queue in admin (BK-4), no target: its first page of the million
        # bookings, each status filter in turn, and the count admin shows with it.
        approver = approver_setup()
        statuses = [None, "pending", "approved", "cancelled"]
        ms = timed(
            lambda n=n: queue_page(approver, statuses[n % len(statuses)])
            for n in range(WARMUPS + RUNS)
        )
        rows.append(latency_row("approvers' queue, first page + count", ms, None))

        # (c) booking requests per second vs one INSERT per second
        slots_2029 = free_slots_2029(rng)
        position = iter(slots_2029)
        position_lock = threading.Lock()

        def book(client: Http) -> int:
            with position_lock:
                room, start, end = next(position)
            status, _ = client.request(
                "POST",
                "/api/v1/bookings/",
                {
                    "room": room,
                    "start": start,
                    "end": end,
                    "topic": "Bench load",
                    "expected_headcount": 1,
                },
            )
            return status

        def insert(client: Http) -> int:
            return client.request("POST", "/bench/insert")[0]

        load_phase(port, writer_tokens, book, WRITE_WARMUP)
        booked, booking_statuses, elapsed = load_phase(port, writer_tokens, book, DURATION)
        bookings_per_s = booked / elapsed

        def insert_api(client: Http) -> int:
            return client.request("POST", "/bench/insert-api", {})[0]

        load_phase(port, writer_tokens, insert, WRITE_WARMUP)
        inserted, insert_statuses, elapsed = load_phase(port, writer_tokens, insert, DURATION)
        inserts_per_s = inserted / elapsed
        load_phase(port, writer_tokens, insert_api, WRITE_WARMUP)
        api_inserted, _statuses, elapsed = load_phase(port, writer_tokens, insert_api, DURATION)
        api_inserts_per_s = api_inserted / elapsed
        # The target (issue 8, item 11): a booking costs at most two bare API writes.
        ratio = bookings_per_s / api_inserts_per_s if api_inserts_per_s else 0.0
        rows.append(("(c) POST /api/v1/bookings/ (201/s)", f"{bookings_per_s:.1f}", "", "", ""))
        rows.append(("(c) POST /bench/insert (201/s)", f"{inserts_per_s:.1f}", "", "", ""))
        rows.append(
            (
                "(c) POST /bench/insert-api, DRF + token (201/s)",
                f"{api_inserts_per_s:.1f}",
                "",
                "",
                "",
            )
        )
        rows.append(
            (
                "(c) ratio bookings ÷ DRF + token INSERT",
                f"{ratio:.2f}",
                "",
                f"≥ {TARGET_RATIO:g}",
                verdict(ratio, TARGET_RATIO, at_most=False),
            )
        )
        notes.append(
            "bookings ÷ plain INSERT view: "
            f"{bookings_per_s / inserts_per_s if inserts_per_s else 0:.2f}"
        )
        notes.append(f"booking statuses: {dict(sorted(booking_statuses.items()))}")
        notes.append(f"insert statuses: {dict(sorted(insert_statuses.items()))}")
        notes.append(
            "ceiling of any token-authenticated DRF write against the plain INSERT view: "
            f"{api_inserts_per_s / inserts_per_s if inserts_per_s else 0:.2f}"
        )
    finally:
        gunicorn_stop(process)

    print()
    print(
        f"{CLIENTS} clients × {DURATION:g} s for (c); {RUNS} runs after {WARMUPS} warm-ups, "
        "one sequential client for (a) and (b); HTTP = real requests to gunicorn "
        f"({WORKERS} sync workers, DEBUG=false)"
    )
    header = ("figure", "p50 ms | /s", "p95 ms", "target", "")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for note in notes:
        print(f"  · {note}")
    print(f"wall time {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()
