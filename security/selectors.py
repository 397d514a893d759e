"""Reads about users and roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from security import roles
from security.models import ApiToken, Department


def it_alert_recipients() -> list[str]:
    """IT_ALERT_EMAILS, plus the active members of the IT group."""
    members = get_user_model().objects.filter(groups__name=roles.IT, is_active=True)
    emails = list(settings.IT_ALERT_EMAILS)
    emails += [e for e in members.values_list("email", flat=True) if e not in emails]
    return emails


def api_token_list_for_user(*, user) -> QuerySet[ApiToken]:
    """X-1: a user's own API tokens, newest first, revoked ones included (they stay
    listed so their owner can tell what a script was using)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get_for_user(*, user, token_id: int) -> ApiToken | None:
    """One of the user's own tokens; None for another's, so that a page or endpoint
    answers 404 without telling whether the id exists."""
    return api_token_list_for_user(user=user).filter(pk=token_id).first()


def user_profile_incomplete(*, user) -> bool:
    """A new account has no name or no department yet: the home page asks its owner to
    complete the profile (approvers and colleagues see who books by them)."""
    return not user.name.strip() or user.department_id is None


def department_list_active() -> QuerySet[Department]:
    """The departments a person may choose on their profile, by name."""
    return Department.objects.filter(is_active=True).order_by("name", "pk")
