"""The project's settings plus the bench-only URL (`bench/insert`)."""

from meetingops.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
