"""Schedule the reminders (BK-12): every minute, the worker sends those due. Upserted by
name: created when missing; when a job of that name exists its task is set (so a renamed
task keeps running) and IT's edits of its schedule and its switch are kept."""

from django.db import migrations

NAME = "bookings: send the reminders due, every minute"
TASK = "bookings.tasks.reminders_send"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    existing = PeriodicTask.objects.filter(name=NAME).first()
    if existing is not None:
        if existing.task != TASK:
            existing.task = TASK
            existing.save(update_fields=["task"])
        return
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.create(name=NAME, task=TASK, interval=every_minute, enabled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0016_participants_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
