"""Middleware of the whole site (not of one app)."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

from meetingops import views

logger = logging.getLogger(__name__)


class ApiNotFoundMiddleware:
    """An address under /api/ that names no operation answers the API's JSON 404 even
    with DEBUG on, where Django would show its HTML page of URL patterns instead of
    calling handler404. Only 404s that are not already JSON are replaced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path_info.startswith(views.API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return views.api_not_found(request)
        return response


class WatchdogMiddleware:
    """The watchdog's check (`meetingops.watchdog.watchdog_check`) from the web process,
    which depends on neither the scheduler nor the workers it watches: at most once
    every WATCHDOG_CHECK_SECONDS per process (0: never), on whichever request comes
    first, the health probe's included. One request of a process at a time runs it;
    the others pass. A failing check is logged and never fails the request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._next_at = 0.0
        self._turn = threading.Lock()

    def __call__(self, request):
        every = settings.WATCHDOG_CHECK_SECONDS
        if every and time.monotonic() >= self._next_at and self._turn.acquire(blocking=False):
            try:
                self._next_at = time.monotonic() + every
                from meetingops.watchdog import watchdog_check

                watchdog_check()
            except Exception:
                logger.exception("The watchdog's check failed")
            finally:
                self._turn.release()
        return self.get_response(request)
