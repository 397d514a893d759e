"""X-1: IT sees every personal API token in admin and may revoke them (the admin action
calls `api_token_revoke`, which accepts `security.change_apitoken`)."""

from django.db import migrations

from security.roles import IT, grant_role_permissions

API_TOKEN_ROLE_PERMISSIONS = {
    IT: (
        "security.view_apitoken",
        "security.change_apitoken",
    ),
}


def forward(apps, schema_editor):
    grant_role_permissions(apps, API_TOKEN_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0003_api_token"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
