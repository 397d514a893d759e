"""Writes about users (STYLE: one function per state change, audited)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from oversight import audit
from security.models import Department, User


def user_email_trust(*, user: User) -> None:
    """An account made or changed by an administrator has a known company address:
    record it as verified and primary, so mandatory email verification (which guards
    self sign-up) does not stop the person from signing in."""
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    address, created = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    if not created and not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])


def user_create(
    *,
    email: str,
    password: str | None,
    actor: User | None,
    name: str = "",
    department: Department | None = None,
    groups: tuple[str, ...] = (),
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """An administrator (or the set-up) opens an account for an employee."""
    with transaction.atomic():
        create = User.objects.create_superuser if is_superuser else User.objects.create_user
        user = create(email, password, name=name, department=department, is_staff=is_staff)
        if groups:
            user.groups.add(*Group.objects.filter(name__in=groups))
        user_email_trust(user=user)
        audit.record(
            actor=actor,
            action="user.created",
            target=user,
            data={
                "email": user.email,
                "department": department.code if department else None,
                "groups": sorted(groups),
                "is_staff": user.is_staff,
                "is_superuser": user.is_superuser,
            },
        )
    return user


def user_language_set(*, user: User, language: str, actor: User) -> User:
    """X-2: the user's language, used for pages after sign-in and for their emails.
    An unknown language is ignored (the switch offers only the supported ones)."""
    if language not in User.Language.values:
        return user
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.language == language:
            return user
        old = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit.record(
            actor=actor,
            action="user.language_changed",
            target=user,
            data={"old": old, "new": language},
        )
    return user
