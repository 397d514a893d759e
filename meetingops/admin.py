"""Scheduled jobs in admin (django-celery-beat's own admin, re-registered): every save
and action goes through `meetingops.schedules`, so each change is audited; nothing is
deleted there (disable a job instead)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from meetingops import schedules
from meetingops.admin_display import LabelledDateTimesMixin, YesNoColumnsMixin
from meetingops.errors import ApplicationError
from meetingops.models import Heartbeat, Silence

for _model in (PeriodicTask, CrontabSchedule, IntervalSchedule, SolarSchedule, ClockedSchedule):
    admin.site.unregister(_model)


def _form_values(form, obj: models.Model, names) -> dict[str, Any]:
    """Those of `names` that are model fields, as the form has set them on `obj`."""
    fields = {f.name for f in obj._meta.concrete_fields}
    return {name: getattr(obj, name) for name in names if name in fields}


class ServiceSavedAdmin:
    """Mix in before a ModelAdmin that defines `created(actor, values)` and
    `changed(obj, actor, values)`, each calling its service. The service saves and
    audits in save_form, where admin takes the object it goes on with (its history
    entry, the redirect, a popup's answer), so that object is the one saved."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a schedule takes its jobs with it; a job is disabled instead

    def save_form(self, request, form, change):
        obj = form.save(commit=False)
        if change:
            # Only what this form changed: a field someone else saved meanwhile stays.
            return self.changed(obj, request.user, _form_values(form, obj, self.edited(form)))
        return self.created(request.user, _form_values(form, obj, form.fields))

    def edited(self, form) -> set[str]:
        return set(form.changed_data)

    def save_model(self, request, obj, form, change) -> None:
        """Saved by the service, in save_form."""


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(
    LabelledDateTimesMixin, YesNoColumnsMixin, ServiceSavedAdmin, beat_admin.PeriodicTaskAdmin
):
    actions = ("enable_tasks", "disable_tasks", "toggle_tasks", "run_tasks")
    list_display = ("job", *beat_admin.PeriodicTaskAdmin.list_display[1:])

    @admin.display(description=_("job"), ordering="name")
    def job(self, obj: PeriodicTask) -> str:
        """The job's name in the reader's language where it is one of ours."""
        return schedules.job_label(obj.name)

    def edited(self, form) -> set[str]:
        # The form's "registered task" list sets the model's `task` (beat's form.clean).
        edited = super().edited(form)
        return edited | {"task"} if "regtask" in edited else edited

    def created(self, actor, values: dict[str, Any]) -> PeriodicTask:
        return schedules.periodic_task_create(actor=actor, values=values)

    def changed(self, obj: PeriodicTask, actor, values: dict[str, Any]) -> PeriodicTask:
        return schedules.periodic_task_update(task=obj, actor=actor, changes=values)

    def _each(
        self,
        request,
        queryset,
        service: Callable[[PeriodicTask], Any],
        done: Callable[[int], str],
    ) -> None:
        count = 0
        for task in queryset.order_by("pk"):
            try:
                service(task)
            except ApplicationError as error:
                self.message_user(
                    request,
                    _("%(task)s: %(error)s") % {"task": task.name, "error": error.detail},
                    level=messages.ERROR,
                )
            else:
                count += 1
        if count:
            self.message_user(request, done(count), level=messages.SUCCESS)

    @admin.action(permissions=["change"], description=_("Enable selected jobs"))
    def enable_tasks(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            lambda task: schedules.periodic_task_enable(task=task, actor=request.user),
            lambda n: (
                ngettext("%(count)d job enabled.", "%(count)d jobs enabled.", n) % {"count": n}
            ),
        )

    @admin.action(permissions=["change"], description=_("Disable selected jobs"))
    def disable_tasks(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            lambda task: schedules.periodic_task_disable(task=task, actor=request.user),
            lambda n: (
                ngettext("%(count)d job disabled.", "%(count)d jobs disabled.", n) % {"count": n}
            ),
        )

    @admin.action(
        permissions=["change"], description=_("Enable the disabled and disable the enabled")
    )
    def toggle_tasks(self, request, queryset) -> None:
        def toggle(task: PeriodicTask) -> PeriodicTask:
            if task.enabled:
                return schedules.periodic_task_disable(task=task, actor=request.user)
            return schedules.periodic_task_enable(task=task, actor=request.user)

        self._each(
            request,
            queryset,
            toggle,
            lambda n: (
                ngettext("%(count)d job switched.", "%(count)d jobs switched.", n) % {"count": n}
            ),
        )

    @admin.action(permissions=["change"], description=_("Run selected jobs now"))
    def run_tasks(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            lambda task: schedules.periodic_task_run(task=task, actor=request.user),
            lambda n: (
                ngettext(
                    "%(count)d job sent to the worker.", "%(count)d jobs sent to the worker.", n
                )
                % {"count": n}
            ),
        )


class ScheduleAdmin(ServiceSavedAdmin):
    def created(self, actor, values: dict[str, Any]) -> models.Model:
        return schedules.schedule_create(model=self.model, actor=actor, values=values)

    def changed(self, obj: models.Model, actor, values: dict[str, Any]) -> models.Model:
        return schedules.schedule_update(schedule=obj, actor=actor, changes=values)


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(ScheduleAdmin, beat_admin.CrontabScheduleAdmin):
    pass


@admin.register(IntervalSchedule)
class IntervalScheduleAdmin(ScheduleAdmin, beat_admin.IntervalScheduleAdmin):
    pass


@admin.register(SolarSchedule)
class SolarScheduleAdmin(ScheduleAdmin, beat_admin.SolarScheduleAdmin):
    pass


@admin.register(ClockedSchedule)
class ClockedScheduleAdmin(LabelledDateTimesMixin, ScheduleAdmin, beat_admin.ClockedScheduleAdmin):
    pass


class _ReadOnly(admin.ModelAdmin):
    """The watchdog's rows are the processes' own and the web's: IT reads them only."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(_ReadOnly):
    """Each background process and when it was last heard (issue 10 item 8)."""

    list_display = ("kind", "name", "started_at", "seen_at")
    list_filter = ("kind",)


@admin.register(Silence)
class SilenceAdmin(_ReadOnly):
    """Each silence the watchdog noticed, when IT was told and when it ended."""

    list_display = ("kind", "since", "noticed_at", "alerted_at", "ended_at")
    list_filter = ("kind",)
