"""Schedule the nightly double-booking check (BK-3), after the audit chain's at 02:30.
Created by name if missing, never overwritten: the schedule is IT's to edit in admin
afterwards."""

from django.conf import settings
from django.db import migrations

NAME = "bookings: check that no room is double-booked, nightly"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.TIME_ZONE,
    )  # fmt: skip
    PeriodicTask.objects.create(
        name=NAME, task="bookings.tasks.overlaps_check", crontab=crontab, enabled=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0012_booking_pending_queue_start"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
