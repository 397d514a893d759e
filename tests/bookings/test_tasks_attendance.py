"""BK-13's every-minute job: scheduled by migration (upserted by name, its label in
admin), idempotent when run twice, and safe with two workers at once on PostgreSQL (one
no-show, one report, however the runs interleave)."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import translation
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from bookings import services
from bookings.models import AttendanceReport, Occurrence, Participant
from bookings.providers import AttendanceRecord
from bookings.services.attendance import meetings_close_due, participant_sign_in
from bookings.tasks import meetings_close_due_task
from meetingops.celery import app
from meetingops.schedules import job_label
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.factories import ProviderFactory, RoomFactory, UserFactory

TASK = "bookings.tasks.meetings_close_due"
NAME = "bookings: no-shows, completed meetings and attendance, every minute"


def _migration():
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    (migration,) = (
        m
        for (label, name), m in loader.disk_migrations.items()
        if label == "bookings" and name.endswith("_signin_attendance")
    )
    return migration


@pytest.mark.django_db
def test_the_migration_schedules_the_job_every_minute_with_its_label():
    task = PeriodicTask.objects.select_related("interval").get(name=NAME)
    assert (task.task, task.enabled) == (TASK, True)
    assert (task.interval.every, task.interval.period) == (1, "minutes")
    assert TASK in app.tasks
    with translation.override("en"):
        assert job_label(NAME) == "No-shows, completed meetings and attendance, every minute"


@pytest.mark.django_db
def test_the_migration_upserts_by_name_and_keeps_what_it_edited_in_admin():
    from django.apps import apps

    task = PeriodicTask.objects.get(name=NAME)
    every_five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.filter(pk=task.pk).update(
        task="bookings.tasks.old_name", enabled=False, interval=every_five
    )
    _migration().operations[-1].code(apps, None)

    again = PeriodicTask.objects.get(name=NAME)
    assert (again.pk, again.task, again.enabled, again.interval_id) == (
        task.pk,
        TASK,
        False,
        every_five.pk,
    )


def _meeting(organizer, approver, room, invitee=None):
    booking = book(
        organizer,
        room,
        start=at(2, "17:00"),
        end=at(2, "18:00"),
        attendee_users=[invitee] if invitee else [],
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.meeting_code = "812345678"
    booking.save(update_fields=["meeting_code"])
    return booking


@pytest.mark.django_db
def test_the_task_run_twice_moves_each_meeting_once(organizer, approver, room, policy):
    booking = _meeting(organizer, approver, room)
    with time_machine.travel(at(2, "17:11"), tick=False):
        first = meetings_close_due_task.apply().get()
        second = meetings_close_due_task.apply().get()
    assert first == {"no_shows": 1, "completed": 0, "reconciled": 0}
    assert second == {"no_shows": 0, "completed": 0, "reconciled": 0}
    assert booking.occurrences.get().status == "no_show"


class BarrierClient:
    """A provider that lets both workers in before answering either: they read the
    list at once, then race to write."""

    def __init__(self, barrier, records) -> None:
        self.barrier, self.records = barrier, records

    def participants(self, meeting, *, occurrence_key=""):
        self.barrier.wait(timeout=20)
        return self.records


def _two_workers_at(moment, client):
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with time_machine.travel(moment, tick=False):
                meetings_close_due(client_for=lambda provider: client)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_make_one_no_show():
    organizer = UserFactory(name="Olga Organizer")
    approver = UserFactory(is_staff=True, groups=["Approvers"])
    provider = ProviderFactory(name="Tencent Meeting", kind="tencent", base_url="")
    booking = _meeting(organizer, approver, RoomFactory(provider=provider))

    _two_workers_at(at(2, "17:11"), BarrierClient(threading.Barrier(2), []))

    assert booking.occurrences.get().status == "no_show"
    assert AuditEvent.objects.filter(action="booking.no_show").count() == 1
    assert AuditEvent.objects.filter(action="occurrence.no_show_noted").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_reconcile_a_meeting_once():
    organizer = UserFactory(name="Olga Organizer")
    approver = UserFactory(is_staff=True, groups=["Approvers"])
    provider = ProviderFactory(name="Tencent Meeting", kind="tencent", base_url="")
    booking = _meeting(organizer, approver, RoomFactory(provider=provider))
    with time_machine.travel(at(2, "17:00"), tick=False):
        row = Participant.objects.get(booking=booking)
        participant_sign_in(participant=row, actor=organizer, via="page")
    records = [
        AttendanceRecord(
            name="Olga", email=organizer.email, joined_at=at(2, "17:00"), left_at=at(2, "18:00")
        )
    ]
    with time_machine.travel(at(2, "18:00"), tick=False):
        meetings_close_due(client_for=lambda provider: None)  # completed, list not yet read
    assert booking.occurrences.get().status == Occurrence.Status.COMPLETED

    _two_workers_at(at(2, "18:10"), BarrierClient(threading.Barrier(2), records))

    assert AttendanceReport.objects.count() == 1
    assert AuditEvent.objects.filter(action="booking.attendance_reconciled").count() == 1
    row.refresh_from_db()
    assert (row.attendance, row.minutes_attended) == ("present", 60)
