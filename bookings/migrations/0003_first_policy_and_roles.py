"""The first usage policy (its defaults are the policy's placeholders, to be edited in
admin) and the booking permissions of the roles."""

from django.db import migrations

from security.roles import APPROVERS, IT, SUPERVISORS, grant_role_permissions

BOOKING_ROLE_PERMISSIONS = {
    APPROVERS: (
        "bookings.view_booking",
        "bookings.change_booking",
        "bookings.approve_booking",
        "bookings.view_occurrence",
        "bookings.view_bookingchange",
        "bookings.view_room",
        "bookings.change_room",
        "bookings.view_blackout",
        "bookings.add_blackout",
        "bookings.change_blackout",
        "bookings.view_usagepolicy",
    ),
    IT: (
        "bookings.view_provider",
        "bookings.add_provider",
        "bookings.change_provider",
        "bookings.view_room",
        "bookings.add_room",
        "bookings.change_room",
        "bookings.view_blackout",
        "bookings.add_blackout",
        "bookings.change_blackout",
        "bookings.view_usagepolicy",
        "bookings.add_usagepolicy",
        "bookings.change_usagepolicy",
    ),
    SUPERVISORS: (
        "bookings.view_booking",
        "bookings.view_occurrence",
        "bookings.view_bookingchange",
        "bookings.view_room",
        "bookings.view_usagepolicy",
    ),
}


def forward(apps, schema_editor):
    UsagePolicy = apps.get_model("bookings", "UsagePolicy")
    if not UsagePolicy.objects.exists():
        UsagePolicy.objects.create(version=1)
    grant_role_permissions(apps, BOOKING_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0002_occurrence_no_overlap"),
        ("security", "0002_roles"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
