"""X-4: `manage.py serve` runs the embedded product (SQLite, no Redis): the web
server (gunicorn, DEBUG or not) answers a burst of connections, static files included,
the worker takes tasks from the file-system broker, the scheduler starts, and Ctrl-C
stops all three."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from meetingops import config

BASE = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    request = urllib.request.Request(url)  # noqa: S310 - a local URL we built
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _burst(url: str, connections: int) -> list[int | str]:
    """A GET on each of `connections` connections at once: the statuses, or the errors."""
    outcomes: list[int | str] = []
    barrier = threading.Barrier(connections)

    def one() -> None:
        barrier.wait()
        try:
            outcomes.append(_get(url))
        except OSError as error:
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=one) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def embedded_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in config.VARIABLES}
    env.update(
        DEBUG="true",
        VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    for step in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *step],
            cwd=BASE,
            env=env,
            check=True,
            capture_output=True,
            timeout=180,
        )
    return env


def test_serve_runs_web_worker_and_scheduler_and_stops_on_ctrl_c(embedded_env, tmp_path):
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=BASE,
        env=embedded_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def page_up() -> bool:
            try:
                return _get(f"{base}/accounts/login/") == 200
            except OSError:
                return False

        _wait_for(page_up, 60, "the sign-in page")
        assert _get(f"{base}/admin/") == 200  # redirected on to the sign-in page
        assert _get(f"{base}/static/css/meetingops.css") == 200

        logged = lambda text: text in Path(log.name).read_text()  # noqa: E731
        # A real WSGI server even with DEBUG on, and whitenoise serving the static files.
        assert logged("Starting gunicorn")
        for url in (f"{base}/accounts/login/", f"{base}/static/css/meetingops.css"):
            assert _burst(url, 50) == [200] * 50, url
        _wait_for(lambda: logged("celery@") and logged("ready."), 60, "the worker")
        _wait_for(lambda: logged("beat: Starting"), 60, "the scheduler")

        # A task sent from another process reaches the worker through var/celery.
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from oversight.tasks import audit_chain_verify; audit_chain_verify.delay()",
            ],
            cwd=BASE,
            env=embedded_env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        _wait_for(lambda: logged("audit_chain_verify") and logged("succeeded"), 60, "the task")

        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=45) == 0
        assert "MeetingOps stopped." in Path(log.name).read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
