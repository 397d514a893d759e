"""Who may do what with a booking (STYLE: `can_<verb>(actor, obj)`): approve, change,
cancel. What a person may *see* of a meeting is `bookings.secrecy` (SE-5); its names
below are kept importable from here for the callers that still ask this module."""

from __future__ import annotations

from bookings.models import Booking
from bookings.secrecy import can_see_details, oversees_bookings, sees_details

__all__ = [
    "can_approve",
    "can_cancel",
    "can_change",
    "can_see_details",
    "is_approver",
    "oversees_bookings",
    "sees_details",
]


def is_approver(actor) -> bool:
    return bool(actor and actor.is_authenticated and actor.has_perm("bookings.approve_booking"))


def can_approve(actor, booking: Booking) -> bool:
    """BK-4. Nobody decides their own request (a superuser may, for emergencies)."""
    if not is_approver(actor):
        return False
    return booking.organizer_id != actor.pk or actor.is_superuser


def can_change(actor, booking: Booking) -> bool:
    """BK-5 / BK-6: the organizer, or a room administrator on their behalf."""
    if not (actor and actor.is_authenticated):
        return False
    return booking.organizer_id == actor.pk or actor.has_perm("bookings.change_booking")


can_cancel = can_change
