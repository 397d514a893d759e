"""WSGI entry point (gunicorn meetingops.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetingops.settings")

application = get_wsgi_application()

# Import every view now, then exempt what start-up made (Django, DRF, the apps: a few
# hundred thousand objects that live as long as the worker) from the garbage collector.
# Its full collections then walk only what requests made: measured in bench/bookings.py,
# one cost 30 ms before, a spike in every few dozen requests that build many objects.
get_resolver().url_patterns  # noqa: B018
gc.freeze()
