"""How the booking admin writes moments, slots and bookings for the person reading it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from bookings.models import (
    Booking,
)

APPROVE_PERMISSION = "bookings.approve_booking"


def moment_label(value: dt.datetime) -> str:
    """A moment in the viewer's time zone (the middleware activates the user's own)."""
    return formats.date_format(timezone.localtime(value), "Y-m-d D H:i")


def slot_label(start: dt.datetime, end: dt.datetime) -> str:
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if local_start.date() == local_end.date():
        return f"{moment_label(start)}–{formats.time_format(local_end, 'H:i')}"
    return f"{moment_label(start)} – {moment_label(end)}"


def booking_label(booking: Booking) -> str:
    """How admin names a booking: its topic, unless the viewer may not read it (SE-5:
    `details_visible`, which selectors.booking_list_for_review annotates from
    `bookings.secrecy.details_visible_expression`)."""
    if booking.details_visible:
        return _("#%(id)s “%(topic)s”") % {"id": booking.pk, "topic": booking.topic}
    return _("#%(id)s (confidential meeting)") % {"id": booking.pk}


@dataclass(frozen=True)
class Named:
    """An object as a template names it (`pk`, str) without its own __str__."""

    pk: int
    label: str

    def __str__(self) -> str:
        return self.label


def bullets(items: Iterable[str], css_class: str = "") -> str:
    return format_html(
        '<ul class="booking-panel {}">{}</ul>',
        css_class,
        format_html_join("", "<li>{}</li>", ((item,) for item in items)),
    )
