"""Run the whole product on one machine: the web server, a Celery worker and the beat
scheduler side by side (X-4). Ctrl-C (or SIGTERM) stops all three cleanly; if one of
them dies, the others are stopped too and the command fails.

A worker or a scheduler can also hang without dying: the command runs the watchdog's
check (`meetingops.watchdog`) every minute in a thread of its own, so that IT hears of
a silence even when nobody browses (the web processes check as requests come)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_TIMEOUT_SECONDS = 20

logger = logging.getLogger(__name__)


def _watch(stopped: threading.Event, every: float) -> None:
    """The watchdog's check every `every` seconds until `stopped`, as the web does."""
    from django.db import connection

    from meetingops.watchdog import watchdog_check

    while not stopped.wait(every):
        try:
            watchdog_check()
        except Exception:
            logger.exception("The watchdog's check failed")
        finally:
            connection.close()


class Command(BaseCommand):
    help = "Serve MeetingOps with its Celery worker and beat scheduler; Ctrl-C stops all."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=2, help="gunicorn worker processes (default 2)."
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="threads per worker process (default 4)."
        )

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options) -> None:
        python = sys.executable
        # gunicorn, with DEBUG too: runserver is a development server that drops connections
        # under a burst (about a third of 50 at once). WhiteNoise serves the static files
        # (from the finders when DEBUG, from collectstatic's folder otherwise).
        web_cmd = [
            python,
            "-m",
            "gunicorn",
            "meetingops.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            "-",
        ]
        celery = [python, "-m", "celery", "-A", "meetingops"]
        commands = {
            "web": web_cmd,
            # Threads, not prefork: one process is enough on a laptop and SQLite prefers it.
            "worker": [*celery, "worker", "--loglevel=INFO", "--pool=threads", "--concurrency=4"],
            "beat": [
                *celery,
                "beat",
                "--loglevel=INFO",
                "--pidfile=",
                "--scheduler",
                settings.CELERY_BEAT_SCHEDULER,
            ],
        }

        broker = (
            "Redis" if settings.CONFIG.redis_url else f"files under {settings.CELERY_BROKER_DIR}"
        )
        self.stdout.write(
            f"MeetingOps on http://{host}:{port}/ — worker and scheduler on {broker}. "
            "Ctrl-C stops everything."
        )
        stopping = False

        def request_stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

        # Each child gets its own session, so the terminal's Ctrl-C reaches only us and
        # we stop the children in order rather than all at once half-way.
        children = {
            name: subprocess.Popen(cmd, cwd=settings.BASE_DIR, start_new_session=True)  # noqa: S603
            for name, cmd in commands.items()
        }
        failed: str | None = None
        stopped = threading.Event()
        if settings.WATCHDOG_CHECK_SECONDS:
            threading.Thread(
                target=_watch,
                args=(stopped, settings.WATCHDOG_CHECK_SECONDS),
                name="watchdog",
                daemon=True,
            ).start()
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        failed = f"{name} exited with code {child.returncode}"
                        stopping = True
                        break
                time.sleep(0.3)
        finally:
            stopped.set()
            self._stop(children)
        if failed:
            raise CommandError(f"Stopped everything because {failed}.")
        self.stdout.write("MeetingOps stopped.")

    def _stop(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
