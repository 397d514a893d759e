import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def queued_when_sent(apps, schema_editor):
    # Rows written before this migration were written on sending.
    NotificationDelivery = apps.get_model("bookings", "NotificationDelivery")
    NotificationDelivery.objects.update(created_at=F("sent_at"))


class Migration(migrations.Migration):
    dependencies = [("bookings", "0009_notification_delivery_roles")]

    operations = [
        migrations.AddField(
            model_name="notificationdelivery",
            name="created_at",
            field=models.DateTimeField(
                auto_now_add=True, default=django.utils.timezone.now, verbose_name="queued at"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(queued_when_sent, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notificationdelivery",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.AlterModelOptions(
            name="notificationdelivery",
            options={
                "ordering": ["-created_at", "-pk"],
                "verbose_name": "notification email",
                "verbose_name_plural": "notification emails",
            },
        ),
    ]
