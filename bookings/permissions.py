"""Who may do what with a booking (STYLE: `can_<verb>(actor, obj)`)."""

from __future__ import annotations

from bookings.models import Booking


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


def can_see_details(actor, booking: Booking) -> bool:
    """SE-5: a confidential meeting's topic, agenda and link are for its organizer, its
    invitees and those who oversee bookings; others see only that the slot is taken."""
    if not booking.confidential:
        return True
    if not (actor and actor.is_authenticated):
        return False
    if booking.organizer_id == actor.pk or actor.has_perm("bookings.view_booking"):
        return True
    return booking.attendees.filter(user=actor, is_active=True).exists()
