"""Schedule the reminders (BK-12): every minute, the worker sends those due. Upserted by
name: created when missing; when a job of that name exists its task is set (so a renamed
task keeps running) and IT's edits of its schedule and its switch are kept."""

from django.db import migrations

from meetingops.schedules import job_upsert

NAME = "bookings: send the reminders due, every minute"
TASK = "bookings.tasks.reminders_send"


def schedule(apps, schema_editor):
    job_upsert(apps, name=NAME, task=TASK, every_minutes=1)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0016_participants_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
