"""Scheduled jobs in admin (django-celery-beat): enabling, disabling and editing a job
or its schedule goes through meetingops.schedules and leaves one audit event with the
old and new values (OV-1); only IT may; nothing is deleted."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from meetingops import schedules
from meetingops.errors import PermissionDeniedError
from oversight.models import AuditEvent
from security import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:django_celery_beat_periodictask_changelist"
CHANGE = "admin:django_celery_beat_periodictask_change"


@pytest.fixture
def it_user():
    return UserFactory(email="it@example.com", is_staff=True, groups=[roles.IT])


@pytest.fixture
def it_client(client, it_user):
    client.force_login(it_user)
    return client


@pytest.fixture
def nightly():
    crontab = CrontabSchedule.objects.create(minute="0", hour="1", timezone="Asia/Shanghai")
    return PeriodicTask.objects.create(
        name="nightly test job",
        task="oversight.tasks.audit_chain_verify",
        crontab=crontab,
        kwargs='{"token": "s3cret"}',
    )


def _fields(form) -> dict[str, str]:
    data: dict[str, str] = {}
    for bound in form:
        widget, value = bound.field.widget, bound.value()
        if isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(widget, MultiWidget):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


def _form_data(response) -> dict[str, str]:
    """What the browser posts back for the change form as the page shows it."""
    data = _fields(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data |= _fields(inline.formset.management_form)
        for form in inline.formset.forms:
            data |= _fields(form)
    return data


def _post_change(client, task: PeriodicTask, **edits):
    url = reverse(CHANGE, args=[task.pk])
    data = _form_data(client.get(url)) | edits
    if edits.get("enabled") is False:
        del data["enabled"]
    return client.post(url, data)


def _events(action_prefix: str = ""):
    return list(
        AuditEvent.objects.filter(action__startswith=action_prefix or "periodictask.").order_by(
            "seq"
        )
    )


@pytest.mark.parametrize(
    ("action", "enabled_before", "audited"),
    [
        ("disable_tasks", True, "periodictask.disabled"),
        ("enable_tasks", False, "periodictask.enabled"),
        ("toggle_tasks", True, "periodictask.disabled"),
        ("toggle_tasks", False, "periodictask.enabled"),
    ],
)
def test_the_list_action_switches_the_job_and_audits_it_once(
    it_client, it_user, nightly, action, enabled_before, audited
):
    PeriodicTask.objects.filter(pk=nightly.pk).update(enabled=enabled_before)

    response = it_client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [nightly.pk]}
    )

    assert response.status_code == 302
    nightly.refresh_from_db()
    assert nightly.enabled is not enabled_before
    (event,) = _events()
    assert (event.action, event.actor, event.target_id) == (audited, it_user, str(nightly.pk))
    assert event.target_type.endswith("periodictask")
    assert event.data == {
        "changes": {"enabled": {"old": enabled_before, "new": not enabled_before}}
    }


@pytest.mark.parametrize(
    ("enabled_before", "audited"),
    [(True, "periodictask.disabled"), (False, "periodictask.enabled")],
)
def test_the_change_form_switches_the_job_and_audits_it_once(
    it_client, it_user, nightly, enabled_before, audited
):
    PeriodicTask.objects.filter(pk=nightly.pk).update(enabled=enabled_before)

    response = _post_change(it_client, nightly, enabled=not enabled_before)

    assert response.status_code == 302, response.context["adminform"].form.errors
    nightly.refresh_from_db()
    assert nightly.enabled is not enabled_before
    (event,) = _events()
    assert (event.action, event.actor) == (audited, it_user)
    assert event.data == {
        "changes": {"enabled": {"old": enabled_before, "new": not enabled_before}}
    }


def test_moving_the_job_to_another_schedule_is_audited_with_both(it_client, nightly):
    later = CrontabSchedule.objects.create(minute="30", hour="4", timezone="Asia/Shanghai")
    before = CrontabSchedule.objects.get(pk=nightly.crontab_id)

    response = _post_change(it_client, nightly, crontab=str(later.pk), description="after backups")

    assert response.status_code == 302, response.context["adminform"].form.errors
    nightly.refresh_from_db()
    assert nightly.crontab_id == later.pk
    (event,) = _events()
    assert event.action == "periodictask.changed"
    assert event.data == {
        "changes": {
            "crontab": {
                "old": {"id": before.pk, "label": str(before)},
                "new": {"id": later.pk, "label": str(later)},
            },
            "description": {"old": "", "new": "after backups"},
        }
    }


def test_saving_the_form_unchanged_audits_nothing(it_client, nightly):
    response = _post_change(it_client, nightly)

    assert response.status_code == 302
    assert _events() == []


def test_a_jobs_arguments_are_recorded_as_changed_never_their_values(it_client, nightly):
    response = _post_change(it_client, nightly, kwargs='{"token": "n3w-s3cret"}')

    assert response.status_code == 302, response.context["adminform"].form.errors
    nightly.refresh_from_db()
    assert nightly.kwargs == '{"token": "n3w-s3cret"}'
    (event,) = _events()
    assert event.data == {"changes": {"kwargs": {"old": "(not recorded)", "new": "(not recorded)"}}}
    assert "s3cret" not in str(event.data)


def test_editing_a_crontab_is_audited_with_the_jobs_it_moves(client, nightly):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    crontab = nightly.crontab
    url = reverse("admin:django_celery_beat_crontabschedule_change", args=[crontab.pk])
    data = _form_data(client.get(url)) | {"hour": "5"}

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    crontab.refresh_from_db()
    assert crontab.hour == "5"
    (event,) = _events("crontabschedule.")
    assert (event.action, event.actor, event.target_id) == (
        "crontabschedule.changed",
        superuser,
        str(crontab.pk),
    )
    assert event.data["changes"] == {"hour": {"old": "1", "new": "5"}}
    assert event.data["jobs"] == [{"id": nightly.pk, "label": str(nightly)}]


def test_adding_an_interval_is_audited(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:django_celery_beat_intervalschedule_add"),
        {"every": "10", "period": "minutes", "periodictask_set-TOTAL_FORMS": "0",
         "periodictask_set-INITIAL_FORMS": "0"},
    )  # fmt: skip

    assert response.status_code == 302, response.context["adminform"].form.errors
    interval = IntervalSchedule.objects.get(every=10)
    (event,) = _events("intervalschedule.")
    assert event.action == "intervalschedule.created"
    assert event.target_id == str(interval.pk)
    assert event.data == {"values": {"every": 10, "period": "minutes"}}


def test_jobs_and_schedules_cannot_be_deleted_in_admin(client, nightly):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    job = client.post(
        reverse("admin:django_celery_beat_periodictask_delete", args=[nightly.pk]), {"post": "yes"}
    )
    schedule = client.post(
        reverse("admin:django_celery_beat_crontabschedule_delete", args=[nightly.crontab_id]),
        {"post": "yes"},
    )
    listed = client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [nightly.pk], "post": "yes"},
    )

    assert (job.status_code, schedule.status_code) == (403, 403)
    assert listed.status_code == 302  # the action is not offered: "no action selected"
    assert PeriodicTask.objects.filter(pk=nightly.pk).exists()


@pytest.fixture
def approver_client(client):
    client.force_login(UserFactory(is_staff=True, groups=[roles.APPROVERS]))
    return client


def test_a_staff_member_outside_it_can_neither_switch_nor_edit_a_job(approver_client, nightly):
    switched = approver_client.post(
        reverse(CHANGELIST), {"action": "disable_tasks", "_selected_action": [nightly.pk]}
    )
    edited = approver_client.post(reverse(CHANGE, args=[nightly.pk]), {"enabled": ""})

    assert (switched.status_code, edited.status_code) == (403, 403)
    nightly.refresh_from_db()
    assert nightly.enabled
    assert _events() == []


def test_a_reader_of_the_jobs_is_not_offered_the_switches(client, nightly):
    reader = UserFactory(is_staff=True)
    reader.user_permissions.add(
        Permission.objects.get(content_type__app_label="django_celery_beat",
                               codename="view_periodictask")
    )  # fmt: skip
    client.force_login(reader)

    response = client.post(
        reverse(CHANGELIST), {"action": "disable_tasks", "_selected_action": [nightly.pk]}
    )

    assert response.status_code == 200  # "no action selected"
    assert "disable_tasks" not in response.content.decode()
    nightly.refresh_from_db()
    assert nightly.enabled
    assert _events() == []


def test_the_services_refuse_an_actor_outside_it(nightly):
    approver = UserFactory(is_staff=True, groups=[roles.APPROVERS])

    with pytest.raises(PermissionDeniedError) as refused:
        schedules.periodic_task_disable(task=nightly, actor=approver)

    assert refused.value.code == "not_it"
    assert _events() == []


def test_running_a_job_now_is_audited_and_queued_on_commit(
    it_client, it_user, nightly, monkeypatch, django_capture_on_commit_callbacks
):
    from oversight.tasks import audit_chain_verify

    sent = []
    monkeypatch.setattr(audit_chain_verify, "apply_async", lambda **kw: sent.append(kw))

    with django_capture_on_commit_callbacks(execute=True):
        response = it_client.post(
            reverse(CHANGELIST), {"action": "run_tasks", "_selected_action": [nightly.pk]}
        )

    assert response.status_code == 302
    assert sent == [
        {"args": [], "kwargs": {"token": "s3cret"},
         "headers": {"periodic_task_name": "nightly test job"}}
    ]  # fmt: skip
    (event,) = _events()
    assert (event.action, event.actor, event.data) == ("periodictask.run", it_user, {})


def test_a_new_job_is_audited_with_its_values_but_not_its_arguments():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    every_hour = IntervalSchedule.objects.create(every=1, period="hours")

    task = schedules.periodic_task_create(
        actor=superuser,
        values={
            "name": "hourly",
            "task": "oversight.tasks.audit_chain_verify",
            "interval": every_hour,
            "kwargs": '{"password": "pw"}',
        },
    )

    (event,) = _events()
    assert (event.action, event.target_id) == ("periodictask.created", str(task.pk))
    assert event.data == {
        "values": {
            "name": "hourly",
            "task": "oversight.tasks.audit_chain_verify",
            "interval": {"id": every_hour.pk, "label": str(every_hour)},
            "kwargs": "(not recorded)",
        }
    }


def test_a_job_on_two_schedules_is_refused_with_nothing_written(it_user, nightly):
    every_hour = IntervalSchedule.objects.create(every=1, period="hours")

    with pytest.raises(schedules.ScheduleInvalid) as refused:
        schedules.periodic_task_update(
            task=nightly, actor=it_user, changes={"interval": every_hour}
        )

    assert refused.value.code == "schedule_invalid"
    nightly.refresh_from_db()
    assert nightly.interval_id is None
    assert _events() == []
