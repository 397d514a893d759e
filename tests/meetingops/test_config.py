"""Configuration comes from the environment and bad values stop start-up with a clear
message naming the variable (DESIGN "Configuration")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from meetingops import config

BASE = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3Y-" + "abcdefghij" * 6


def load(tmp_path: Path, **environ: str) -> config.Config:
    environ.setdefault("VAR_DIR", str(tmp_path))
    return config.load(environ, base_dir=BASE)


def test_defaults_give_the_embedded_product(tmp_path):
    cfg = load(tmp_path, DEBUG="true")

    assert cfg.database["ENGINE"] == "django.db.backends.sqlite3"
    assert cfg.database["NAME"] == str(BASE / "var" / "db.sqlite3")
    assert cfg.database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert cfg.redis_url == ""
    assert cfg.email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert cfg.email["EMAIL_FILE_PATH"] == str(BASE / "var" / "mail")
    assert cfg.time_zone == "Asia/Shanghai"
    assert cfg.allowed_signup_domains == []


def test_debug_without_secret_key_makes_one_and_keeps_it(tmp_path):
    first = load(tmp_path, DEBUG="true").secret_key
    second = load(tmp_path, DEBUG="true").secret_key

    assert len(first) >= 50
    assert first == second


def test_postgres_url_is_parsed(tmp_path):
    cfg = load(
        tmp_path,
        DEBUG="true",
        DATABASE_URL="postgres://meet:s3cret@db.internal:5433/meetingops",
    )

    assert cfg.database["ENGINE"] == "django.db.backends.postgresql"
    assert (cfg.database["HOST"], cfg.database["PORT"]) == ("db.internal", 5433)
    assert (cfg.database["NAME"], cfg.database["USER"]) == ("meetingops", "meet")


def test_smtp_email_url_is_parsed(tmp_path):
    cfg = load(tmp_path, DEBUG="true", EMAIL_URL="smtp+tls://bot:pw@mail.example.com:587")

    assert cfg.email["EMAIL_HOST"] == "mail.example.com"
    assert cfg.email["EMAIL_PORT"] == 587
    assert cfg.email["EMAIL_USE_TLS"] is True


def test_production_defaults_are_secure(tmp_path):
    cfg = load(tmp_path, DEBUG="false", SECRET_KEY=GOOD_KEY)

    assert cfg.secure_ssl_redirect is True
    assert cfg.secure_cookies is True
    assert cfg.secure_hsts_seconds == 31536000


def test_lists_are_split_and_trimmed(tmp_path):
    cfg = load(
        tmp_path,
        DEBUG="true",
        ALLOWED_HOSTS=" meet.example.com , 127.0.0.1 ",
        ALLOWED_SIGNUP_DOMAINS="Example.com, @corp.example.cn",
        IT_ALERT_EMAILS="it@example.com,ops@example.com",
    )

    assert cfg.allowed_hosts == ["meet.example.com", "127.0.0.1"]
    assert cfg.allowed_signup_domains == ["example.com", "corp.example.cn"]
    assert cfg.it_alert_emails == ["it@example.com", "ops@example.com"]


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DEBUG": "flase"}, "DEBUG must be true or false, not 'flase'"),
        ({"DEBUG": "false"}, "SECRET_KEY must be a random string of at least 50 characters"),
        ({"DEBUG": "false", "SECRET_KEY": "short"}, "SECRET_KEY must be a random string"),
        (
            {"DEBUG": "false", "SECRET_KEY": "django-insecure-" + "x1y2z3" * 10},
            "SECRET_KEY must be a random string",
        ),
        ({"DEBUG": "true", "DATABASE_URL": "mysql://db/x"}, "DATABASE_URL must be sqlite:///"),
        ({"DEBUG": "true", "DATABASE_URL": "postgres://host:5432/"}, "DATABASE_URL names no"),
        ({"DEBUG": "true", "REDIS_URL": "localhost:6379"}, "REDIS_URL must be redis://"),
        ({"DEBUG": "true", "EMAIL_URL": "mail.example.com"}, "EMAIL_URL must start with one of"),
        ({"DEBUG": "true", "TIME_ZONE": "Beijing"}, "TIME_ZONE must be an IANA time zone"),
        ({"DEBUG": "true", "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must name at least one"),
        ({"DEBUG": "true", "ALLOWED_SIGNUP_DOMAINS": "example"}, "'example' is not an email"),
        ({"DEBUG": "true", "IT_ALERT_EMAILS": "it-team"}, "'it-team' is not an email address"),
        ({"DEBUG": "true", "SECURE_HSTS_SECONDS": "a year"}, "must be a whole number"),
        ({"DEBUG": "true", "SECURE_HSTS_SECONDS": "-5"}, "must be at least 0"),
        ({"DEBUG": "true", "SECURE_COOKIES": "maybe"}, "SECURE_COOKIES must be true or false"),
        ({"DEBUG": "true", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be"),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) and len(v) == 1 else None,
)
def test_bad_values_stop_start_up_naming_the_variable(tmp_path, environ, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(")):
        load(tmp_path, **environ)


def _manage(*args: str, **environ: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in config.VARIABLES}
    env.update(environ)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_refuse_to_start_without_a_secret_key_in_production(tmp_path):
    result = _manage("check", DEBUG="false", VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "SECRET_KEY must be a random string" in result.stderr


def test_deploy_check_reports_nothing_in_production(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="meet.example.com",
        VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_env_example_lists_every_variable_with_its_default():
    lines = (BASE / ".env.example").read_text().splitlines()
    listed = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))

    assert listed == {name: v.default for name, v in config.VARIABLES.items()}


def test_readme_documents_every_variable():
    readme = (BASE / "README.md").read_text()

    assert [name for name in config.VARIABLES if f"`{name}`" not in readme] == []
