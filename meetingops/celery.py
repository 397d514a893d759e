"""The Celery app (X-3). Configured from Django's settings (CELERY_*): Redis when
REDIS_URL is set, else the file-system broker under var/celery that needs no server."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import task_failure

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


@task_failure.connect
def _report_failed_task(sender=None, task_id=None, exception=None, **_kwargs) -> None:
    """X-3: a job that keeps failing is reported. Celery sends task_failure once a task
    raises for good: after its last retry, or at once when it is not retried."""
    from oversight.services import task_failure_report

    task_failure_report(
        task_name=getattr(sender, "name", str(sender)),
        task_id=task_id,
        error=exception,
        retries=getattr(getattr(sender, "request", None), "retries", 0) or 0,
    )
