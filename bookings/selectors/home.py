"""The home page's reads (BK-7, X-2): my next meetings, my latest requests and the
notices the system sent me, each a bounded number of queries whatever the data. What I
may read of each meeting is `bookings.secrecy`'s to say (SE-5): the join link through
`booking_access`, a notice's topic through `details_visible_q`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Prefetch, Q, Value, When
from django.utils import timezone

from bookings import rules, secrecy
from bookings.models import Attendee, Booking, NotificationDelivery, Occurrence, Participant
from bookings.providers import is_remote

__all__ = [
    "HOME_LIST_SIZE",
    "Countdown",
    "HomeMeeting",
    "HomeNotice",
    "HomeRequest",
    "countdown_to",
    "home_meetings_next",
    "home_notices",
    "home_requests",
]

# "A handful": each of the home page's lists shows at most this many; the full lists
# are the My meetings page's.
HOME_LIST_SIZE = 5

S = Occurrence.Status


@dataclass(frozen=True)
class Countdown:
    """Where a meeting stands from `now`: `state` "upcoming" (with the whole days, hours
    and minutes to its start, the minutes rounded up), "under_way" or "ended"."""

    state: str
    days: int = 0
    hours: int = 0
    minutes: int = 0


def countdown_to(*, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Countdown:
    """The countdown the page shows; static/js/site.js computes the same each minute."""
    if now >= end:
        return Countdown("ended")
    if now >= start:
        return Countdown("under_way")
    left = -(-(start - now) // dt.timedelta(minutes=1))  # whole minutes, rounded up
    days, left = divmod(left, 24 * 60)
    hours, minutes = divmod(left, 60)
    return Countdown("upcoming", days=days, hours=hours, minutes=minutes)


@dataclass(frozen=True)
class HomeMeeting:
    occurrence: Occurrence
    booking: Booking
    topic: str  # "" when SE-5 hides it (never for my own meetings, kept for one rule)
    can_join: bool  # the join link may be shown now: mine to see, and its window is open
    # Mine to see but its window not open yet: the page carries the link hidden, and
    # site.js shows it when the window opens, as the countdown ticks.
    join_later: bool
    # BK-17: mine to join, approved in a Tencent Meeting or Zoom room, no link yet.
    link_on_its_way: bool
    join_opens: dt.datetime
    join_closes: dt.datetime
    countdown: Countdown
    # BK-13: my sign-in, offered beside Join while its window is open; when I signed in.
    can_sign_in: bool = False
    # Not signed in and the window still to open: the form is carried hidden with the
    # join link, and site.js shows both when the window opens.
    sign_in_later: bool = False
    signed_in_at: dt.datetime | None = None


def _mine(user) -> Q:
    """Meetings of bookings I organize or am an active invitee of (not those I merely
    oversee: the home page is about my own day), through secrecy's UNION of ids (an OR
    here would scan every booking on PostgreSQL)."""
    return Q(booking_id__in=secrecy.organized_or_invited_ids(user))


def home_meetings_next(*, user, now: dt.datetime | None = None) -> list[HomeMeeting]:
    """My next meetings, pending or approved, not yet ended, soonest first: three queries
    (the meetings with their booking and room, my invitations among them and my
    participant rows in them, for signing in) plus the policy's one."""
    now = now or timezone.now()
    meetings = list(
        Occurrence.objects.filter(_mine(user), status__in=Occurrence.OCCUPYING, end__gt=now)
        .select_related("booking", "room__provider")
        .prefetch_related(
            Prefetch(
                "booking__attendees",
                queryset=Attendee.objects.filter(user=user, is_active=True),
            )
        )
        .order_by("start", "pk")[:HOME_LIST_SIZE]
    )
    if not meetings:
        return []
    policy = rules.policy_current()
    # BK-13: my own rows in these meetings (one query), for the Sign in button.
    mine = dict(
        Participant.objects.filter(
            user=user, is_active=True, occurrence__in=[o.pk for o in meetings]
        ).values_list("occurrence_id", "signed_in_at")
    )
    result = []
    for occurrence in meetings:
        booking = occurrence.booking
        # This meeting's own status decides whether it has a link to join: one meeting
        # of a series may be approved while another waits.
        access = secrecy.booking_access(
            booking=booking,
            viewer=user,
            occurrences=[occurrence],
            attendees=booking.attendees.all(),
        )
        opens, closes = rules.sign_in_window(
            start=occurrence.start, end=occurrence.end, policy=policy
        )
        may_join = access.join and bool(booking.join_url)
        unsigned = (
            occurrence.pk in mine
            and mine[occurrence.pk] is None
            and occurrence.status == S.APPROVED
        )
        result.append(
            HomeMeeting(
                occurrence=occurrence,
                booking=booking,
                topic=booking.topic if access.details else "",
                can_join=may_join and opens <= now < closes,
                join_later=may_join and now < opens,
                link_on_its_way=access.join
                and not booking.join_url
                and occurrence.status == Occurrence.Status.APPROVED
                and is_remote(occurrence.room.provider),
                join_opens=opens,
                join_closes=closes,
                countdown=countdown_to(start=occurrence.start, end=occurrence.end, now=now),
                can_sign_in=unsigned and opens <= now < closes,
                sign_in_later=unsigned and now < opens,
                signed_in_at=mine.get(occurrence.pk),
            )
        )
    return result


@dataclass(frozen=True)
class HomeRequest:
    booking: Booking
    # The latest rejection of its meetings, with its reason and who decided (BK-4).
    rejection: Occurrence | None


def home_requests(*, user) -> list[HomeRequest]:
    """The bookings I asked for, newest first, with the rejection of a rejected one:
    two queries."""
    bookings = (
        Booking.objects.filter(organizer=user)
        .select_related("room")
        .prefetch_related(
            Prefetch(
                "occurrences",
                queryset=Occurrence.objects.filter(status=S.REJECTED)
                .select_related("decided_by")
                .order_by("-decided_at", "-pk"),
                to_attr="rejections",
            )
        )
        .order_by("-created_at", "-pk")[:HOME_LIST_SIZE]
    )
    return [
        HomeRequest(
            booking=booking,
            rejection=booking.rejections[0]
            if booking.status == Booking.Status.REJECTED and booking.rejections
            else None,
        )
        for booking in bookings
    ]


@dataclass(frozen=True)
class HomeNotice:
    delivery: NotificationDelivery
    booking: Booking
    kind: str
    topic: str  # "" when SE-5 hides the meeting's topic from me


def home_notices(*, user) -> list[HomeNotice]:
    """The notifications the system sent me (by email), newest first, one query: each
    row knows, from `secrecy.details_visible_q`, whether I may read its meeting's
    topic (a notice about a meeting I was removed from, say, may no longer)."""
    deliveries = (
        NotificationDelivery.objects.filter(user=user)
        .select_related("booking")
        .annotate(
            details=Case(
                When(secrecy.details_visible_q(user, prefix="booking__"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-created_at", "-pk")[:HOME_LIST_SIZE]
    )
    return [
        HomeNotice(
            delivery=d, booking=d.booking, kind=d.kind, topic=d.booking.topic if d.details else ""
        )
        for d in deliveries
    ]
