"""BK-13: a meeting's reconciled attendance (AttendanceReport), and the every-minute job
that turns meetings into no-shows and completed ones and reconciles their attendance
(bookings.tasks.meetings_close_due).

The job is upserted by name: created with its schedule if missing; if a job of that
name exists, only its task is brought up to date, and its schedule and whether it is
enabled stay as IT set them in admin."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from meetingops.schedules import job_upsert

NAME = "bookings: no-shows, completed meetings and attendance, every minute"
TASK = "bookings.tasks.meetings_close_due"


def schedule(apps, schema_editor):
    job_upsert(apps, name=NAME, task=TASK, every_minutes=1)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0017_reminders_send_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="AttendanceReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(choices=[("provider", "The provider's participant list and the sign-ins"), ("sign_in", "The sign-ins"), ("provider_failed", "The sign-ins (the provider could not be reached)")], max_length=20, verbose_name="from")),
                ("reconciled_at", models.DateTimeField(verbose_name="reconciled at")),
                ("unknown_joiners", models.JSONField(blank=True, default=list, verbose_name="unknown joiners")),
                ("provider_error", models.CharField(blank=True, max_length=255, verbose_name="provider error")),
                ("occurrence", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="attendance_report", to="bookings.occurrence", verbose_name="meeting")),
            ],
            options={"verbose_name": "attendance report", "verbose_name_plural": "attendance reports"},
        ),
        migrations.RunPython(schedule, migrations.RunPython.noop),
    ]  # fmt: skip
