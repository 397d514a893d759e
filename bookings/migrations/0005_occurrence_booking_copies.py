"""Occurrences carry copies of their booking's topic, confidentiality and organizer, so
a week's calendar reads one table (BK-9); filled here for the rows that exist. The
organizer becomes required in 0006: PostgreSQL refuses to alter a table with the fill's
deferred foreign-key checks still pending in the same transaction."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    Occurrence = apps.get_model("bookings", "Occurrence")
    booking = Booking.objects.filter(pk=OuterRef("booking_id"))
    Occurrence.objects.update(
        topic=Subquery(booking.values("topic")[:1]),
        confidential=Subquery(booking.values("confidential")[:1]),
        organizer_id=Subquery(booking.values("organizer_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0004_booking_suspension"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="occurrence",
            name="confidential",
            field=models.BooleanField(default=False, editable=False, verbose_name="confidential"),
        ),
        migrations.AddField(
            model_name="occurrence",
            name="topic",
            field=models.CharField(default="", editable=False, max_length=200, verbose_name="topic"),
        ),
        migrations.AddField(
            model_name="occurrence",
            name="organizer",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="organizer",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
