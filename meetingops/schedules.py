"""Scheduled jobs: django-celery-beat's periodic tasks and the schedules they run on
(DESIGN "Work in the background"). They are infrastructure, IT's to enable, disable and
edit in admin; every change goes through these services and is audited with its old
and new values (OV-1). Beat reads the rows as they are saved (its signals mark the
schedule changed), so a change here takes effect at beat's next look.

Jobs and schedules are never deleted: a deleted schedule takes its jobs with it, and the
audit log names them. Disable a job instead."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from kombu.utils.json import loads

from meetingops.errors import ApplicationError, PermissionDeniedError
from oversight import audit
from security.models import User

SCHEDULE_MODELS: tuple[type[models.Model], ...] = (
    CrontabSchedule,
    IntervalSchedule,
    SolarSchedule,
    ClockedSchedule,
)
# A job's arguments and message headers may carry credentials for what it calls: the
# log records that they changed, never what they hold.
VALUES_KEPT_OUT = frozenset({"args", "kwargs", "headers"})
# Written by beat as it runs the jobs, not by people.
KEPT_BY_BEAT = frozenset({"last_run_at", "total_run_count", "date_changed"})


# The jobs the migrations schedule, by the name they are given (data, which beat and
# the migrations find them by), and how admin names them to its reader. A job made in
# admin keeps the name it was given.
JOB_LABELS = {
    "bookings: check that no room is double-booked, nightly": _(
        "Nightly check that no room is double-booked"
    ),
    "bookings: no-shows, completed meetings and attendance, every minute": _(
        "No-shows, completed meetings and attendance, every minute"
    ),
    "oversight: verify the audit chain nightly": _("Nightly check of the audit chain"),
    "bookings: retry providers' meetings that are due": _(
        "Retry the providers' meetings that are overdue"
    ),
    "bookings: send the reminders due, every minute": _("Send the meeting reminders due"),
    "bookings: send the organizers' digests of answers, every minute": _(
        "Organizers' digests of answers to their invitations, every minute"
    ),
    "celery.backend_cleanup": _("Clean up old task results"),
}


def job_upsert(apps, *, name: str, task: str, every_minutes: int) -> None:
    """A data migration's scheduled job, found by its name: created every `every_minutes`
    minutes when missing; when a job of that name exists, only its task is brought up
    to date (a renamed task keeps running), and its schedule and whether it is enabled
    stay as IT set them in admin. `apps`: the migration's historical models."""
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    if task_model.objects.filter(name=name).update(task=task):
        return
    every, _ = interval_model.objects.get_or_create(every=every_minutes, period="minutes")
    task_model.objects.create(name=name, task=task, interval=every, enabled=True)


def job_label(name: str) -> str:
    label = JOB_LABELS.get(name)
    return str(label) if label is not None else name


class ScheduleInvalid(ApplicationError):
    code = "schedule_invalid"


def _require(actor: User, model: type[models.Model], verb: str) -> None:
    opts = model._meta
    if not actor.has_perm(f"{opts.app_label}.{verb}_{opts.model_name}"):
        raise PermissionDeniedError(
            _("Scheduled jobs are the IT department's: ask IT to make this change."),
            code="not_it",
        )


def _plain(value: Any) -> Any:
    """A field's value as the audit log stores it: a schedule by its id and label
    (which say when, never what a job does), times and time zones as text."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "label": str(value)}
    if value is None or isinstance(value, str | int | float | bool | dt.datetime | dt.date):
        return value
    return str(value)


def _shown(name: str, value: Any) -> Any:
    return "(not recorded)" if name in VALUES_KEPT_OUT else _plain(value)


def _editable(model: type[models.Model]) -> set[str]:
    return {
        f.name
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in KEPT_BY_BEAT
    }


def _apply(obj: models.Model, changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set `changes` on `obj`; return the fields that really changed, old and new."""
    unknown = set(changes) - _editable(type(obj))
    if unknown:
        raise ValueError(f"not an editable field of {type(obj).__name__}: {sorted(unknown)}")
    diff: dict[str, dict[str, Any]] = {}
    for name, new in changes.items():
        old = getattr(obj, name)
        if old != new:
            diff[name] = {"old": _shown(name, old), "new": _shown(name, new)}
            setattr(obj, name, new)
    return diff


def _validated(obj: models.Model) -> None:
    """The model's own rules (one schedule kind per job, a unique name, JSON
    arguments), for every caller and not only admin's form."""
    try:
        obj.full_clean()
        if isinstance(obj, PeriodicTask):
            loads(obj.args or "[]")
            loads(obj.kwargs or "{}")
    except ValidationError as error:
        raise ScheduleInvalid(
            _("The scheduled job was not saved: correct the fields named and save it again."),
            fields=error.message_dict if hasattr(error, "error_dict") else None,
        ) from error
    except ValueError as error:
        raise ScheduleInvalid(
            _("A job's arguments must be JSON, such as [] or {}: correct them and save again."),
            fields=["args", "kwargs"],
        ) from error


def _task_action(diff: dict[str, dict[str, Any]]) -> str:
    if set(diff) == {"enabled"}:
        return "periodictask.enabled" if diff["enabled"]["new"] else "periodictask.disabled"
    return "periodictask.changed"


def _create(model, *, actor: User, values: dict[str, Any], shown) -> models.Model:
    """A new job or schedule of `model`, validated, audited as "<model>.created" with
    its values as `shown(name, value)` writes them."""
    _require(actor, model, "add")
    created = model()
    with transaction.atomic():
        _apply(created, values)
        _validated(created)
        created.save()
        audit.record(
            actor=actor,
            action=f"{model._meta.model_name}.created",
            target=created,
            data={"values": {name: shown(name, getattr(created, name)) for name in values}},
        )
    return created


def periodic_task_create(*, actor: User, values: dict[str, Any]) -> PeriodicTask:
    """A new scheduled job, audited with the values it was given."""
    return _create(PeriodicTask, actor=actor, values=values, shown=_shown)


def periodic_task_update(
    *, task: PeriodicTask, actor: User, changes: dict[str, Any]
) -> PeriodicTask:
    """Change a scheduled job's fields (`changes`: field name → new value, schedules as
    model instances). Nothing is written or audited when nothing changes; a change of
    `enabled` alone is recorded as the job enabled or disabled."""
    _require(actor, PeriodicTask, "change")
    with transaction.atomic():
        task = PeriodicTask.objects.select_for_update().get(pk=task.pk)
        diff = _apply(task, changes)
        if not diff:
            return task
        _validated(task)
        task.save()  # disabling also forgets when it last ran (django-celery-beat)
        audit.record(actor=actor, action=_task_action(diff), target=task, data={"changes": diff})
    return task


def periodic_task_enable(*, task: PeriodicTask, actor: User) -> PeriodicTask:
    return periodic_task_update(task=task, actor=actor, changes={"enabled": True})


def periodic_task_disable(*, task: PeriodicTask, actor: User) -> PeriodicTask:
    """The way to stop a job: it stays listed, and its history in the audit log."""
    return periodic_task_update(task=task, actor=actor, changes={"enabled": False})


def periodic_task_run(*, task: PeriodicTask, actor: User) -> None:
    """Run a job now, once, as beat would (its arguments, queue and name), queued when
    the audit event commits."""
    from meetingops.celery import app

    _require(actor, PeriodicTask, "change")
    app.loader.import_default_modules()
    job = app.tasks.get(task.task)
    if job is None:
        raise ApplicationError(
            _("No worker knows the job %(task)s: correct its task name, then run it again.")
            % {"task": task.task},
            code="unknown_task",
        )
    args, kwargs = loads(task.args or "[]"), loads(task.kwargs or "{}")
    options = {"headers": {"periodic_task_name": task.name}}
    if task.queue:
        options["queue"] = task.queue
    with transaction.atomic():
        audit.record(actor=actor, action="periodictask.run", target=task)
        transaction.on_commit(lambda: job.apply_async(args=args, kwargs=kwargs, **options))


def _schedule_model(model: type[models.Model]) -> type[models.Model]:
    if model not in SCHEDULE_MODELS:
        raise ValueError(f"not a beat schedule: {model.__name__}")
    return model


def schedule_create(
    *, model: type[models.Model], actor: User, values: dict[str, Any]
) -> models.Model:
    """A new crontab, interval, solar or clocked schedule, audited."""
    return _create(
        _schedule_model(model), actor=actor, values=values, shown=lambda _name, value: _plain(value)
    )


def schedule_update(
    *, schedule: models.Model, actor: User, changes: dict[str, Any]
) -> models.Model:
    """Change a schedule: every job on it runs at the new times. The event names those
    jobs, so that the log says which ones moved."""
    model = _schedule_model(type(schedule))
    _require(actor, model, "change")
    with transaction.atomic():
        schedule = model.objects.select_for_update().get(pk=schedule.pk)
        diff = _apply(schedule, changes)
        if not diff:
            return schedule
        _validated(schedule)
        schedule.save()
        jobs = PeriodicTask.objects.filter(
            **{model._meta.model_name.removesuffix("schedule"): schedule}
        )
        audit.record(
            actor=actor,
            action=f"{model._meta.model_name}.changed",
            target=schedule,
            data={"changes": diff, "jobs": [_plain(job) for job in jobs.order_by("pk")]},
        )
    return schedule
