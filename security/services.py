"""Writes about users and departments (STYLE: one function per state change, locked,
validated, audited with the acting user and old/new values), and SE-1's sign-up rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from meetingops.errors import ApplicationError
from meetingops.updates import created_values, model_create, model_update
from oversight import audit
from security.models import Department, User

DEPARTMENT_FIELDS = ("name", "code", "parent", "is_active")
# What user_update edits. Never the password (user_password_set) nor the dates.
USER_FIELDS = (
    "email",
    "name",
    "department",
    "time_zone",
    "language",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
)


class SignupDomainRefused(ApplicationError):
    code = "email_domain_not_allowed"


class PasswordRefused(ApplicationError):
    code = "password_invalid"


# -- SE-1: who may sign up -----------------------------------------------------------------


def signup_is_open() -> bool:
    """Sign-up is open only while the company names its email domains."""
    return bool(settings.ALLOWED_SIGNUP_DOMAINS)


def signup_domain_check(email: str) -> str:
    """SE-1: only the company's own email domains may sign up or be added to an
    account; returns the address, or raises SignupDomainRefused. (Password reset does
    not ask: it must keep working for every account.)"""
    domain = email.rsplit("@", 1)[-1].lower()
    if domain not in settings.ALLOWED_SIGNUP_DOMAINS:
        raise SignupDomainRefused(
            _("Only company addresses can be used: use an address at %(domains)s.")
            % {"domains": ", ".join(f"@{d}" for d in settings.ALLOWED_SIGNUP_DOMAINS)},
            fields=["email"],
        )
    return email


# -- departments ---------------------------------------------------------------------------


def department_create(
    *,
    actor: User,
    name: str,
    code: str,
    parent: Department | None = None,
    is_active: bool = True,
) -> Department:
    """A new department, under `parent` (None: at the top). Raises ModelInvalid (a
    code taken, a blank name) and then writes nothing."""
    data = {"name": name.strip(), "code": code, "parent": parent, "is_active": is_active}
    with transaction.atomic():
        department = model_create(model=Department, data=data, fields=DEPARTMENT_FIELDS)
        audit.record(
            actor=actor,
            action="department.created",
            target=department,
            data={"values": created_values(department, DEPARTMENT_FIELDS)},
        )
    return department


def department_update(
    *, department: Department, actor: User, data: Mapping[str, Any]
) -> Department:
    """Edit a department (any of DEPARTMENT_FIELDS; `is_active` off closes it, as
    nothing is deleted). The tree refuses cycles: a department cannot move below itself
    or one of its own sub-departments (ModelInvalid `department_cycle`). Audited with
    old and new values; nothing written when nothing changes."""
    with transaction.atomic():
        if "parent" in data:
            # Two moves at once could each look acyclic alone (A under B, B under A):
            # moves in the tree take the departments' locks, always in one order.
            list(Department.objects.select_for_update().order_by("pk").values_list("pk"))
        department = Department.objects.select_for_update().get(pk=department.pk)
        changes = model_update(instance=department, data=data, fields=DEPARTMENT_FIELDS)
        if changes:
            audit.record(
                actor=actor,
                action="department.changed",
                target=department,
                data={"changes": changes},
            )
    return department


# -- users ---------------------------------------------------------------------------------


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


def user_update(*, user: User, actor: User, data: Mapping[str, Any]) -> User:
    """Edit an account (any of USER_FIELDS: closing it with `is_active`, its roles with
    `groups`, its department...). A new address counts as verified, as one an
    administrator gives. Audited with old and new values; nothing written when nothing
    changes. Raises ModelInvalid (an address another account has, an unknown time
    zone) and then writes nothing."""
    if "email" in data:
        data = {**data, "email": User.objects.normalize_email(data["email"]).lower()}
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        changes = model_update(
            instance=user, data=data, fields=USER_FIELDS, validate_exclude=("password",)
        )
        if "email" in changes:
            user_email_trust(user=user)
        if changes:
            audit.record(actor=actor, action="user.changed", target=user, data={"changes": changes})
    return user


def user_password_set(*, user: User, actor: User, password: str | None) -> User:
    """SE-2: an administrator sets `user`'s password (None: the account signs in
    without one, e.g. by a link). The password passes the site's password validators
    (PasswordRefused otherwise, and nothing changes); the audit says it was set, never
    the password or its hash."""
    if password is not None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise PasswordRefused(
                " ".join(error.messages), fields={"password": error.messages}
            ) from None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=["password", "password_changed_at"])
        audit.record(
            actor=actor,
            action="user.password_set_by_admin",
            target=user,
            data={"usable": password is not None},
        )
    return user
