"""BK-11: the answers to a meeting's invitations: a participant's own (what they may
still answer) and, for the organizer, who comes to one meeting, who may, who does not
and why, and who has not answered. One query each. Whether the viewer may read the
list is `bookings.secrecy.sees_answers`'s to say; the guests' addresses in it are for
those `booking_access` lets see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from bookings.models import Booking, Occurrence, Participant

R = Participant.Response
S = Occurrence.Status

# The order of the groups on the page and in the digest.
RESPONSE_ORDER = (R.ACCEPTED, R.TENTATIVE, R.DECLINED, R.NEEDS_ACTION)


def participant_list_answerable(*, booking: Booking, user, now: dt.datetime | None = None):
    """`user`'s rows in `booking`'s approved meetings that have not started: the
    meetings they may still answer, soonest first (none for the organizer, who comes)."""
    if not (user and user.is_authenticated):
        return []
    now = now or timezone.now()
    return list(
        Participant.objects.select_related("occurrence")
        .filter(
            booking=booking,
            user=user,
            is_active=True,
            occurrence__status=S.APPROVED,
            occurrence__start__gt=now,
        )
        .exclude(role=Participant.Role.ORGANIZER)
        .order_by("occurrence__start", "pk")
    )


@dataclass(frozen=True)
class WhoComes:
    """One meeting's participants by answer (RESPONSE_ORDER), and how many each."""

    occurrence: Occurrence
    groups: dict[str, list[Participant]]

    @property
    def counts(self) -> dict[str, int]:
        return {response: len(people) for response, people in self.groups.items()}

    @property
    def people(self) -> list[Participant]:
        return [p for response in RESPONSE_ORDER for p in self.groups[response]]


def who_comes(*, occurrence: Occurrence) -> WhoComes:
    """The active participants of `occurrence` (its organizer among those who come), by
    answer, each group by name: one query."""
    rows = (
        Participant.objects.select_related("user")
        .filter(occurrence=occurrence, is_active=True)
        .order_by("pk")
    )
    groups: dict[str, list[Participant]] = {response: [] for response in RESPONSE_ORDER}
    for p in rows:
        groups.setdefault(p.response, []).append(p)
    for people in groups.values():
        people.sort(key=lambda p: (p.role != Participant.Role.ORGANIZER, participant_name(p)))
    return WhoComes(occurrence=occurrence, groups=groups)


def participant_name(participant: Participant) -> str:
    """A colleague's name (their address when they have none); a guest's address."""
    if participant.user_id is not None and participant.user is not None:
        return participant.user.get_full_name() or participant.email
    return participant.email


def participant_following_count(*, participant: Participant, now: dt.datetime | None = None) -> int:
    """How many meetings of `participant`'s series after theirs the same person may
    still answer (what "this meeting and the rest of the series" adds): a count only,
    so that a signed link shows its holder no other meeting."""
    if not participant.booking.is_series:
        return 0
    now = now or timezone.now()
    person = (
        {"user_id": participant.user_id}
        if participant.user_id
        else {"user__isnull": True, "email__iexact": participant.email}
    )
    return Participant.objects.filter(
        booking_id=participant.booking_id,
        is_active=True,
        occurrence__status=S.APPROVED,
        occurrence__start__gt=max(now, participant.occurrence.start),
        **person,
    ).count()


def participant_get_for(
    *, booking: Booking, user, occurrence: Occurrence | None = None
) -> Participant | None:
    """`user`'s row in `occurrence` of `booking` (active or not: the service says why
    it cannot answer), or without `occurrence` their next meeting still to answer."""
    if occurrence is None:
        return next(iter(participant_list_answerable(booking=booking, user=user)), None)
    if not (user and user.is_authenticated):
        return None
    return (
        Participant.objects.select_related("occurrence")
        .filter(booking=booking, occurrence=occurrence, user=user)
        .first()
    )
