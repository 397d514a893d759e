"""BK-11: the organizer's digest of answers (AnswerDigest), and the every-minute job
that sends the due ones, upserted by name (as bookings/0017): the schedule is IT's to
edit in admin afterwards."""

import django.db.models.deletion
from django.db import migrations, models

from meetingops.schedules import job_upsert

NAME = "bookings: send the organizers' digests of answers, every minute"
TASK = "bookings.tasks.answer_digests_send"


def schedule(apps, schema_editor):
    job_upsert(apps, name=NAME, task=TASK, every_minutes=1)


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0019_remote_provider_accounts'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='AnswerDigest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('occurrence_ids', models.JSONField(default=list, verbose_name='meetings')),
                ('due_at', models.DateTimeField(verbose_name='due at')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('booking', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answer_digests', to='bookings.booking', verbose_name='booking')),
            ],
            options={
                'verbose_name': 'answers digest',
                'verbose_name_plural': 'answers digests',
                'ordering': ['due_at', 'pk'],
                'indexes': [models.Index(condition=models.Q(('sent_at__isnull', True)), fields=['due_at'], name='answer_digest_due_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('sent_at__isnull', True)), fields=('booking',), name='answer_digest_open_once')],
            },
        ),
        migrations.RunPython(schedule, migrations.RunPython.noop),
    ]
