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


def oversees_bookings(actor) -> bool:
    """Room administrators and the supervision team read every booking."""
    return bool(actor and actor.is_authenticated and actor.has_perm("bookings.view_booking"))


def sees_details(
    *, confidential: bool, is_organizer: bool, oversees: bool, is_invited: bool
) -> bool:
    """SE-5, the one statement of the rule: a confidential meeting's topic, agenda and
    link are for its organizer, its invitees and those who oversee bookings; others
    see only that the slot is taken. Callers that decide for many bookings at once
    work out the facts in bulk and ask this. Its SQL forms, each held to the same answers
    by a test: `selectors.booking_details_visible_expression` (lists of bookings) and
    `hidden` in `selectors.occupancy._WEEK_MEETINGS_SQL` (the week, on PostgreSQL)."""
    return not confidential or is_organizer or oversees or is_invited


def can_see_details(actor, booking: Booking) -> bool:
    """`sees_details` for one booking; the invitation is looked up only when nothing
    else decides."""
    authenticated = bool(actor and actor.is_authenticated)
    is_organizer = authenticated and booking.organizer_id == actor.pk
    oversees = oversees_bookings(actor)
    undecided = booking.confidential and not is_organizer and not oversees and authenticated
    return sees_details(
        confidential=booking.confidential,
        is_organizer=is_organizer,
        oversees=oversees,
        is_invited=undecided and booking.attendees.filter(user=actor, is_active=True).exists(),
    )
