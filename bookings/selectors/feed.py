"""BK-10: what a person's calendar feed holds: the approved meetings they organize or
are invited to, from FEED_PAST before now to FEED_AHEAD after, each booking with every
meeting it has had (so that a series is written whole, `bookings.ical`) and the
person's own rows; and a tag of all of it, so that a poll that finds nothing new is
answered 304 without writing the calendar."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db.models import Prefetch

from bookings.ical import SHOWN
from bookings.models import Attendee, Booking, Occurrence, Participant

FEED_PAST = dt.timedelta(weeks=6)
FEED_AHEAD = dt.timedelta(days=365)
FEED_MAX_BOOKINGS = 500


@dataclass(frozen=True)
class FeedRows:
    bookings: list[Booking]  # each with .occurrences and .readers_rows prefetched
    invited: frozenset[int]  # the bookings the person is an active invitee of
    etag: str


def feed_rows_for(*, user, now: dt.datetime, language: str) -> FeedRows:
    """Four queries, whatever the number of meetings."""
    booking_ids = (
        Participant.objects.filter(
            user=user,
            is_active=True,
            occurrence__status__in=SHOWN,
            occurrence__start__gte=now - FEED_PAST,
            occurrence__start__lt=now + FEED_AHEAD,
        )
        .order_by()
        .values("booking_id")
        .distinct()
    )
    bookings = list(
        Booking.objects.filter(pk__in=booking_ids)
        .select_related("room", "organizer")
        .prefetch_related(
            Prefetch("occurrences", queryset=Occurrence.objects.order_by("start", "pk")),
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(user=user).order_by("pk"),
                to_attr="readers_rows",
            ),
        )
        .order_by("first_start", "pk")[:FEED_MAX_BOOKINGS]
    )
    invited = frozenset(
        Attendee.objects.filter(
            user=user, is_active=True, booking__in=[b.pk for b in bookings]
        ).values_list("booking_id", flat=True)
    )
    tag = hashlib.sha256(language.encode())
    for b in bookings:
        tag.update(
            repr(
                (
                    b.pk,
                    b.updated_at,
                    b.ical_sequence,
                    b.topic,
                    b.confidential,
                    b.join_url,
                    b.meeting_code,
                    b.meeting_password,
                    b.room.name,
                    b.organizer.get_full_name(),
                    b.organizer.email,
                    b.recurrence,
                    b.pk in invited,
                    [(o.pk, o.status, o.start, o.end, o.replaces_id) for o in b.occurrences.all()],
                    [(p.occurrence_id, p.is_active) for p in b.readers_rows],
                )
            ).encode()
        )
    return FeedRows(bookings=bookings, invited=invited, etag=tag.hexdigest())
