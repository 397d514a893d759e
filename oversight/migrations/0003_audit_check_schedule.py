"""Schedule the nightly audit chain check. Created by name if missing, never overwritten:
the schedule is IT's to edit in admin afterwards."""

from django.conf import settings
from django.db import migrations

NAME = "oversight: verify the audit chain nightly"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.create(
        name=NAME, task="oversight.tasks.audit_chain_verify", crontab=crontab, enabled=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0002_audit_append_only"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
