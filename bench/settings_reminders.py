"""The project's settings with bench/reminders.py's counting email backend."""

from meetingops.settings import *  # noqa: F403

EMAIL_BACKEND = "bench.reminders.CountingBackend"
