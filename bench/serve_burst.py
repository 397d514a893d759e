"""Burst benchmark of the embedded default (X-4): 50 simultaneous connections at a page
and at a static file, against `manage.py serve` (gunicorn, what `scripts/serve` runs)
and, for comparison, against Django's runserver (what it ran before).

Run from the project folder:

    .venv/bin/python bench/serve_burst.py [--connections 50] [--rounds 3] [--only serve]

Each server is started on a free 127.0.0.1 port with DEBUG=true over a fresh SQLite
database in a temporary VAR_DIR (migrated, no demo data needed), exactly as the embedded
default runs; each round opens every connection, then (a barrier releases the threads
together) sends one GET on each at once and reads the whole answer. It prints, per server and
URL, how many answers were 200 and every error (connection reset, refused, timed out)
by kind. Exit status 1 when `serve` had any error.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))

from meetingops import config  # noqa: E402

URLS = {"page": "/accounts/login/", "static file": "/static/css/meetingops.css"}
TIMEOUT_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def embedded_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in config.VARIABLES}
    env.update(DEBUG="true", VAR_DIR=str(var_dir), DATABASE_URL=f"sqlite:///{var_dir}/db.sqlite3")
    return env


def get(port: int, path: str, barrier: threading.Barrier | None = None) -> int:
    """One GET on a new connection; with a barrier, the connection is opened first and
    the request sent once every other connection is open too."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        if barrier is not None:
            try:
                connection.connect()
            finally:
                barrier.wait()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            if get(port, URLS["page"]) == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not answer in time")


def burst(port: int, path: str, connections: int) -> collections.Counter:
    """One GET on each of `connections` connections opened at the same moment."""
    outcomes: collections.Counter = collections.Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(connections)

    def one() -> None:
        try:
            outcome = str(get(port, path, barrier))
        except OSError as error:
            outcome = type(error).__name__
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=one) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def command(server: str, port: int) -> list[str]:
    manage = [sys.executable, "manage.py"]
    if server == "serve":
        return [*manage, "serve", "--port", str(port)]
    return [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"]


def measure(server: str, env: dict[str, str], connections: int, rounds: int) -> int:
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            command(server, port), cwd=BASE, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        return _measure_running(server, process, port, connections, rounds)


def _measure_running(
    server: str, process: subprocess.Popen, port: int, connections: int, rounds: int
) -> int:
    errors = 0
    try:
        wait_until_up(port, process)
        for what, path in URLS.items():
            total: collections.Counter = collections.Counter()
            for _ in range(rounds):
                total += burst(port, path, connections)
            sent = connections * rounds
            failed = sent - total["200"]
            errors += failed
            detail = ", ".join(f"{k}: {v}" for k, v in sorted(total.items()) if k != "200")
            print(
                f"{server:<10} {what:<12} {path:<28} {total['200']:>4}/{sent} OK, "
                f"{failed:>3} errors{' (' + detail + ')' if detail else ''}"
            )
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=["serve", "runserver"], default=None)
    args = parser.parse_args()
    servers = [args.only] if args.only else ["serve", "runserver"]

    with tempfile.TemporaryDirectory() as var_dir:
        env = embedded_env(Path(var_dir))
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=BASE,
            env=env,
            check=True,
            capture_output=True,
        )
        print(
            f"{args.connections} simultaneous connections x {args.rounds} rounds per URL, "
            "DEBUG=true, SQLite (the embedded default)"
        )
        errors = {server: measure(server, env, args.connections, args.rounds) for server in servers}
    return 1 if errors.get("serve") else 0


if __name__ == "__main__":
    sys.exit(main())
