"""My meetings (BK-7): the bookings a person organizes or is invited to, by where they
stand (upcoming, pending, past, rejected, cancelled), searched by topic among those whose
details the person may read (SE-5, `bookings.secrecy`), one item per booking: a series
is one item with its meetings. A page of them is a fixed number of queries."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from bookings import secrecy
from bookings.models import Booking, Occurrence

S = Occurrence.Status

# The lists of My meetings, the first the default.
MINE_TABS = ("upcoming", "pending", "past", "rejected", "cancelled", "all")
# The longest search the page takes: a topic is at most 200 characters.
SEARCH_MAX = 200


def _meetings(**filters) -> QuerySet[Occurrence]:
    return Occurrence.objects.filter(booking=OuterRef("pk"), **filters).exclude(status=S.SUPERSEDED)


def booking_list_mine(*, user, tab: str = "upcoming", search: str = "") -> QuerySet[Booking]:
    """`user`'s bookings in `tab` (one of MINE_TABS), whose topic holds `search` when
    one is given (only among the bookings whose topic `user` may read), each annotated
    with `details_visible` (SE-5) and `next_start` (its next meeting still to come), with
    its room and organizer joined and its meetings (not those replaced by a change)
    prefetched by start.

    - upcoming: a meeting pending or approved still to end, soonest first;
    - pending: waiting for an approver (a request or a change), soonest first;
    - past: a meeting that took place (approved, completed or no-show, ended), latest first;
    - rejected, cancelled: by the booking's status, latest first;
    - all: newest request first."""
    now = timezone.now()
    bookings = Booking.objects.filter(pk__in=secrecy.organized_or_invited_ids(user))
    upcoming = _meetings(status__in=Occurrence.OCCUPYING, end__gt=now)
    bookings = bookings.annotate(
        details_visible=secrecy.details_visible_expression(user),
        next_start=Subquery(upcoming.order_by("start").values("start")[:1]),
    )
    if tab == "upcoming":
        bookings = bookings.filter(Exists(upcoming)).order_by("next_start", "pk")
    elif tab == "pending":
        bookings = bookings.filter(status=Booking.Status.PENDING).order_by(
            "first_pending_start", "pk"
        )
    elif tab == "past":
        held = _meetings(status__in=(S.APPROVED, S.COMPLETED, S.NO_SHOW), end__lte=now)
        bookings = bookings.filter(Exists(held)).order_by("-first_start", "-pk")
    elif tab in ("rejected", "cancelled"):
        bookings = bookings.filter(status=tab).order_by("-first_start", "-pk")
    else:
        bookings = bookings.order_by("-created_at", "-pk")
    search = search.strip()[:SEARCH_MAX]
    if search:
        bookings = bookings.filter(secrecy.details_visible_q(user), topic__icontains=search)
    return bookings.select_related("room", "organizer").prefetch_related(
        Prefetch(
            "occurrences",
            queryset=Occurrence.objects.exclude(status=S.SUPERSEDED).order_by("start", "pk"),
        )
    )
