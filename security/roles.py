"""The company's roles as Django groups, with their permissions (REQUIREMENTS "Who uses
it"). A fresh install creates them by data migration; later apps extend ROLE_PERMISSIONS
and call `grant_role_permissions` from a migration of their own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The groups' names are data (migrations, permissions and tests find the groups by them);
# admin shows each with its label, in the reader's language (ROLE_LABELS).
APPROVERS = "Approvers"
IT = "IT"
SUPERVISORS = "Supervisors"
TRAINERS = "Trainers"
ROLES = (APPROVERS, IT, SUPERVISORS, TRAINERS)
ROLE_LABELS = {
    APPROVERS: _("Approvers"),
    IT: _("IT department"),
    SUPERVISORS: _("Supervision team"),
    TRAINERS: _("Trainers"),
}


def role_label(name: str) -> str:
    """A group's name as admin shows it: the role's label, or the name of a group made
    by hand."""
    label = ROLE_LABELS.get(name)
    return str(label) if label is not None else name


# "app_label.codename" per role. Admin access also needs is_staff (set with the role).
# Later apps grant their own permissions from a migration (bookings 0003).
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    APPROVERS: (
        "security.view_user",
        "security.view_department",
    ),
    IT: (
        "security.view_user",
        "security.add_user",
        "security.change_user",
        "security.view_department",
        "security.add_department",
        "security.change_department",
        "oversight.view_auditevent",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.view_intervalschedule",
    ),
    SUPERVISORS: (
        "security.view_user",
        "security.view_department",
        "oversight.view_auditevent",
    ),
    TRAINERS: (
        "security.view_user",
        "security.view_department",
    ),
}


def grant_role_permissions(apps, role_permissions: dict[str, tuple[str, ...]]) -> None:
    """Create the groups if missing and add the permissions (for data migrations).

    Permissions are normally created after `migrate` finishes; create them now so a
    fresh database gets its groups complete in one run."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
