"""Reads about users and roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

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


# BK-1: the type-ahead over colleagues shows at most this many people at a time.
INVITE_SEARCH_LIMIT = 10


def user_search_for_invite(
    *, query: str, exclude: Iterable[int] = (), limit: int = INVITE_SEARCH_LIMIT
) -> list:
    """BK-1: the open accounts whose name or email contains `query` (case-insensitive),
    by name, at most `limit` of them, leaving out the ids in `exclude` (the organizer).
    One query; an empty query finds nobody rather than the whole company."""
    query = query.strip()
    if not query:
        return []
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(name__icontains=query) | Q(email__icontains=query))
        .exclude(pk__in=list(exclude))
        .only("pk", "name", "email")
        .order_by("name", "email")[:limit]
    )


def user_list_by_emails(*, emails: Iterable[str]) -> dict[str, object]:
    """The accounts with these addresses (open or closed: a closed one is the booking
    service's to refuse, with its own message), by lower-cased address. One query."""
    wanted = {email.strip().lower() for email in emails if email.strip()}
    if not wanted:
        return {}
    users = get_user_model().objects.filter(email__in=wanted)
    return {user.email.lower(): user for user in users}


def user_profile_incomplete(*, user) -> bool:
    """A new account has no name or no department yet: the home page asks its owner to
    complete the profile (approvers and colleagues see who books by them)."""
    return not user.name.strip() or user.department_id is None


def department_list_active() -> QuerySet[Department]:
    """The departments a person may choose on their profile, by name."""
    return Department.objects.filter(is_active=True).order_by("name", "pk")
