"""Schemathesis over every API operation, against a live MeetingOps (X-1): the schema
must document every answer the server gives, and the server must refuse what the
schema forbids and never fail.

    scripts/schemathesis [--max-examples 100] [--keep] [-- extra st run options]

It makes a fresh SQLite database in a temporary VAR_DIR (migrated, with the demo data),
a personal API token for the demo approver (who may also approve and reject), starts
gunicorn on a free 127.0.0.1 port with DEBUG=false, and runs `st run` on /api/schema/
with every check and that token; its summary is printed and its exit status returned.
The server's log is printed too when schemathesis found a failure.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))

from meetingops import config  # noqa: E402

FUZZER_EMAIL = "approver@example.com"
MAKE_TOKEN = f"""
from security.models import User
from security.tokens import api_token_create
_token, secret = api_token_create(user=User.objects.get(email={FUZZER_EMAIL!r}), name="fuzz")
print(secret)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own local URL
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def run(max_examples: int, extra: list[str], var_dir: Path) -> int:
    env = {k: v for k, v in os.environ.items() if k not in config.VARIABLES}
    port = free_port()
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir}/db.sqlite3",
        ALLOWED_SIGNUP_DOMAINS="example.com",
        # Plain HTTP on 127.0.0.1: no redirect to HTTPS, cookies usable.
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
    )
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "seed_demo")
    secret = manage(env, "shell", "-c", MAKE_TOKEN).strip().splitlines()[-1]

    base = f"http://127.0.0.1:{port}"
    log_path = var_dir / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "meetingops.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
            ],
            cwd=BASE,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(f"{base}/healthz", server)
            st = Path(sys.executable).with_name("st")
            done = subprocess.run(  # noqa: S603
                [
                    str(st),
                    "--no-color",
                    "--config-file",
                    str(BASE / "schemathesis.toml"),
                    "run",
                    f"{base}/api/schema/",
                    "--checks",
                    "all",
                    "--max-examples",
                    str(max_examples),
                    "--header",
                    f"Authorization: Bearer {secret}",
                    # One request at a time: SQLite takes one write at a time, and a
                    # request queued behind others would only measure the queue.
                    "--workers",
                    "1",
                    *extra,
                ],
                cwd=var_dir,
                env={**os.environ, "NO_COLOR": "1"},
                check=False,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    if done.returncode:
        print("\n--- gunicorn log ---")
        print(log_path.read_text()[-20_000:])
    return done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the temporary VAR_DIR")
    parser.add_argument("extra", nargs="*", help="more `st run` options, after --")
    args = parser.parse_args()
    if args.keep:
        var_dir = Path(tempfile.mkdtemp(prefix="meetingops-fuzz-"))
        print(f"VAR_DIR kept at {var_dir}")
        return run(args.max_examples, args.extra, var_dir)
    with tempfile.TemporaryDirectory(prefix="meetingops-fuzz-") as var_dir:
        return run(args.max_examples, args.extra, Path(var_dir))


if __name__ == "__main__":
    sys.exit(main())
