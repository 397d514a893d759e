"""Reads about users and roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from security import roles


def it_alert_recipients() -> list[str]:
    """IT_ALERT_EMAILS, plus the active members of the IT group."""
    members = get_user_model().objects.filter(groups__name=roles.IT, is_active=True)
    emails = list(settings.IT_ALERT_EMAILS)
    emails += [e for e in members.values_list("email", flat=True) if e not in emails]
    return emails
