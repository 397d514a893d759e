"""The beat scheduler MeetingOps runs (CELERY_BEAT_SCHEDULER): django-celery-beat's
DatabaseScheduler, which also leaves a heartbeat on its tick (the watchdog,
`meetingops.watchdog`). The tick runs at least every few seconds (the scheduler's
max_interval), whatever the schedules, so a beat that is alive is heard."""

from __future__ import annotations

import logging
import time

from django.db import close_old_connections, connection
from django_celery_beat.schedulers import DatabaseScheduler

from meetingops import watchdog

logger = logging.getLogger(__name__)


class WatchedScheduler(DatabaseScheduler):
    _heard_at = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._heard_at >= watchdog.HEARTBEAT_SECONDS:
            self._heard_at = now
            try:
                if not connection.in_atomic_block:  # never someone's transaction
                    close_old_connections()  # one the database dropped meanwhile
                watchdog.heartbeat_record(kind="scheduler", name=watchdog.process_name("beat"))
            except Exception:  # the schedule must go on even when the write fails
                logger.exception("The scheduler could not leave its heartbeat")
        return super().tick(*args, **kwargs)
