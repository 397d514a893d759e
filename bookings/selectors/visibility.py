"""SE-5 and X-1: the bookings a person may look at, and what they may read of each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from bookings.models import Attendee, Booking, BookingChange, Occurrence
from bookings.permissions import oversees_bookings, sees_details

S = Occurrence.Status


def booking_details_visible_expression(actor) -> Case | Value:
    """`bookings.permissions.can_see_details` as an SQL expression, so that a list of
    bookings knows for every row, in its one query, whether `actor` may read the topic
    (SE-5). tests/bookings/test_admin_bookings.py holds the two to the same answers."""
    if not (actor and actor.is_authenticated):
        return Case(When(confidential=False, then=Value(True)), default=Value(False))
    if oversees_bookings(actor):
        return Value(True, output_field=BooleanField())
    invited = Exists(Attendee.objects.filter(booking=OuterRef("pk"), user=actor, is_active=True))
    return Case(
        When(Q(confidential=False) | Q(organizer=actor) | Q(invited), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def booking_has_meeting_between(*, start: dt.datetime | None, end: dt.datetime | None) -> Exists:
    """A filter for bookings with a meeting (not replaced by a change) starting in
    [start, end); either bound may be open."""
    meetings = Occurrence.objects.filter(booking=OuterRef("pk")).exclude(status=S.SUPERSEDED)
    if start is not None:
        meetings = meetings.filter(start__gte=start)
    if end is not None:
        meetings = meetings.filter(start__lt=end)
    return Exists(meetings)


def _invited_booking_ids(user) -> QuerySet:
    return Attendee.objects.filter(user=user, is_active=True).values("booking_id")


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


def booking_list_for_user(*, user) -> QuerySet[Booking]:
    """The bookings `user` organizes or is invited to, newest first (the API filters
    them by status, room and days: bookings.api.filters)."""
    bookings = Booking.objects.filter(Q(organizer=user) | Q(pk__in=_invited_booking_ids(user)))
    return _booking_with_details(bookings).order_by("-created_at", "-pk")


def booking_get_visible(*, booking_id: int, viewer) -> Booking | None:
    """The booking if `viewer` may look at it: its organizer, an invitee, or someone who
    oversees bookings (`bookings.view_booking`); otherwise None, as if it did not exist."""
    bookings = Booking.objects.filter(pk=booking_id)
    if not oversees_bookings(viewer):
        bookings = bookings.filter(Q(organizer=viewer) | Q(pk__in=_invited_booking_ids(viewer)))
    return _booking_with_details(bookings).first()


@dataclass(frozen=True)
class BookingAccess:
    details: bool  # topic, agenda, invitees (SE-5)
    join: bool  # link, meeting ID and password (SE-5): invitees of an approved meeting
    guest_emails: bool  # external guests' addresses: the organizer only (000 §3.2.2)


def booking_access(*, booking: Booking, viewer) -> BookingAccess:
    """What `viewer` may read of a booking fetched by `_booking_with_details`: decided
    from its prefetched rows, so a list asks no query per booking."""
    organizer = booking.organizer_id == viewer.pk
    invited = any(a.user_id == viewer.pk for a in booking.attendees.all())
    # The permission lookup (two queries the first time) only when nothing else decides.
    undecided = booking.confidential and not organizer and not invited
    details = sees_details(
        confidential=booking.confidential,
        is_organizer=organizer,
        oversees=undecided and oversees_bookings(viewer),
        is_invited=invited,
    )
    # During a change (BK-5) the booking is pending again, but its approved meeting
    # still stands and its people still need the link.
    approved = any(o.status == S.APPROVED for o in booking.occurrences.all())
    return BookingAccess(
        details=details, join=(organizer or invited) and approved, guest_emails=organizer
    )
