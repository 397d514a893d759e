"""How the booking admin writes moments, slots and bookings for the person reading it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from bookings.models import (
    Booking,
)

APPROVE_PERMISSION = "bookings.approve_booking"


def may_view_bookings(request) -> bool:
    """Who opens the queue and a booking's page (with its inlines): those who read,
    change or approve bookings."""
    user = request.user
    return (
        user.has_perm("bookings.view_booking")
        or user.has_perm("bookings.change_booking")
        or user.has_perm(APPROVE_PERMISSION)
    )


def moment_label(value: dt.datetime) -> str:
    """A moment in the viewer's time zone (the middleware activates the user's own)."""
    return formats.date_format(timezone.localtime(value), "Y-m-d D H:i")


def slot_label(start: dt.datetime, end: dt.datetime) -> str:
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if local_start.date() == local_end.date():
        return f"{moment_label(start)}–{formats.time_format(local_end, 'H:i')}"
    return f"{moment_label(start)} – {moment_label(end)}"


def booking_label(booking: Booking, *, visible: bool | None = None) -> str:
    """How admin names a booking: its topic, unless the viewer may not read it (SE-5:
    `details_visible`, which selectors.booking_list_for_review annotates from
    `bookings.secrecy.details_visible_expression`; or `visible`, when a list of other
    rows annotated it, as selectors.provider_meeting_list_for does)."""
    if booking.details_visible if visible is None else visible:
        return _("#%(id)s “%(topic)s”") % {"id": booking.pk, "topic": booking.topic}
    return _("#%(id)s (confidential meeting)") % {"id": booking.pk}


@dataclass(frozen=True)
class Named:
    """An object as a template names it (`pk`, str) without its own __str__."""

    pk: int
    label: str

    def __str__(self) -> str:
        return self.label


def panel(name: str, **context: Any) -> SafeString:
    """One of the booking page's panels, rendered from
    `templates/admin/bookings/booking/panels/<name>.html` (STYLE: HTML fragments live in
    templates). The caller decides what the reader may see; the template only lays it out."""
    html = render_to_string(f"admin/bookings/booking/panels/{name}.html", context)
    return mark_safe(html.strip())  # noqa: S308 - a rendered template, escaped as it renders


def item(text: str, css: str | None = None, *, slot: str = "") -> dict[str, Any]:
    """A line of an `items` panel; `css` marks it as a problem or as fine."""
    return {"text": text, "css": css, "slot": slot}
