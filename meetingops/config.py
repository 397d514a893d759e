"""MeetingOps reads everything that differs between a laptop and production from the
environment (DESIGN "Configuration", X-4).

`VARIABLES` is the one list of what the project reads: settings.py, `.env.example`,
the README and docker-compose.yml are checked against it by the tests. Parsing is
strict: a value that is not understood stops start-up with a message naming the
variable, instead of silently falling back to a default.
"""

from __future__ import annotations

import secrets
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in [
        Variable("DEBUG", "false", "true only on a developer's machine: detailed error pages."),
        Variable(
            "SECRET_KEY",
            "",
            "Signs sessions and tokens. Required when DEBUG is false (50+ random characters); "
            "with DEBUG=true a key is generated once into var/secret_key.",
        ),
        Variable("ALLOWED_HOSTS", "127.0.0.1,localhost", "Host names the site answers to."),
        Variable("CSRF_TRUSTED_ORIGINS", "", "Origins (https://meet.example.com) allowed to POST."),
        Variable(
            "DATABASE_URL",
            "sqlite:///var/db.sqlite3",
            "Database URL; the default is an SQLite file under var/. "
            "postgres://user:pass@host:5432/name for PostgreSQL.",
        ),
        Variable(
            "REDIS_URL",
            "",
            "Redis URL for the Celery broker and the shared cache. Empty: the embedded "
            "file-system broker and a file cache under var/, no server needed.",
        ),
        Variable(
            "EMAIL_URL",
            "filemail://var/mail",
            "Where email goes: filemail://path writes each message as a file; "
            "smtp+tls://user:pass@host:587 sends it.",
        ),
        Variable("DEFAULT_FROM_EMAIL", "MeetingOps <meetingops@localhost>", "Sender of emails."),
        Variable("TIME_ZONE", "Asia/Shanghai", "The company's time zone (IANA name)."),
        Variable(
            "ALLOWED_SIGNUP_DOMAINS",
            "",
            "Comma-separated email domains that may sign up (SE-1); empty closes sign-up.",
        ),
        Variable("IT_ALERT_EMAILS", "", "Comma-separated addresses that receive IT alerts."),
        Variable("VAR_DIR", "var", "Folder for the SQLite file, mail, broker queue, media."),
        Variable("SECURE_SSL_REDIRECT", "", "Redirect HTTP to HTTPS (default: true unless DEBUG)."),
        Variable(
            "SECURE_COOKIES",
            "",
            "Send session and CSRF cookies over HTTPS only (default: true unless DEBUG).",
        ),
        Variable("SECURE_HSTS_SECONDS", "", "HSTS max-age (default: one year unless DEBUG)."),
        Variable(
            "SECURE_PROXY_SSL_HEADER",
            "",
            "Set to true behind a TLS proxy that sends X-Forwarded-Proto.",
        ),
        Variable("LOG_LEVEL", "INFO", "Logging level of the meetingops loggers."),
        Variable(
            "SITE_URL",
            "http://127.0.0.1:8000",
            "The site's address as people reach it: the links in emails and calendar feeds.",
        ),
        Variable(
            "ENCRYPTION_KEYS",
            "",
            "Comma-separated Fernet keys for secrets stored in the database, newest first "
            "(older ones still decrypt, so a key can be rotated). Empty: one derived from "
            "SECRET_KEY.",
        ),
        Variable(
            "WATCHDOG_SILENCE_MINUTES",
            "5",
            "IT is alerted when the scheduler or every worker has been silent this long.",
        ),
    ]
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_INSECURE_KEY_PREFIX = "django-insecure"


def parse_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def parse_int(name: str, value: str, *, minimum: int = 0) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def parse_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_domains(name: str, value: str) -> list[str]:
    domains = [d.lower().lstrip("@") for d in parse_list(value)]
    for domain in domains:
        if "." not in domain or " " in domain or "@" in domain:
            raise ImproperlyConfigured(f"{name}: {domain!r} is not an email domain.")
    return domains


def parse_emails(name: str, value: str) -> list[str]:
    emails = parse_list(value)
    for email in emails:
        local, _, domain = email.partition("@")
        if not local or "." not in domain:
            raise ImproperlyConfigured(f"{name}: {email!r} is not an email address.")
    return emails


def parse_time_zone(name: str, value: str) -> str:
    value = value.strip()
    if value not in zoneinfo.available_timezones():
        raise ImproperlyConfigured(
            f"{name} must be an IANA time zone such as Asia/Shanghai, not {value!r}."
        )
    return value


def parse_database(name: str, value: str, *, base_dir: Path) -> dict[str, Any]:
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql", "psql"}:
        raise ImproperlyConfigured(
            f"{name} must be sqlite:///path or postgres://user@host:port/name, not {value!r}."
        )
    config = environ.Env.db_url_config(value)
    if scheme == "sqlite":
        path = Path(config["NAME"])
        if str(path) != ":memory:" and not path.is_absolute():
            path = base_dir / path
        config["NAME"] = str(path)
        config["OPTIONS"] = {
            # BK-3 / OV-1: BEGIN IMMEDIATE takes the write lock at the start of every
            # transaction, so check-then-insert (bookings, the audit chain) is serialized.
            "transaction_mode": "IMMEDIATE",
            # The web server, worker and scheduler share the file: wait for the lock
            # instead of failing, and let readers run beside the one writer.
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} names no database: {value!r}.")
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
    return config


def parse_email(name: str, value: str, *, base_dir: Path) -> dict[str, Any]:
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in environ.Env.EMAIL_SCHEMES:
        known = ", ".join(sorted(environ.Env.EMAIL_SCHEMES))
        raise ImproperlyConfigured(f"{name} must start with one of {known}, not {value!r}.")
    if scheme == "filemail":
        # environ drops the path of filemail://var/mail; keep it, relative to the project.
        path = Path(value.split("://", 1)[1] or "var/mail")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(path if path.is_absolute() else base_dir / path),
        }
    return environ.Env.email_url_config(value)


def parse_redis(name: str, value: str) -> str:
    value = value.strip()
    if value and not value.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(f"{name} must be redis://host:port/db, not {value!r}.")
    return value


def parse_site_url(name: str, value: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")) or "://" not in value[:8] or " " in value:
        raise ImproperlyConfigured(
            f"{name} must be the site's address, such as https://meet.example.com, not {value!r}."
        )
    return value


def parse_fernet_keys(name: str, value: str) -> list[str]:
    import base64
    import binascii

    keys = parse_list(value)
    for key in keys:
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"{name}: each key must be a Fernet key (32 bytes, URL-safe Base64); make "
                'one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            )
    return keys


def check_secret_key(name: str, value: str) -> str:
    """The same rule as Django's deploy check (security.W009), as a hard stop."""
    if (
        len(value) < 50
        or len(set(value)) < 5
        or value.startswith(_INSECURE_KEY_PREFIX)
        or value in {"change-me", "changeme"}
    ):
        raise ImproperlyConfigured(
            f"{name} must be a random string of at least 50 characters when DEBUG is false; "
            'make one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    return value


def _dev_secret_key(var_dir: Path) -> str:
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Config:
    debug: bool
    secret_key: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    database: dict[str, Any]
    redis_url: str
    email: dict[str, Any]
    default_from_email: str
    time_zone: str
    allowed_signup_domains: list[str]
    it_alert_emails: list[str]
    var_dir: Path
    secure_ssl_redirect: bool
    secure_cookies: bool
    secure_hsts_seconds: int
    secure_proxy_ssl_header: bool
    log_level: str
    site_url: str
    encryption_keys: list[str]
    watchdog_silence_minutes: int


def load(environ_: Mapping[str, str], *, base_dir: Path) -> Config:
    """Parse the environment; raise ImproperlyConfigured naming the first bad variable."""

    def raw(name: str) -> str:
        return environ_.get(name, VARIABLES[name].default)

    debug = parse_bool("DEBUG", raw("DEBUG"))
    var_dir = Path(raw("VAR_DIR"))
    if not var_dir.is_absolute():
        var_dir = base_dir / var_dir
    secret_key = raw("SECRET_KEY").strip()
    if debug and not secret_key:
        secret_key = _dev_secret_key(var_dir)
    elif not debug:
        secret_key = check_secret_key("SECRET_KEY", secret_key)

    def secure_default(name: str) -> bool:
        value = raw(name)
        return parse_bool(name, value) if value.strip() else not debug

    hsts = raw("SECURE_HSTS_SECONDS")
    log_level = raw("LOG_LEVEL").strip().upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ImproperlyConfigured(
            f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {log_level!r}."
        )
    allowed_hosts = parse_list(raw("ALLOWED_HOSTS"))
    if not allowed_hosts:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name at least one host.")

    return Config(
        debug=debug,
        secret_key=secret_key,
        allowed_hosts=allowed_hosts,
        csrf_trusted_origins=parse_list(raw("CSRF_TRUSTED_ORIGINS")),
        database=parse_database("DATABASE_URL", raw("DATABASE_URL"), base_dir=base_dir),
        redis_url=parse_redis("REDIS_URL", raw("REDIS_URL")),
        email=parse_email("EMAIL_URL", raw("EMAIL_URL"), base_dir=base_dir),
        default_from_email=raw("DEFAULT_FROM_EMAIL"),
        time_zone=parse_time_zone("TIME_ZONE", raw("TIME_ZONE")),
        allowed_signup_domains=parse_domains(
            "ALLOWED_SIGNUP_DOMAINS", raw("ALLOWED_SIGNUP_DOMAINS")
        ),
        it_alert_emails=parse_emails("IT_ALERT_EMAILS", raw("IT_ALERT_EMAILS")),
        var_dir=var_dir,
        secure_ssl_redirect=secure_default("SECURE_SSL_REDIRECT"),
        secure_cookies=secure_default("SECURE_COOKIES"),
        secure_hsts_seconds=(
            parse_int("SECURE_HSTS_SECONDS", hsts) if hsts.strip() else (0 if debug else 31536000)
        ),
        secure_proxy_ssl_header=parse_bool(
            "SECURE_PROXY_SSL_HEADER", raw("SECURE_PROXY_SSL_HEADER") or "false"
        ),
        log_level=log_level,
        site_url=parse_site_url("SITE_URL", raw("SITE_URL")),
        encryption_keys=parse_fernet_keys("ENCRYPTION_KEYS", raw("ENCRYPTION_KEYS")),
        watchdog_silence_minutes=parse_int(
            "WATCHDOG_SILENCE_MINUTES", raw("WATCHDOG_SILENCE_MINUTES"), minimum=1
        ),
    )
