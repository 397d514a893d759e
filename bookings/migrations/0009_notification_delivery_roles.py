from django.db import migrations

from security.roles import IT, SUPERVISORS, grant_role_permissions

# IT answers for email delivery, the supervision team for what people were told.
NOTIFICATION_ROLE_PERMISSIONS = {
    IT: ("bookings.view_notificationdelivery",),
    SUPERVISORS: ("bookings.view_notificationdelivery",),
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, NOTIFICATION_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0008_occurrence_replacements")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
