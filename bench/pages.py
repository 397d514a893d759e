"""Pages benchmark (issue 9, item 11): each main employee page against the API call it
mirrors, over real HTTP, on the booking benchmark's data (bench/bookings.py).

Run from the project folder, against PostgreSQL only:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/meetingops_bench \\
        .venv/bin/python bench/pages.py [--requests 200] [--concurrency 1] [--url URL]

The data (1,000 users, 200 rooms, 1,000,000 bookings in 2027–2028) is bench/bookings.py's
and is built by its builder when missing (about a minute on PostgreSQL). The organizer
with the most bookings is the viewer: the script gives them a fresh random password and a
verified address, signs in through /accounts/login/ (GET for the CSRF token, then POST,
as a browser does) for the pages, and makes them a personal API token for the API.

Unless --url names a server already running on the same database, it collects the static
files and starts gunicorn as `manage.py serve` does (its default workers and threads,
meetingops.settings, DEBUG=false) on a free 127.0.0.1 port, and stops it at the end.

Each page is a list of URLs and its time is their sum, as its user waits for all of them:

    home          /                                   ↔ GET /api/v1/bookings/?date_from=today
    book          /book/?date&start&end + the free-rooms partial (bookings:book_rooms)
                                                      ↔ GET /api/v1/availability/free-rooms/
    day calendar  /calendar/?date (it carries the drawing's JSON: the first load's
                  only request; bookings:calendar_events serves later draws)
                                                      ↔ GET /api/v1/availability/week/?start
                                                        (the API has no day window)
    my meetings   /meetings/                          ↔ GET /api/v1/bookings/
    meeting page  /meetings/<id>/                     ↔ GET /api/v1/bookings/<id>/

A part whose route does not exist yet is reported "not built" and left out of its page's
sum. Every round draws a new weekday, hour and booking of the viewer; its page and its API
call are timed one after the other, page, API, page, API..., so that the machine's drift
falls on both alike. Every URL is requested once before anything is timed: a part that
does not answer 200 (a redirect to sign-in, a 400 for a parameter the page does not
take) marks its page ERROR instead of being timed. Then --warmup rounds run on several
connections at once (every worker opens its database connection and fills its caches),
then --requests rounds on --concurrency connections are timed. The target: each page's
p95 at most 2× its API call's. Exit status 1 when a page misses it or is ERROR.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import http.client
import http.cookies
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench import bookings  # noqa: E402  (after the path: run as a script)

TARGET_RATIO = 2.0
CAPACITY = 10  # people the booking form asks room for
HOME_MEETINGS = 10  # the viewer's next meetings, as the home page lists them
SERVER_SETTINGS = "meetingops.settings"  # the product, not bench.settings' extra URLs


@dataclasses.dataclass(frozen=True)
class Round:
    """What one round asks for: a weekday, an hour on it, one of the viewer's bookings."""

    day: dt.date
    hour: int
    booking_id: int
    today: dt.date

    def slot(self, zone) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(self.day, dt.time(self.hour), tzinfo=zone)
        return start, start + dt.timedelta(hours=1)

    def form_query(self) -> dict[str, str]:
        # The booking form opened filled in (the URL contract: local time of the user,
        # who is in the company's zone here).
        return {
            "date": self.day.isoformat(),
            "start": f"{self.hour:02d}:00",
            "end": f"{self.hour + 1:02d}:00",
        }


@dataclasses.dataclass
class Part:
    label: str
    route: str | None  # a URL name to reverse, or None for a fixed path
    path: str  # the fixed path, or "" when reversed
    query: object  # Round -> dict of query parameters, or None
    htmx: bool = False
    url: str | None = None  # resolved; None: the route does not exist yet

    def resolve(self) -> None:
        from django.urls import NoReverseMatch, reverse

        if self.route is None:
            self.url = self.path
            return
        try:
            self.url = reverse(self.route)
        except NoReverseMatch:
            self.url = None

    def target(self, r: Round) -> str:
        path = self.url.format(booking_id=r.booking_id)
        params = self.query(r) if self.query else None
        return f"{path}?{urlencode(params)}" if params else path


@dataclasses.dataclass
class Page:
    name: str
    parts: list[Part]
    api: Part
    error: str = ""
    samples: list[float] = dataclasses.field(default_factory=list)
    api_samples: list[float] = dataclasses.field(default_factory=list)
    sizes: list[int] = dataclasses.field(default_factory=list)
    api_sizes: list[int] = dataclasses.field(default_factory=list)

    @property
    def built(self) -> list[Part]:
        return [p for p in self.parts if p.url is not None]

    @property
    def missing(self) -> list[Part]:
        return [p for p in self.parts if p.url is None]


def pages_define(zone) -> list[Page]:
    def free_rooms_api(r: Round) -> dict:
        start, end = r.slot(zone)
        return {"start": start.isoformat(), "end": end.isoformat(), "capacity": CAPACITY}

    pages = [
        Page(
            "home",
            [Part("/", None, "/", None)],
            Part(
                "GET /api/v1/bookings/?date_from=today",
                None,
                "/api/v1/bookings/",
                lambda r: {"date_from": r.today.isoformat(), "page_size": HOME_MEETINGS},
            ),
        ),
        # The booking form arrives with its free rooms (one request); as the person
        # types, htmx asks for the free rooms again (the partial). Each is one request a
        # browser makes, and each mirrors the API's free-rooms search.
        Page(
            "book form",
            [Part("/book/", "bookings:book", "", lambda r: r.form_query())],
            Part(
                "GET /api/v1/availability/free-rooms/",
                None,
                "/api/v1/availability/free-rooms/",
                free_rooms_api,
            ),
        ),
        Page(
            "book: live free rooms",
            [
                Part(
                    "free rooms partial",
                    "bookings:book_rooms",
                    "",
                    lambda r: {**r.form_query(), "expected_headcount": CAPACITY},
                    htmx=True,
                ),
            ],
            Part(
                "GET /api/v1/availability/free-rooms/",
                None,
                "/api/v1/availability/free-rooms/",
                free_rooms_api,
            ),
        ),
        Page(
            "day calendar",
            [
                # The page carries the drawing's JSON (calendar.js reads it on the first
                # draw): a browser's first load is this one request. The events route
                # (bookings:calendar_events) is asked only by later draws.
                Part("/calendar/", "bookings:calendar", "", lambda r: {"date": r.day.isoformat()}),
            ],
            Part(
                "GET /api/v1/availability/week/?start",
                None,
                "/api/v1/availability/week/",
                lambda r: {"start": r.day.isoformat()},
            ),
        ),
        Page(
            "my meetings",
            [Part("/meetings/", "bookings:mine", "", None)],
            Part("GET /api/v1/bookings/", None, "/api/v1/bookings/", None),
        ),
        Page(
            "meeting page",
            [Part("/meetings/<id>/", None, "/meetings/{booking_id}/", None)],
            Part("GET /api/v1/bookings/<id>/", None, "/api/v1/bookings/{booking_id}/", None),
        ),
    ]
    for page in pages:
        for part in [*page.parts, page.api]:
            part.resolve()
    meeting = pages[-1].parts[0]
    # The meeting page's route, checked like the others (its URL takes an argument).
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("bookings:meeting", args=[1])
    except NoReverseMatch:
        meeting.url = None
    return pages


# -- data and identities ----------------------------------------------------------------------


def viewer_choose():
    """The bench user organizing the most bookings, with their booking ids."""
    from django.db.models import Count

    from bookings.models import Booking
    from security.models import User

    top = (
        Booking.objects.filter(
            organizer__email__startswith="bench-user-", id__lte=bookings.BOOKINGS
        )
        .values("organizer")
        .annotate(n=Count("id"))
        .order_by("-n", "organizer")
        .first()
    )
    user = User.objects.get(pk=top["organizer"])
    ids = list(Booking.objects.filter(organizer=user).order_by("pk").values_list("pk", flat=True))
    return user, ids


def viewer_credentials(user) -> tuple[str, str]:
    """A fresh password (and the verified address sign-in asks for), and an API token."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from security.models import ApiToken
    from security.tokens import api_token_create

    password = secrets.token_urlsafe(24)
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    ApiToken.objects.filter(user=user, name="bench pages", revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _, token = api_token_create(user=user, name="bench pages")
    return password, token


def rounds_draw(
    rng: random.Random, count: int, booking_ids: list[int], today: dt.date
) -> list[Round]:
    """Weekday hours of the data's two years (company time), and the viewer's bookings."""
    slots = bookings.random_weekday_slots(rng, count)
    return [
        Round(day=start.date(), hour=start.hour, booking_id=rng.choice(booking_ids), today=today)
        for start, _end in slots
    ]


# -- HTTP -------------------------------------------------------------------------------------


def cookies_of(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.msg.get_all("Set-Cookie") or []:
        cookie = http.cookies.SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            jar[name] = morsel.value


def sign_in(host: str, port: int, email: str, password: str) -> str:
    """Sign in through the allauth form as a browser does; return the Cookie header."""
    jar: dict[str, str] = {}
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        connection.request("GET", "/accounts/login/", headers={"Host": host})
        response = connection.getresponse()
        html = response.read().decode()
        cookies_of(response, jar)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if response.status != 200 or not found:
            raise RuntimeError(
                f"GET /accounts/login/: {response.status}, no CSRF token in the form"
            )
        body = urlencode({"login": email, "password": password, "csrfmiddlewaretoken": found[1]})
        connection.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Host": host,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                "Referer": f"http://{host}:{port}/accounts/login/",
            },
        )
        response = connection.getresponse()
        page = response.read()
        cookies_of(response, jar)
        location = response.getheader("Location", "")
        if response.status != 302 or "/accounts/" in location:
            raise RuntimeError(
                f"sign-in as {email} failed: {response.status} → {location!r} {page[:300]!r}"
            )
    finally:
        connection.close()
    return "; ".join(f"{k}={v}" for k, v in jar.items())


class Clients:
    """One measuring connection's clients: pages (session cookie), htmx partials (the
    same, with HX-Request), the API (bearer token)."""

    def __init__(self, host: str, port: int, cookie: str, token: str):
        self.page = bookings.Http(port, host=host)
        self.page.headers["Cookie"] = cookie
        self.htmx = bookings.Http(port, host=host)
        self.htmx.headers.update({"Cookie": cookie, "HX-Request": "true"})
        self.api = bookings.Http(port, token, host=host)

    def of(self, page: Page, part: Part) -> bookings.Http:
        if part is page.api:
            return self.api
        return self.htmx if part.htmx else self.page

    def time_page(self, page: Page, r: Round) -> tuple[float, int]:
        began = time.perf_counter()
        size = sum(len(bookings.get_ok(self.of(page, p), p.target(r))) for p in page.built)
        return (time.perf_counter() - began) * 1000, size

    def time_api(self, page: Page, r: Round) -> tuple[float, int]:
        began = time.perf_counter()
        size = len(bookings.get_ok(self.api, page.api.target(r)))
        return (time.perf_counter() - began) * 1000, size


def probe(pages: list[Page], clients: Clients, r: Round) -> None:
    """Each URL once: a part or API call not answering 200 marks its page ERROR."""
    for page in pages:
        for part in [*page.built, page.api]:
            status, _data = clients.of(page, part).request("GET", part.target(r))
            if status != 200:
                page.error = f"ERROR: GET {part.target(r)} answered {status}"
                break


def run_rounds(
    pages: list[Page], make_clients, rounds: list[Round], threads: int, record: bool
) -> None:
    """`rounds` shared out over `threads` connections; each times page, API, page, API..."""
    live = [p for p in pages if not p.error]
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work(share: list[Round]) -> None:
        clients = make_clients()
        try:
            for r in share:
                for page in live:
                    page_ms, page_size = clients.time_page(page, r)
                    api_ms, api_size = clients.time_api(page, r)
                    if record:
                        with lock:
                            page.samples.append(page_ms)
                            page.api_samples.append(api_ms)
                            page.sizes.append(page_size)
                            page.api_sizes.append(api_size)
        except BaseException as error:  # reported after the phase
            errors.append(error)

    workers = [threading.Thread(target=work, args=(rounds[n::threads],)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise RuntimeError(f"a client failed: {errors[0]!r}")


# -- report -----------------------------------------------------------------------------------


def rows_of(pages: list[Page]) -> list[tuple[str, ...]]:
    rows = []
    for page in pages:
        if page.error:
            rows.append((page.name, page.error, "", "", "", "", "", ""))
            continue
        if not page.built:
            rows.append((page.name, "not built", "", "", "", "", "", ""))
            continue
        p50, p95 = bookings.percentiles(page.samples)
        a50, a95 = bookings.percentiles(page.api_samples)
        ratio = p95 / a95 if a95 else float("inf")
        name = page.name + "".join(f" (+ {p.label}: not built)" for p in page.missing)
        rows.append(
            (
                name,
                f"{p50:.1f}",
                f"{p95:.1f}",
                f"{a50:.1f}",
                f"{a95:.1f}",
                f"{ratio:.2f}",
                f"≤ {TARGET_RATIO:g}",
                bookings.verdict(ratio, TARGET_RATIO, at_most=True),
            )
        )
    return rows


def table_print(rows: list[tuple[str, ...]]) -> None:
    header = ("page", "p50 ms", "p95 ms", "API p50", "API p95", "p95 page/API", "target", "")
    # A "not built" or ERROR row is one long cell after the name: it sets no width.
    full = [header, *(r for r in rows if r[2])]
    widths = [max(len(r[i]) for r in (full if i else [header, *rows])) for i in range(len(header))]
    for row in [header, *rows]:
        if not row[2]:
            print(f"{row[0].ljust(widths[0])}  {row[1]}")
            continue
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


# -- main -------------------------------------------------------------------------------------


def serve_defaults() -> tuple[int, int]:
    """`manage.py serve`'s default gunicorn workers and threads."""
    from meetingops.management.commands.serve import Command

    options = Command().create_parser("manage.py", "serve").parse_args([])
    return options.workers, options.threads


def collectstatic(url: str) -> float:
    """DEBUG=false serves the hashed files collectstatic writes (WhiteNoise's manifest)."""
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=bookings.server_env(url, SERVER_SETTINGS),
        check=True,
    )
    return time.perf_counter() - began


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed rounds (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds first (default 20)")
    parser.add_argument("--concurrency", type=int, default=1, help="timing connections (default 1)")
    parser.add_argument(
        "--url",
        help="an already-running server (http://host:port) on the same DATABASE_URL, "
        "instead of starting gunicorn",
    )
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: serve's)")
    parser.add_argument("--threads", type=int, help="gunicorn threads (default: serve's)")
    args = parser.parse_args()
    if args.requests < 2 or args.concurrency < 1 or args.warmup < 0:
        parser.error("--requests must be at least 2, --concurrency at least 1, --warmup ≥ 0")
    if args.url:
        parts = urlsplit(args.url)
        if parts.scheme != "http" or not parts.hostname:
            parser.error(f"--url takes http://host:port (plain HTTP), not {args.url!r}")
    return args


def main() -> int:
    wall = time.perf_counter()
    args = arguments()
    url = bookings.configure_environment()
    params = bookings.server_params(url)
    bookings.VAR_DIR.mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from bookings.rules import company_zone

    print(f"database {params['dbname']} on {params['host']}:{params['port']}", flush=True)
    began = time.perf_counter()
    print(bookings.ensure_data(params), f"({time.perf_counter() - began:.1f} s)", flush=True)

    zone = company_zone()
    viewer, booking_ids = viewer_choose()
    password, token = viewer_credentials(viewer)
    print(f"viewer {viewer.email}: organizer of {len(booking_ids)} bookings", flush=True)
    pages = pages_define(zone)
    rng = random.Random(bookings.SEED + 9)
    today = dt.datetime.now(zone).date()

    process = None
    workers, threads = serve_defaults()
    workers, threads = args.workers or workers, args.threads or threads
    try:
        if args.url:
            target = urlsplit(args.url)
            host, port = target.hostname, target.port or 80
            server = f"the server at {args.url}"
            warm_threads = max(args.concurrency, 8)
        else:
            print(f"collectstatic: {collectstatic(url):.1f} s", flush=True)
            host, port = "127.0.0.1", bookings.free_port()
            log_path = bookings.VAR_DIR / "gunicorn-pages.log"
            process = bookings.gunicorn_start(
                url, port, log_path, workers=workers, threads=threads, settings=SERVER_SETTINGS
            )
            server = (
                f"gunicorn {workers} workers × {threads} threads (as manage.py serve), "
                f"{SERVER_SETTINGS}, DEBUG=false, on 127.0.0.1:{port} (log {log_path})"
            )
            warm_threads = max(args.concurrency, workers * threads)
        print(server, flush=True)
        cookie = sign_in(host, port, viewer.email, password)

        def make_clients() -> Clients:
            return Clients(host, port, cookie, token)

        probe(pages, make_clients(), rounds_draw(rng, 1, booking_ids, today)[0])
        if args.warmup:
            run_rounds(
                pages,
                make_clients,
                rounds_draw(rng, args.warmup, booking_ids, today),
                warm_threads,
                False,
            )
        timing = time.perf_counter()
        run_rounds(
            pages,
            make_clients,
            rounds_draw(rng, args.requests, booking_ids, today),
            args.concurrency,
            True,
        )
        timing = time.perf_counter() - timing
    finally:
        bookings.gunicorn_stop(process)

    print()
    print(
        f"{args.requests} rounds per page after {args.warmup} warm-up rounds, "
        f"{args.concurrency} connection(s), page and API interleaved; ms over real HTTP"
    )
    rows = rows_of(pages)
    table_print(rows)
    for page in pages:
        if page.samples:
            urls = " + ".join(p.url.format(booking_id="<id>") for p in page.built)
            print(
                f"  · {page.name}: {urls} ({statistics.mean(page.sizes) / 1e3:.1f} kB) "
                f"↔ {page.api.label} ({statistics.mean(page.api_sizes) / 1e3:.1f} kB)"
            )
    print(f"  · timed phase {timing:.1f} s; wall time {time.perf_counter() - wall:.1f} s")
    # A page over its target, or one that could not be measured, fails the run; a part
    # not built yet does not.
    return 1 if any(r[-1] == "MISS" or r[1].startswith("ERROR") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
