"""Re-encrypt the stored provider secrets under the newest of ENCRYPTION_KEYS: put the
new key first, run this, then remove the old key (README, "Tencent Meeting and Zoom")."""

from django.core.management.base import BaseCommand, CommandError

from bookings.services.providers import provider_secrets_rotate
from meetingops.crypto import SecretUnreadable


class Command(BaseCommand):
    help = "Re-encrypt stored provider secrets under the newest ENCRYPTION_KEYS key."

    def handle(self, *args, **options) -> None:
        try:
            count = provider_secrets_rotate()
        except SecretUnreadable as error:
            raise CommandError(
                "A stored secret cannot be read with any configured key: keep the key it "
                "was stored with in ENCRYPTION_KEYS (or enter the secret again in admin)."
            ) from error
        self.stdout.write(f"Re-encrypted {count} provider secret(s) under the newest key.")
