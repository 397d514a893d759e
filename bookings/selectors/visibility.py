"""SE-5 and X-1: the bookings a person may look at, fetched with what they show. What a
person may see of each is decided by `bookings.secrecy`, whose one-booking answers
(`booking_access`, `BookingAccess`) and list form (`booking_details_visible_expression`)
stay importable from here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from bookings import secrecy
from bookings.models import Attendee, Booking, BookingChange, Occurrence
from bookings.secrecy import BookingAccess, booking_access

__all__ = [
    "BookingAccess",
    "BookingParts",
    "booking_access",
    "booking_details_visible_expression",
    "booking_get_visible",
    "booking_has_meeting_between",
    "booking_list_for_user",
    "booking_parts_prefetched",
    "booking_parts_written",
]

S = Occurrence.Status

# The list form of SE-5 under the name the selectors have always given it.
booking_details_visible_expression = secrecy.details_visible_expression


def booking_has_meeting_between(*, start: dt.datetime | None, end: dt.datetime | None) -> Exists:
    """A filter for bookings with a meeting (not replaced by a change) starting in
    [start, end); either bound may be open."""
    meetings = Occurrence.objects.filter(booking=OuterRef("pk")).exclude(status=S.SUPERSEDED)
    if start is not None:
        meetings = meetings.filter(start__gte=start)
    if end is not None:
        meetings = meetings.filter(start__lt=end)
    return Exists(meetings)


def _booking_with_details(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """What the API shows of a booking, in a fixed number of queries for any number of
    bookings: room (with its provider) and organizer joined; meetings, current invitees
    and the pending change prefetched (`pending_changes`)."""
    return bookings.select_related("room__provider", "organizer").prefetch_related(
        Prefetch("occurrences", queryset=Occurrence.objects.order_by("start", "pk")),
        Prefetch(
            "attendees",
            queryset=Attendee.objects.filter(is_active=True).select_related("user").order_by("pk"),
        ),
        Prefetch(
            "changes",
            queryset=BookingChange.objects.filter(status=BookingChange.Status.PENDING),
            to_attr="pending_changes",
        ),
    )


@dataclass(frozen=True)
class BookingParts:
    """What a booking shows besides its own row: its meetings (by start), its current
    invitees (by id) and its pending change, if any (BK-5)."""

    occurrences: list[Occurrence]
    attendees: list[Attendee]
    pending_change: BookingChange | None


def booking_parts_prefetched(booking: Booking) -> BookingParts:
    """The parts of a booking fetched by `_booking_with_details`, from its prefetched
    rows: no query."""
    return BookingParts(
        occurrences=list(booking.occurrences.all()),
        attendees=list(booking.attendees.all()),
        pending_change=next(iter(booking.pending_changes), None),
    )


def booking_parts_written(
    *, occurrences: Iterable[Occurrence], attendees: Iterable[Attendee]
) -> BookingParts:
    """The parts of a booking just requested, from the rows the service wrote (a new
    booking has no pending change), in the order `_booking_with_details` reads them:
    shown so, the booking looks as it will when read again."""
    return BookingParts(
        occurrences=sorted(occurrences, key=lambda o: (o.start, o.pk)),
        attendees=sorted((a for a in attendees if a.is_active), key=lambda a: a.pk),
        pending_change=None,
    )


def booking_list_for_user(*, user) -> QuerySet[Booking]:
    """The bookings `user` organizes or is invited to, newest first (the API filters
    them by status, room and days: bookings.api.filters)."""
    bookings = Booking.objects.filter(pk__in=secrecy.organized_or_invited_ids(user))
    return _booking_with_details(bookings).order_by("-created_at", "-pk")


def booking_get_visible(*, booking_id: int, viewer) -> Booking | None:
    """The booking if `viewer` may look at it (`secrecy.booking_list_visible_to`: its
    organizer, an invitee, or someone who oversees bookings); otherwise None, as if it
    did not exist. What it shows of itself is `booking_access`."""
    bookings = secrecy.booking_list_visible_to(viewer).filter(pk=booking_id)
    return _booking_with_details(bookings).first()
