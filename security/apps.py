from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Account security")

    def ready(self) -> None:
        from security import auth_events

        auth_events.connect()
