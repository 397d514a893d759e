"""The checks every booking input passes before any rule or row is read: aware times,
an end after the start, a topic, a headcount, invitees and guests' addresses, a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from meetingops.errors import ApplicationError

if TYPE_CHECKING:
    from security.models import User


class BookingInputError(ApplicationError):
    code = "invalid_input"


def require_aware(name: str, value: dt.datetime) -> None:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise BookingInputError(
            _("Give %(field)s with its time zone, e.g. 2026-12-01T09:00:00+08:00.")
            % {"field": name},
            code="naive_datetime",
            fields=[name],
        )


def validate_basics(*, start, end, topic: str, headcount: int) -> None:
    require_aware("start", start)
    require_aware("end", end)
    if start >= end:
        raise BookingInputError(
            _("A meeting must end after it starts."),
            code="end_before_start",
            fields=["end"],
        )
    clean_topic(topic)
    if headcount < 1:
        raise BookingInputError(
            _("A meeting has at least one person."),
            code="headcount_invalid",
            fields=["expected_headcount"],
        )


def clean_topic(topic: str | None) -> str:
    topic = (topic or "").strip()
    if not topic:
        raise BookingInputError(
            _("Give the meeting a topic."), code="topic_required", fields=["topic"]
        )
    return topic


def required_reason(reason: str | None, *, message: str, field: str = "reason") -> str:
    """The reason a decision must give, stripped; BookingInputError (`reason_required`,
    with `message` saying what to write) when it is empty or blank."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingInputError(message, code="reason_required", fields=[field])
    return reason


def active_invitees(users: Iterable[User], *, organizer: User) -> list[User]:
    """The colleagues invited, each once and not the organizer; an account that has
    been closed cannot be invited (BookingInputError `inactive_invitee`)."""
    invitees = [u for u in dict.fromkeys(users) if u.pk != organizer.pk]
    closed = [u for u in invitees if not u.is_active]
    if closed:
        raise BookingInputError(
            _(
                "%(names)s can no longer be invited: the account is closed. Remove them, "
                "or invite them by email."
            )
            % {"names": ", ".join(u.get_full_name() for u in closed)},
            code="inactive_invitee",
            fields=["attendee_user_ids"],
        )
    return invitees


def clean_emails(emails: Iterable[str]) -> list[str]:
    cleaned = []
    for email in emails:
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise BookingInputError(
                _("%(email)s is not an email address.") % {"email": email},
                code="invalid_email",
                fields=["attendee_emails"],
            ) from None
        if email not in cleaned:
            cleaned.append(email)
    return cleaned
