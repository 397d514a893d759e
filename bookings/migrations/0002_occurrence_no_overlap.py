"""BK-3: no double booking, ever. On PostgreSQL the database refuses two occupying
occurrences (pending or approved) of different bookings whose occupied ranges
[start - preparation, end) overlap in one room. Occurrences of the same booking may
overlap: that is a change (BK-5) whose new slot is held beside the old one.
SQLite has no such constraint; its IMMEDIATE transactions serialize check-then-insert."""

from django.db import migrations

CONSTRAINT = "occurrence_no_overlap"

FORWARD = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings_occurrence ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist (
    room_id WITH =,
    tstzrange(occupied_from, "end", '[)') WITH &&,
    booking_id WITH <>
) WHERE (status IN ('pending', 'approved'));
"""

BACKWARD = f"ALTER TABLE bookings_occurrence DROP CONSTRAINT IF EXISTS {CONSTRAINT};"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
