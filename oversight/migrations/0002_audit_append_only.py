"""OV-1: on PostgreSQL the database itself refuses UPDATE and DELETE of audit events.
(SQLite has no such guard; the hash chain still shows any change.) TRUNCATE is left to
the table's owner, as test databases are emptied that way."""

from django.db import migrations

TABLE = "oversight_auditevent"

FORWARD = f"""
CREATE OR REPLACE FUNCTION oversight_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER oversight_audit_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION oversight_audit_refuse_change();
"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS oversight_audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS oversight_audit_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
