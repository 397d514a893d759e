"""The Celery app (X-3). Configured from Django's settings (CELERY_*): Redis when
REDIS_URL is set, else the file-system broker under var/celery that needs no server."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetingops.settings")

app = Celery("meetingops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_BROKER_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_finalize.connect
def _make_broker_folders(sender: Celery, **_kwargs) -> None:
    """The file-system transport expects its folders to exist, in every process that
    sends or receives (web, worker, beat)."""
    options = sender.conf.broker_transport_options or {}
    for key in _BROKER_FOLDERS:
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
