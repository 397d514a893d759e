"""The watchdog's rows (X-3, issue 10 item 8): each background process's last sign of
life, and each silence the web process noticed, so that IT is told once per silence."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last moment one process of the background was heard: the beat scheduler, or
    one Celery worker (by its node name). Written by the process itself every
    `meetingops.watchdog.HEARTBEAT_SECONDS`, read by the web process."""

    class Kind(models.TextChoices):
        SCHEDULER = "scheduler", _("Scheduler")
        WORKER = "worker", _("Worker")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last heard at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
        ordering = ["kind", "-seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="heartbeat_once"),
        ]
        indexes = [models.Index(fields=["kind", "seen_at"], name="heartbeat_kind_seen_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class Silence(models.Model):
    """A silence of the scheduler, or of every worker, as the web process noticed it:
    open (`ended_at` empty) while it lasts, one open per kind (the database says so, so
    that two web processes noticing at once write one), `alerted_at` once IT is told."""

    class Kind(models.TextChoices):
        SCHEDULER = "scheduler", _("The scheduler")
        WORKERS = "workers", _("Every worker")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The last heartbeat before it; empty when none was ever heard.
    since = models.DateTimeField(_("silent since"), null=True, blank=True)
    noticed_at = models.DateTimeField(_("noticed at"))
    alerted_at = models.DateTimeField(_("IT alerted at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("silence")
        verbose_name_plural = _("silences")
        ordering = ["-noticed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(ended_at__isnull=True), name="silence_open_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} silent since {self.since or self.noticed_at}"
