from django.db import migrations

# A booking pending only for a change that moves no meeting (a new headcount) waits in
# the queue from its first meeting: first_pending_start is set exactly for the pending.
FILL = """
UPDATE bookings_booking SET first_pending_start = first_start
WHERE status = 'pending' AND first_pending_start IS NULL
"""


class Migration(migrations.Migration):
    dependencies = [("bookings", "0011_booking_queue_order")]

    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop)]
