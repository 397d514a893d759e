"""SE-5 and X-1: the bookings a person may look at, fetched with what they show. What a
person may see of each is decided by `bookings.secrecy`, whose one-booking answers
(`booking_access`, `BookingAccess`) and list form (`booking_details_visible_expression`)
stay importable from here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from bookings import rules, secrecy
from bookings.models import Attendee, Booking, BookingChange, Occurrence
from bookings.secrecy import BookingAccess, booking_access

__all__ = [
    "BookingAccess",
    "booking_access",
    "booking_details_visible_expression",
    "booking_get_visible",
    "booking_has_meeting_between",
    "booking_list_for_user",
    "booking_with_parts",
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
    bookings: room and organizer joined; meetings, current invitees and the pending
    change prefetched (`pending_changes`)."""
    return bookings.select_related("room", "organizer").prefetch_related(
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


def booking_with_parts(
    booking: Booking,
    *,
    occurrences: Iterable[Occurrence],
    attendees: Iterable[Attendee],
    pending_changes: Iterable[BookingChange],
) -> Booking:
    """`booking` as `_booking_with_details` would fetch it, from rows the caller holds
    (those a service has just written): its meetings, its current invitees and its
    pending change load from these lists, not from another query. Django's own
    prefetch keeps the rows the same way, on the related manager's cache: the instance
    then shows these rows until it is read again, so give it only to what displays it."""
    parts = {
        "occurrences": sorted(occurrences, key=lambda o: (o.start, o.pk)),
        "attendees": sorted((a for a in attendees if a.is_active), key=lambda a: a.pk),
    }
    cache = booking.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in parts.items():
        loaded = getattr(booking, name).all()
        loaded._result_cache, loaded._prefetch_done = rows, True
        cache[name] = loaded
    booking.pending_changes = list(pending_changes)
    return booking


def booking_list_for_user(
    *,
    user,
    status: str | None = None,
    room_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Booking]:
    """The bookings `user` organizes or is invited to, newest first; `date_from` and
    `date_to` (company days, inclusive) keep those with a meeting starting then."""
    invited = secrecy.active_invitations(user).values("booking_id")
    bookings = Booking.objects.filter(Q(organizer=user) | Q(pk__in=invited))
    if status:
        bookings = bookings.filter(status=status)
    if room_id:
        bookings = bookings.filter(room_id=room_id)
    if date_from or date_to:
        zone = rules.company_zone()
        bookings = bookings.filter(
            booking_has_meeting_between(
                start=dt.datetime.combine(date_from, dt.time.min, tzinfo=zone)
                if date_from
                else None,
                end=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
                if date_to
                else None,
            )
        )
    return _booking_with_details(bookings).order_by("-created_at", "-pk")


def booking_get_visible(*, booking_id: int, viewer) -> Booking | None:
    """The booking if `viewer` may look at it (`secrecy.booking_list_visible_to`: its
    organizer, an invitee, or someone who oversees bookings); otherwise None, as if it
    did not exist. What it shows of itself is `booking_access`."""
    bookings = secrecy.booking_list_visible_to(viewer).filter(pk=booking_id)
    return _booking_with_details(bookings).first()
