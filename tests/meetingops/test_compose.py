"""docker-compose.yml and the Dockerfile hold together (X-4). Compose itself proves the
file (`docker compose config`, or Debian's `docker-compose config`, neither needs an
engine). The other tests guard the mistakes compose cannot see: a variable the
project does not read or a value it refuses, a service started before the schema or
the database is ready, a health check that cannot pass, data off its volume, a secret
in the file or the image."""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
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


def _compose_command() -> list[str] | None:
    """The Compose plugin where Docker has it, else Debian's standalone docker-compose."""
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def _compose_config(tmp_path: Path, **shell: str) -> subprocess.CompletedProcess[str]:
    """`compose config` on a copy of the file, in a folder without a .env file and
    with nothing set in the shell but `shell`, so that only the file's own values count."""
    command = _compose_command()
    if command is None:
        message = (
            "neither `docker compose` (the plugin) nor `docker-compose` is installed; "
            ".ci/run installs Debian's docker-compose"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **shell}
    return subprocess.run(
        [*command, "--file", str(tmp_path / "docker-compose.yml"), "config"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


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


# -- compose's own verdict ------------------------------------------------------------------


def test_compose_accepts_the_file_and_resolves_the_environment_these_tests_read(tmp_path, services):
    result = _compose_config(tmp_path, SECRET_KEY=REQUIRED_VALUE)

    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    assert set(resolved) == set(services)
    for name, service in services.items():
        ours = {k: _interpolate(v) for k, v in _environment(service).items()}
        assert _environment(resolved[name]) == ours, name


def test_compose_refuses_to_start_without_a_secret_key(tmp_path):
    result = _compose_config(tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# -- every service has what it needs to start -----------------------------------------------


def test_every_service_has_an_image_or_a_build_and_app_services_build_this_project(services):
    assert all("image" in s or "build" in s for s in services.values())
    assert all(services[name]["build"] in [".", {"context": "."}] for name in APP_SERVICES)


def test_a_service_waited_on_as_healthy_has_a_healthcheck_and_as_completed_runs_once(services):
    for name, service in services.items():
        for target, rule in (service.get("depends_on") or {}).items():
            if rule["condition"] == "service_healthy":
                assert services[target]["healthcheck"]["test"], (name, target)
            elif rule["condition"] == "service_completed_successfully":
                assert services[target]["restart"] == "no", (name, target)


@pytest.mark.parametrize("name", LONG_RUNNING_APP_SERVICES)
def test_app_service_starts_after_migrations_and_healthy_backing_services(services, name):
    depends_on = services[name]["depends_on"]
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_migrate_applies_the_migrations_once_the_database_is_healthy(services):
    assert _command(services["migrate"]) == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_web_serves_the_wsgi_application_on_the_port_it_publishes(services):
    command = _command(services["web"])
    assert command[0] == "gunicorn"
    assert "meetingops.wsgi:application" in command
    port = command[command.index("--bind") + 1].rpartition(":")[2]
    assert f"{port}:{port}" in services["web"]["ports"]


def test_beat_uses_the_database_scheduler_of_the_settings(services):
    command = _command(services["beat"])
    assert command[command.index("--scheduler") + 1] == settings.CELERY_BEAT_SCHEDULER


# -- the environment is one the project reads and accepts -----------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_app_variable_is_one_the_project_reads(services, name):
    assert set(_environment(services[name])) - set(config.VARIABLES) == set()


def test_app_services_share_one_environment(services):
    environments = [_environment(services[name]) for name in APP_SERVICES]
    assert all(environment == environments[0] for environment in environments)


def test_config_accepts_the_app_environment_and_runs_without_debug(loaded):
    assert loaded.debug is False


def test_database_url_is_the_database_user_and_password_postgres_creates(app_env, postgres_env):
    url = urlsplit(app_env["DATABASE_URL"])
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert (url.path.lstrip("/"), url.username, url.password) == (
        postgres_env["POSTGRES_DB"],
        postgres_env["POSTGRES_USER"],
        postgres_env["POSTGRES_PASSWORD"],
    )


def test_redis_url_points_at_the_redis_service(app_env):
    assert urlsplit(app_env["REDIS_URL"]).hostname == "redis"


def test_web_healthcheck_requests_healthz_over_plain_http_on_an_allowed_host(services, loaded):
    check = " ".join(services["web"]["healthcheck"]["test"])
    url = urlsplit(re.search(r"https?://[^'\"\s]+", check).group(0))
    assert url.path == "/healthz"
    assert url.hostname in loaded.allowed_hosts
    # Redirected to https, which nothing in the file serves, the check would never pass.
    assert url.scheme == "http"
    assert loaded.secure_ssl_redirect is False


# -- data stays on volumes ------------------------------------------------------------------


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


def test_dockerfile_var_dir_is_where_compose_mounts_volumes(app_env):
    assert _dockerfile_env()["VAR_DIR"] == app_env["VAR_DIR"]


# -- no secret in the file or the image ------------------------------------------------------


def test_secret_key_must_be_given_to_compose(services):
    assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", _environment(services["web"])["SECRET_KEY"])


def test_dockerfile_does_not_leave_a_secret_key_in_the_image():
    assert "SECRET_KEY" not in _dockerfile_env()


def test_dockerfile_build_only_secret_key_passes_the_production_check():
    runs = [rest for keyword, rest in _dockerfile_instructions() if keyword == "RUN"]
    collectstatic = next(run for run in runs if "collectstatic" in run)
    key = re.search(r"SECRET_KEY=(\S+)", collectstatic).group(1)
    assert config.check_secret_key("SECRET_KEY", key) == key


# -- the image has what the project reads at run time ------------------------------------------


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
