from django.db import migrations, models
from django.db.models import Case, F, Value, When


# Each booking's first meeting not replaced by a change, and its first meeting awaiting a
# decision, from its occurrences (services.booking_summary_refresh keeps them from now
# on): one pass over the occurrences, joined, not a lookup per booking (a million
# bookings take seconds, not many minutes). UPDATE ... FROM and FILTER are PostgreSQL's
# and SQLite's (3.33) alike. A booking always has an occurrence; created_at stands in if
# one had none.
FILL = """
UPDATE bookings_booking
SET first_start = firsts.first_start, first_pending_start = firsts.first_pending_start
FROM (
    SELECT booking_id,
           MIN(start) FILTER (WHERE status <> 'superseded') AS first_start,
           MIN(start) FILTER (WHERE status = 'pending') AS first_pending_start
    FROM bookings_occurrence
    GROUP BY booking_id
) AS firsts
WHERE firsts.booking_id = bookings_booking.id
"""
FILL_LEFT = "UPDATE bookings_booking SET first_start = created_at WHERE first_start IS NULL"


class Migration(migrations.Migration):
    dependencies = [("bookings", "0010_notification_claims")]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="first_start",
            field=models.DateTimeField(editable=False, null=True, verbose_name="first meeting"),
        ),
        migrations.AddField(
            model_name="booking",
            name="first_pending_start",
            field=models.DateTimeField(
                editable=False, null=True, verbose_name="first meeting awaiting a decision"
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunSQL(FILL_LEFT, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="booking",
            name="first_start",
            field=models.DateTimeField(editable=False, verbose_name="first meeting"),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                Case(
                    When(status="pending", then=Value(0)),
                    default=Value(1),
                    output_field=models.IntegerField(),
                ),
                F("first_pending_start").asc(),
                F("first_start").desc(),
                F("id").desc(),
                name="booking_queue_idx",
            ),
        ),
    ]
