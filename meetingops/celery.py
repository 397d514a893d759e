"""The Celery app (X-3). Configured from Django's settings (CELERY_*): Redis when
REDIS_URL is set, else the file-system broker under var/celery that needs no server."""

import logging
import os
from pathlib import Path

from celery import Celery, bootsteps
from celery.signals import task_failure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetingops.settings")

app = Celery("meetingops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class WorkerHeartbeat(bootsteps.StartStopStep):
    """The worker's heartbeat for the watchdog (meetingops.watchdog), from the
    consumer's timer every HEARTBEAT_SECONDS: in the worker's own process, beside the
    tasks rather than through the queue, so a busy queue or a long task does not
    silence it; the consumer stops it when it loses the broker (and starts it again on
    reconnecting), so a worker that cannot take tasks is not heard."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self.timer_entry = None

    def start(self, parent) -> None:
        self._beat(parent.hostname)
        from meetingops.watchdog import HEARTBEAT_SECONDS

        self.timer_entry = parent.timer.call_repeatedly(
            HEARTBEAT_SECONDS, self._beat, (parent.hostname,)
        )

    def stop(self, parent) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    shutdown = stop

    @staticmethod
    def _beat(hostname: str) -> None:
        from django.db import connection

        from meetingops.watchdog import heartbeat_record

        try:
            heartbeat_record(kind="worker", name=hostname)
        except Exception:  # the worker goes on; a silence is the watchdog's to report
            logging.getLogger(__name__).exception("The worker could not leave its heartbeat")
        finally:
            if not connection.in_atomic_block:  # never someone's transaction
                connection.close()  # a timer thread's connection, 30 s idle otherwise


app.steps["consumer"].add(WorkerHeartbeat)

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
