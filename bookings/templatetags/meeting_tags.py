"""How a meeting's page names a booking's fields (its change history and a pending
change's proposal): by the models' own translated names."""

from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist

from bookings.models import Booking, Occurrence

register = template.Library()


@register.filter
def field_label(name: str) -> str:
    """The translated name of a booking's field ("expected_headcount": "headcount"),
    or of its meeting's ("start", "end"); the name itself for one neither has."""
    for model in (Occurrence, Booking) if name in ("start", "end") else (Booking,):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name
