"""BK-4: what an approver needs to decide: the queue in its order, each request's
conflicts and rules checked today, and the organizer's record."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from bookings import conflicts, rules, secrecy
from bookings.models import BOOKING_QUEUE_ORDER, Blackout, Booking, BookingChange, Occurrence

S = Occurrence.Status


# BK-6 / BK-13: how far back an approver looks at an organizer's record.
RECORD_DAYS = 90


# The queue's order, as the `booking_queue_idx` index holds it (models).
REVIEW_ORDERING = BOOKING_QUEUE_ORDER


def booking_list_for_review(*, actor) -> QuerySet[Booking]:
    """BK-4: the approvers' queue. Pending requests first, the one whose first pending
    meeting starts soonest on top; then the rest, latest first (REVIEW_ORDERING, which
    an index serves). Each row carries `queue_start` (the first pending meeting, else
    the first one), `details_visible` (`secrecy.details_visible_expression`, SE-5) and
    `visible_topic` ("" when the topic is not for `actor`). One query whatever its
    length."""
    details_visible = secrecy.details_visible_expression(actor)
    return (
        Booking.objects.select_related("organizer", "department", "room__provider")
        .annotate(
            queue_start=Coalesce(F("first_pending_start"), F("first_start")),
            details_visible=details_visible,
            visible_topic=Case(
                When(details_visible, then=F("topic")),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .order_by(*REVIEW_ORDERING)
    )


def booking_pending_occurrences(*, booking: Booking) -> list[Occurrence]:
    """The meetings waiting for a decision, including the new slots of a pending change."""
    return list(
        booking.occurrences.filter(status=S.PENDING)
        .select_related("room__provider")
        .order_by("start")
    )


def booking_invitee_counts(*, booking: Booking) -> tuple[int, int]:
    """The booking's active invitees: (colleagues, external guests)."""
    counts = booking.attendees.filter(is_active=True).aggregate(
        users=Count("pk", filter=Q(user__isnull=False)),
        external=Count("pk", filter=Q(user__isnull=True)),
    )
    return counts["users"], counts["external"]


def booking_pending_change(*, booking: Booking) -> BookingChange | None:
    return (
        booking.changes.filter(status=BookingChange.Status.PENDING)
        .select_related("requested_by")
        .first()
    )


@dataclass(frozen=True)
class OccurrenceConflicts:
    occurrence: Occurrence
    conflicts: list[conflicts.Conflict]


def booking_pending_conflicts(
    *, booking: Booking, occurrences: Sequence[Occurrence] | None = None
) -> list[OccurrenceConflicts]:
    """BK-3 / BK-4: for each pending meeting (or each of `occurrences`, some of them),
    what else holds its room then (other bookings, blackout periods added since the
    request). Two queries per room."""
    by_room: dict[int, list[Occurrence]] = defaultdict(list)
    if occurrences is None:
        occurrences = booking_pending_occurrences(booking=booking)
    for occurrence in occurrences:
        by_room[occurrence.room_id].append(occurrence)
    found = []
    for occurrences in by_room.values():
        taken = conflicts.slot_conflicts(
            room=occurrences[0].room,
            slots=[(o.start, o.end) for o in occurrences],
            exclude_booking=booking,
        )
        found += [
            OccurrenceConflicts(o, taken.get(index, [])) for index, o in enumerate(occurrences)
        ]
    found.sort(key=lambda item: item.occurrence.start)
    return found


@dataclass(frozen=True)
class RuleCheck:
    version: int
    violations: list[rules.Violation]


def booking_pending_rule_check(
    *, booking: Booking, occurrences: Sequence[Occurrence] | None = None
) -> RuleCheck | None:
    """BK-2 / BK-4: the usage rules in force now, checked for what waits for a decision
    (or for `occurrences`, some of the pending meetings) as a new request would be
    checked today (the policy may have changed since, or time passed). A pending change
    is checked with its proposed headcount. None when nothing waits."""
    if occurrences is None:
        pending = booking_pending_occurrences(booking=booking)
        change = booking_pending_change(booking=booking)
    else:
        pending, change = list(occurrences), None
    if not pending and change is None:
        return None
    proposed = change.proposed if change is not None else {}
    policy = rules.policy_current()
    users, external = booking_invitee_counts(booking=booking)
    headcount = proposed.get("expected_headcount", booking.expected_headcount)
    # A change of room puts its new slots in the new room.
    rooms = {o.room_id: o.room for o in pending} or {booking.room_id: booking.room}
    found = rules.check_request(
        policy=policy,
        organizer=booking.organizer,
        department=booking.department,
        rooms=rooms.values(),
        slots=[(o.start, o.end) for o in pending],
        headcount=rules.headcount_counted(headcount, users + external),
        recording_allowed=booking.recording_allowed,
        external_guests=external,
        exclude_booking=booking,
    )
    return RuleCheck(version=policy.version, violations=found)


@dataclass(frozen=True)
class OrganizerRecord:
    days: int
    bookings: int
    no_shows: int
    late_cancellations: int


def organizer_record(*, organizer, days: int = RECORD_DAYS) -> OrganizerRecord:
    """BK-6 / BK-13: an organizer's recent record, for the approver: bookings requested,
    meetings not shown up to, and late cancellations in the last `days` days."""
    since = timezone.now() - dt.timedelta(days=days)
    counts = Occurrence.objects.filter(booking__organizer=organizer).aggregate(
        no_shows=Count("pk", filter=Q(status=S.NO_SHOW, start__gte=since)),
        late=Count("pk", filter=Q(late_cancellation=True, cancelled_at__gte=since)),
    )
    return OrganizerRecord(
        days=days,
        bookings=Booking.objects.filter(organizer=organizer, created_at__gte=since).count(),
        no_shows=counts["no_shows"],
        late_cancellations=counts["late"],
    )


def blackout_booked_meetings(*, blackout: Blackout) -> int:
    """How many pending or approved meetings fall within a blackout period."""
    return conflicts.occupying_between(
        blackout.start, blackout.end, rooms=blackout.room if blackout.room_id else None
    ).count()
