"""BK-13: what the pages and the API show of signing in: the meeting a page is about
(the one on now or next, else the last one held), the viewer's own sign-in and its
window, and, for the organizer and those who oversee bookings, the attendance list.
What the viewer may read of the meeting at all is `bookings.secrecy`'s to say (the
callers ask it first); a guest's address is the organizer's alone (000 §3.2.2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import rules, secrecy
from bookings.models import AttendanceReport, Booking, Occurrence, Participant

S = Occurrence.Status
# The meetings that have, or had, people signing in.
HELD = (S.APPROVED, S.COMPLETED, S.NO_SHOW)


@dataclass(frozen=True)
class AttendanceLine:
    participant: Participant
    name: str  # the guest's address only for the organizer
    role: str


@dataclass(frozen=True)
class SignInState:
    occurrence: Occurrence
    opens: dt.datetime
    closes: dt.datetime
    is_open: bool  # the window is open and the meeting approved
    not_yet: bool  # approved, the window still to open
    mine: Participant | None  # the viewer's own row in it
    may_see_list: bool
    lines: list[AttendanceLine]
    report: AttendanceReport | None


def sign_in_meeting(occurrences: Iterable[Occurrence], now: dt.datetime) -> Occurrence | None:
    """The meeting signing in is about: the first approved one not ended, else the
    last one that was held or became a no-show."""
    held = sorted((o for o in occurrences if o.status in HELD), key=lambda o: (o.start, o.pk))
    upcoming = [o for o in held if o.status == S.APPROVED and o.end > now]
    if upcoming:
        return upcoming[0]
    past = [o for o in held if o.end <= now or o.status != S.APPROVED]
    return past[-1] if past else None


def may_see_attendance(viewer, booking: Booking) -> bool:
    """The attendance list is for the organizer and those who oversee bookings."""
    signed_in = bool(viewer and viewer.is_authenticated)
    return signed_in and (booking.organizer_id == viewer.pk or secrecy.oversees_bookings(viewer))


def attendance_lines(*, booking: Booking, occurrence: Occurrence, viewer) -> list[AttendanceLine]:
    """The meeting's participants, organizer first, with how the viewer names them."""
    rows = list(
        Participant.objects.filter(occurrence=occurrence, is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    roles = Participant.Role
    order = {roles.ORGANIZER: 0, roles.COLLEAGUE: 1, roles.GUEST: 2}
    rows.sort(key=lambda p: (order.get(p.role, 3), p.pk))
    guest_emails = bool(viewer and viewer.is_authenticated and booking.organizer_id == viewer.pk)
    lines = []
    for p in rows:
        if p.user is not None:
            name = p.user.get_full_name() or p.email
        else:
            name = p.email if guest_emails else _("External guest")
        lines.append(AttendanceLine(participant=p, name=name, role=p.get_role_display()))
    return lines


def sign_in_state(
    *,
    booking: Booking,
    occurrences: Sequence[Occurrence],
    viewer,
    now: dt.datetime | None = None,
) -> SignInState | None:
    """What the meeting page's sign-in part shows to `viewer`, who may read the
    meeting's details (the caller asked `bookings.secrecy`). None when no meeting of
    the booking is, or was, approved."""
    now = now or timezone.now()
    occurrence = sign_in_meeting(occurrences, now)
    if occurrence is None:
        return None
    opens, closes = rules.sign_in_window(
        start=occurrence.start, end=occurrence.end, policy=rules.policy_current()
    )
    may_see = may_see_attendance(viewer, booking)
    lines = (
        attendance_lines(booking=booking, occurrence=occurrence, viewer=viewer) if may_see else []
    )
    mine = None
    if may_see:  # the viewer's row, if any, is among the lines: no query of its own
        mine = next((x.participant for x in lines if x.participant.user_id == viewer.pk), None)
    elif viewer is not None and viewer.is_authenticated:
        mine = Participant.objects.filter(
            occurrence=occurrence, user=viewer, is_active=True
        ).first()
    approved = occurrence.status == S.APPROVED
    # A report exists only once the meeting has ended: no query before.
    report = None
    if may_see and occurrence.end <= now:
        report = AttendanceReport.objects.filter(occurrence=occurrence).first()
    return SignInState(
        occurrence=occurrence,
        opens=opens,
        closes=closes,
        is_open=approved and opens <= now < closes,
        not_yet=approved and now < opens,
        mine=mine,
        may_see_list=may_see,
        lines=lines,
        report=report,
    )


def participant_for_sign_in(*, booking: Booking, occurrence_id, user) -> Participant | None:
    """`user`'s own active row in one of `booking`'s meetings (None when there is none:
    not invited, or not that booking's meeting)."""
    try:
        wanted = int(occurrence_id)
    except (TypeError, ValueError):
        return None
    return (
        Participant.objects.select_related("occurrence")
        .filter(booking=booking, occurrence_id=wanted, user=user, is_active=True)
        .first()
    )


@dataclass(frozen=True)
class MeetingAttendance:
    occurrence: Occurrence
    participants: list[Participant]
    report: AttendanceReport | None


# The admin's booking page shows this many of the latest meetings that have started.
ADMIN_MEETINGS = 5


def attendance_for_admin(
    *, booking: Booking, now: dt.datetime | None = None
) -> list[MeetingAttendance]:
    """The latest meetings of `booking` that have started and were held or became
    no-shows, newest first, each with its participants and attendance report: two
    queries whatever the size of the series. The caller has asked `bookings.secrecy`."""
    now = now or timezone.now()
    meetings = list(
        booking.occurrences.filter(status__in=HELD, start__lte=now)
        .select_related("attendance_report")
        .order_by("-start", "-pk")[:ADMIN_MEETINGS]
    )
    if not meetings:
        return []
    rows: dict[int, list[Participant]] = {o.pk: [] for o in meetings}
    for p in (
        Participant.objects.filter(occurrence__in=meetings, is_active=True)
        .select_related("user")
        .order_by("pk")
    ):
        rows[p.occurrence_id].append(p)
    return [
        MeetingAttendance(
            occurrence=o,
            participants=rows[o.pk],
            report=getattr(o, "attendance_report", None),
        )
        for o in meetings
    ]
