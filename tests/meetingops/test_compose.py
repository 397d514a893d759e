"""docker-compose.yml and the Dockerfile agree with the project (X-4): the app services
get only variables that meetingops.config reads, with values it accepts, and the
services find each other. There is no Docker engine here, so the files are read as
YAML and text."""

from __future__ import annotations

import json
import re
import secrets
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

from meetingops import config

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ["migrate", "web", "worker", "beat"]
LONG_RUNNING_APP_SERVICES = ["web", "worker", "beat"]

# A value for variables compose requires (${NAME:?message}) or takes from the shell
# (${NAME}): long and random, like the SECRET_KEY an operator would set.
REQUIRED_VALUE = secrets.token_urlsafe(45)
_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def _interpolate(value: str) -> str:
    """Compose's ${NAME:-default} and ${NAME:?message}, with nothing set in the shell."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        if match.group("op") in {":-", "-"}:
            return match.group("arg")
        return REQUIRED_VALUE

    return _INTERPOLATION.sub(replace, value)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return {name: "" if value is None else str(value) for name, value in environment.items()}


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def _named_volume_mounts(service: dict[str, Any]) -> dict[str, str]:
    """Named volume -> path inside the container (bind mounts start with / or .)."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            source, target = volume.get("source", ""), volume["target"]
        else:
            source, _, rest = volume.partition(":")
            target = rest.partition(":")[0]
        if source and not source.startswith(("/", ".", "~")):
            mounts[source] = target
    return mounts


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = "\n".join(lines).replace("\\\n", " ")
    instructions = []
    for line in joined.splitlines():
        keyword, _, rest = line.strip().partition(" ")
        if keyword:
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _dockerfile_env() -> dict[str, str]:
    env = {}
    for keyword, rest in _dockerfile_instructions():
        if keyword == "ENV":
            env.update(item.partition("=")[::2] for item in shlex.split(rest))
    return env


def _collectstatic_run() -> str:
    runs = [rest for keyword, rest in _dockerfile_instructions() if keyword == "RUN"]
    return next(run for run in runs if "collectstatic" in run)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # safe_load resolves the anchors and << merge keys the app services share.
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def app_env(services) -> dict[str, str]:
    return {name: _interpolate(value) for name, value in _environment(services["web"]).items()}


@pytest.fixture
def loaded(app_env, tmp_path) -> config.Config:
    return config.load(app_env, base_dir=tmp_path)


@pytest.fixture(scope="module")
def postgres_env(services) -> dict[str, str]:
    return {k: _interpolate(v) for k, v in _environment(services["postgres"]).items()}


def test_compose_defines_web_worker_beat_postgres_and_redis(services):
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)


def test_postgres_is_version_16(services):
    assert services["postgres"]["image"].startswith("postgres:16")


def test_redis_is_version_7(services):
    assert services["redis"]["image"].startswith("redis:7")


@pytest.mark.parametrize("name", ["postgres", "redis", "web"])
def test_service_has_a_healthcheck(services, name):
    assert services[name]["healthcheck"]["test"]


def test_every_named_volume_a_service_mounts_is_declared(compose, services):
    used = {volume for s in services.values() for volume in _named_volume_mounts(s)}
    assert used <= set(compose["volumes"])


def test_every_declared_volume_is_mounted(compose, services):
    used = {volume for s in services.values() for volume in _named_volume_mounts(s)}
    assert set(compose["volumes"]) <= used


@pytest.mark.parametrize(
    ("name", "data_dir"), [("postgres", "/var/lib/postgresql/data"), ("redis", "/data")]
)
def test_backing_service_keeps_its_data_on_a_named_volume(services, name, data_dir):
    assert data_dir in _named_volume_mounts(services[name]).values()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_volumes_are_mounted_inside_var_dir(services, app_env, name):
    targets = _named_volume_mounts(services[name]).values()
    assert targets
    assert all(target.startswith(app_env["VAR_DIR"] + "/") for target in targets)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_app_variable_is_one_the_project_reads(services, name):
    assert set(_environment(services[name])) - set(config.VARIABLES) == set()


def test_app_services_share_one_environment(services):
    environments = [_environment(services[name]) for name in APP_SERVICES]
    assert all(environment == environments[0] for environment in environments)


def test_config_accepts_the_app_environment(app_env, tmp_path):
    assert isinstance(config.load(app_env, base_dir=tmp_path), config.Config)


def test_app_runs_without_debug(loaded):
    assert loaded.debug is False


def test_secret_key_must_be_given_to_compose(services):
    assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", _environment(services["web"])["SECRET_KEY"])


def test_database_url_points_at_the_postgres_service(app_env, services):
    url = urlsplit(app_env["DATABASE_URL"])
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert "postgres" in services


def test_database_url_names_the_database_and_user_postgres_creates(app_env, postgres_env):
    url = urlsplit(app_env["DATABASE_URL"])
    assert (url.path.lstrip("/"), url.username) == (
        postgres_env["POSTGRES_DB"],
        postgres_env["POSTGRES_USER"],
    )


def test_database_url_password_is_the_postgres_password(app_env, postgres_env):
    assert urlsplit(app_env["DATABASE_URL"]).password == postgres_env["POSTGRES_PASSWORD"]


def test_redis_url_points_at_the_redis_service(app_env, services):
    assert urlsplit(app_env["REDIS_URL"]).hostname == "redis"
    assert "redis" in services


def test_plain_http_is_not_redirected_without_a_tls_proxy(loaded):
    assert loaded.secure_ssl_redirect is False


def test_web_healthcheck_requests_healthz_on_an_allowed_host(services, loaded):
    check = " ".join(services["web"]["healthcheck"]["test"])
    url = urlsplit(re.search(r"https?://[^'\"\s]+", check).group(0))
    assert url.path == "/healthz"
    assert url.hostname in loaded.allowed_hosts


def test_web_runs_gunicorn_with_the_wsgi_application(services):
    command = _command(services["web"])
    assert command[0] == "gunicorn"
    assert "meetingops.wsgi:application" in command


def test_web_binds_the_port_it_publishes(services):
    command = _command(services["web"])
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000"
    assert "8000:8000" in services["web"]["ports"]


def test_worker_runs_the_meetingops_celery_worker(services):
    assert _command(services["worker"])[:4] == ["celery", "-A", "meetingops", "worker"]


def test_beat_runs_the_meetingops_celery_beat(services):
    assert _command(services["beat"])[:4] == ["celery", "-A", "meetingops", "beat"]


def test_beat_uses_the_database_scheduler_of_the_settings(services):
    command = _command(services["beat"])
    assert command[command.index("--scheduler") + 1] == settings.CELERY_BEAT_SCHEDULER


def test_migrate_service_applies_migrations(services):
    assert _command(services["migrate"]) == ["python", "manage.py", "migrate", "--noinput"]


def test_migrate_service_runs_once(services):
    assert services["migrate"]["restart"] == "no"


@pytest.mark.parametrize("name", LONG_RUNNING_APP_SERVICES)
@pytest.mark.parametrize("backing", ["postgres", "redis"])
def test_app_service_waits_for_healthy_backing_service(services, name, backing):
    assert services[name]["depends_on"][backing]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", LONG_RUNNING_APP_SERVICES)
def test_app_service_starts_after_migrations_succeed(services, name):
    condition = services[name]["depends_on"]["migrate"]["condition"]
    assert condition == "service_completed_successfully"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_builds_from_the_dockerfile(services, name):
    assert services[name]["build"] in [".", {"context": "."}]


def test_dockerfile_default_command_runs_gunicorn_with_the_wsgi_application():
    cmd = next(rest for keyword, rest in _dockerfile_instructions() if keyword == "CMD")
    command = json.loads(cmd)
    assert command[0] == "gunicorn"
    assert "meetingops.wsgi:application" in command


@pytest.mark.parametrize("path", ["manage.py", "templates", "static", "locale"])
def test_dockerfile_copies_what_the_project_reads_at_run_time(path):
    sources = set()
    for keyword, rest in _dockerfile_instructions():
        if keyword == "COPY":
            args = [arg for arg in shlex.split(rest) if not arg.startswith("--")]
            sources.update(arg.removeprefix("./").rstrip("/") for arg in args[:-1])
    assert path in sources


def test_dockerfile_runs_as_a_non_root_user():
    users = [rest for keyword, rest in _dockerfile_instructions() if keyword == "USER"]
    assert users
    assert users[-1].partition(":")[0] not in {"root", "0"}


def test_dockerfile_var_dir_is_where_compose_mounts_volumes(app_env):
    assert _dockerfile_env()["VAR_DIR"] == app_env["VAR_DIR"]


def test_dockerfile_build_only_secret_key_passes_the_production_check():
    key = re.search(r"SECRET_KEY=(\S+)", _collectstatic_run()).group(1)
    assert config.check_secret_key("SECRET_KEY", key) == key


def test_dockerfile_does_not_leave_a_secret_key_in_the_image():
    assert "SECRET_KEY" not in _dockerfile_env()
