"""BK-3 at night: beat runs the double-booking check, and IT is emailed of what it finds,
by ids alone (SE-5: IT may not see the meetings)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from bookings.models import Occurrence
from bookings.tasks import overlaps_check_task
from meetingops.celery import app
from security import roles
from tests.bookings.conftest import at, book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TASK = "bookings.tasks.overlaps_check"


def _schedule_migration():
    """The migration that schedules the check, found by its name (not its number)."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    (migration,) = (
        m
        for (label, name), m in loader.disk_migrations.items()
        if label == "bookings" and name.endswith("_overlaps_check_schedule")
    )
    return migration


@pytest.fixture
def it_desk(settings):
    settings.IT_ALERT_EMAILS = ["it-desk@example.com"]
    UserFactory(email="it.member@example.com", groups=[roles.IT])


@pytest.fixture
def double_booking(room, organizer):
    """Two bookings of one room at the same hour, written behind the services' back.
    On PostgreSQL the exclusion constraint refuses that write, so it is dropped inside
    the test's transaction (DDL is transactional there: the rollback restores it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE bookings_occurrence DROP CONSTRAINT occurrence_no_overlap")
    first = book(organizer, room, at(2, "10:00"), at(2, "11:00"), topic="Secret merger talks")
    second = book(organizer, room, at(3, "10:00"), at(3, "11:00"), topic="Layoff planning")
    Occurrence.objects.filter(booking=second).update(
        start=at(2, "10:30"), end=at(2, "11:30"), occupied_from=at(2, "10:30")
    )
    return first, second


def test_the_migration_schedules_the_check_nightly():
    task = PeriodicTask.objects.select_related("crontab").get(task=TASK)

    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "3", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert TASK in app.tasks  # beat would otherwise send a name no worker knows


def test_running_the_migration_again_keeps_what_it_edited_in_admin():
    from django.apps import apps

    task = PeriodicTask.objects.get(task=TASK)
    later = CrontabSchedule.objects.create(minute="15", hour="4")
    PeriodicTask.objects.filter(pk=task.pk).update(enabled=False, crontab=later)

    _schedule_migration().operations[0].code(apps, None)

    assert PeriodicTask.objects.filter(task=TASK).count() == 1
    again = PeriodicTask.objects.get(task=TASK)
    assert (again.pk, again.enabled, again.crontab_id) == (task.pk, False, later.pk)


def test_a_double_booking_is_mailed_to_it_by_ids_without_topics(it_desk, double_booking, settings):
    settings.LANGUAGE_CODE = "en"  # the language of recipients who chose none
    first, second = double_booking
    room_id = first.occurrences.get().room_id

    result = overlaps_check_task.apply().get()

    assert result == {"ok": False, "overlaps": 1, "mailed": 1}
    (message,) = mail.outbox
    assert set(message.to) == {"it-desk@example.com", "it.member@example.com"}
    first_meeting, second_meeting = first.occurrences.get(), second.occurrences.get()
    assert message.subject == "[MeetingOps] Double bookings found: 1"
    assert (
        f"- Room {room_id}: meeting {first_meeting.pk} of booking {first.pk} and meeting "
        f"{second_meeting.pk} of booking {second.pk}\n" in message.body
    )
    assert "What to do: for each pair, open both bookings in admin" in message.body
    for secret in ("Secret merger talks", "Layoff planning", first.organizer.email):
        assert secret not in message.subject
        assert secret not in message.body


def test_no_double_booking_mails_nobody(it_desk, room, organizer):
    book(organizer, room, at(2, "10:00"), at(2, "11:00"))
    book(organizer, room, at(2, "11:00"), at(2, "12:00"))  # touching is not overlapping

    result = overlaps_check_task.apply().get()

    assert result == {"ok": True, "overlaps": 0, "mailed": 0}
    assert mail.outbox == []


def test_the_command_still_lists_the_pairs_and_fails(double_booking, capsys):
    first, second = double_booking

    with pytest.raises(CommandError, match="1 overlapping pair"):
        call_command("audit_overlaps")

    out = capsys.readouterr().out
    assert f"(booking {first.pk})" in out
    assert f"(booking {second.pk})" in out


def test_the_command_passes_a_clean_database(room, organizer, capsys):
    book(organizer, room)

    call_command("audit_overlaps")

    assert "No room is double-booked." in capsys.readouterr().out
