"""The checks every booking input passes before any rule or row is read: aware times,
an end after the start, a topic and an agenda that show what they say, a headcount, a
meeting mode, invitees and guests' addresses and how many of them, a reason."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking
from meetingops.errors import ApplicationError

if TYPE_CHECKING:
    from security.models import User


class BookingInputError(ApplicationError):
    code = "invalid_input"


# BK-12: a meeting's own reminder lead times: at most this many, each within a week.
MAX_REMINDER_LEADS = 5
MAX_REMINDER_LEAD_MINUTES = 7 * 24 * 60
# What separates the lead times typed: commas, Latin or Chinese.
_LEAD_SEPARATORS = (",", "，", "、")

# At most this many colleagues, and this many guests by email, on one booking. The API's
# input serializers take the same bound as their lists' length, so that its schema
# states it.
MAX_ATTENDEES = 500


def require_aware(name: str, value: dt.datetime) -> None:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise BookingInputError(
            _("Give %(field)s with its time zone, e.g. 2026-12-01T09:00:00+08:00.")
            % {"field": name},
            code="naive_datetime",
            fields=[name],
        )


def booking_input_checked(fields: Mapping[str, Any]) -> dict[str, Any]:
    """BK-1/BK-5: the checks every booking's input passes, requested or changed, in this
    order: aware times with the end after the start, a topic (`clean_topic`), an agenda
    (`clean_agenda`), a headcount of at least one, a meeting mode. Only the fields given
    are checked (a change gives those it changes; `start` and `end` come together, with
    the times the meeting will have). Returns them cleaned; BookingInputError names the
    first that is wrong. Reads nothing."""
    if "start" in fields or "end" in fields:
        start, end = fields["start"], fields["end"]
        require_aware("start", start)
        require_aware("end", end)
        if start >= end:
            raise BookingInputError(
                _("A meeting must end after it starts."),
                code="end_before_start",
                fields=["end"],
            )
    cleaned = dict(fields)
    if "topic" in fields:
        cleaned["topic"] = clean_topic(fields["topic"])
    if "agenda" in fields:
        cleaned["agenda"] = clean_agenda(fields["agenda"])
    if "expected_headcount" in fields and fields["expected_headcount"] < 1:
        raise BookingInputError(
            _("A meeting has at least one person."),
            code="headcount_invalid",
            fields=["expected_headcount"],
        )
    if "reminder_lead_minutes" in fields:
        cleaned["reminder_lead_minutes"] = clean_reminder_leads(fields["reminder_lead_minutes"])
    if "mode" in fields and fields["mode"] not in Booking.Mode.values:
        raise BookingInputError(
            _("Choose video, voice or screen sharing."), code="invalid_mode", fields=["mode"]
        )
    return cleaned


def validate_basics(*, start: dt.datetime, end: dt.datetime, topic: str, headcount: int) -> None:
    """`booking_input_checked` for the times, a topic and a headcount."""
    booking_input_checked(
        {"start": start, "end": end, "topic": topic, "expected_headcount": headcount}
    )


# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
# reorder how the text around them is shown, so a topic could read as something else.
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
# Letters and symbols that draw nothing (fillers, the blank braille pattern), beside the
# format characters, spaces and combining marks that `_draws_nothing` recognises.
BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# What an agenda may hold of the control characters: its line breaks and tabs.
AGENDA_CONTROLS = frozenset("\t\n\r")


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def _draws_nothing(char: str) -> bool:
    return (
        char.isspace()
        or char in BLANK_GLYPHS
        or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me")
    )


def _refused_character(text: str, *, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first control character (Unicode Cc, and the line and paragraph separators)
    or bidirectional control in `text` that is not `allowed`."""
    for char in text:
        if char in allowed:
            continue
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return char
    return None


def clean_topic(topic: str | None) -> str:
    """The topic stripped: required; one line of text that shows what it says (it is
    every email's subject, where a line break is refused): no control character, no
    bidirectional control, not only characters that draw nothing (zero-width spaces)."""
    topic = (topic or "").strip()
    if not topic:
        raise BookingInputError(
            _("Give the meeting a topic."), code="topic_required", fields=["topic"]
        )
    refused = _refused_character(topic)
    if refused is not None:
        message = (
            _(
                "The topic contains %(char)s, which changes the direction in which text is "
                "shown: remove it."
            )
            if refused in BIDI_CONTROLS
            else _(
                "The topic contains the control character %(char)s: write it on one line, "
                "without line breaks or control characters."
            )
        )
        raise BookingInputError(
            message % {"char": _code_point(refused)}, code="topic_invalid", fields=["topic"]
        )
    if all(_draws_nothing(char) for char in topic):
        raise BookingInputError(
            _(
                "The topic is made of invisible characters only: give the meeting a topic "
                "that can be read."
            ),
            code="topic_invalid",
            fields=["topic"],
        )
    return topic


def clean_agenda(agenda: str | None) -> str:
    """The agenda as written: line breaks and tabs are welcome, other control
    characters and bidirectional controls are refused (`agenda_invalid`)."""
    agenda = agenda or ""
    refused = _refused_character(agenda, allowed=AGENDA_CONTROLS)
    if refused is not None:
        message = (
            _(
                "The agenda contains %(char)s, which changes the direction in which text is "
                "shown: remove it."
            )
            if refused in BIDI_CONTROLS
            else _(
                "The agenda contains the control character %(char)s: keep line breaks and "
                "tabs, remove the others."
            )
        )
        raise BookingInputError(
            message % {"char": _code_point(refused)}, code="agenda_invalid", fields=["agenda"]
        )
    return agenda


def clean_reminder_leads(text: str | None) -> str:
    """BK-12: a meeting's own reminder lead times as stored, largest first ("1440,15"):
    whole minutes separated by commas, each from 1 to MAX_REMINDER_LEAD_MINUTES (a
    week), at most MAX_REMINDER_LEADS of them, each once. Empty: the usage policy's.
    BookingInputError `reminder_leads_invalid` otherwise."""
    text = (text or "").strip()
    for separator in _LEAD_SEPARATORS[1:]:
        text = text.replace(separator, ",")
    if not text:
        return ""
    items = [item.strip() for item in text.split(",")]
    if not all(item.isascii() and item.isdigit() for item in items):
        raise BookingInputError(
            _(
                "Give the reminders as whole minutes before the start, separated by "
                "commas, e.g. 1440,15; leave it empty for the usage policy's."
            ),
            code="reminder_leads_invalid",
            fields=["reminder_lead_minutes"],
        )
    leads = sorted({int(item) for item in items}, reverse=True)
    if not all(1 <= lead <= MAX_REMINDER_LEAD_MINUTES for lead in leads):
        raise BookingInputError(
            _("A reminder comes from 1 to %(max)d minutes (a week) before the start.")
            % {"max": MAX_REMINDER_LEAD_MINUTES},
            code="reminder_leads_invalid",
            fields=["reminder_lead_minutes"],
        )
    if len(leads) > MAX_REMINDER_LEADS:
        raise BookingInputError(
            _("A meeting has at most %(max)d reminders: give fewer lead times.")
            % {"max": MAX_REMINDER_LEADS},
            code="reminder_leads_invalid",
            fields=["reminder_lead_minutes"],
        )
    return ",".join(map(str, leads))


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


def attendee_limit_check(*, users: Sequence, emails: Sequence[str]) -> None:
    """At most MAX_ATTENDEES colleagues and MAX_ATTENDEES guests by email
    (BookingInputError `too_many_attendees`); call it with the cleaned lists."""
    for field, invited in (("attendee_user_ids", users), ("attendee_emails", emails)):
        if len(invited) > MAX_ATTENDEES:
            raise BookingInputError(
                _(
                    "A meeting can invite at most %(limit)d colleagues and %(limit)d "
                    "guests by email: invite fewer, or share the meeting link with the "
                    "others."
                )
                % {"limit": MAX_ATTENDEES},
                code="too_many_attendees",
                fields=[field],
            )
