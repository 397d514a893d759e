"""BK-2: the usage rules, checked against the policy version in force. Every violation
names its rule and the rule's value, translated (`{"code": "min_advance", "detail":
"Book at least 24 hours ahead", "value": 24}`); the API answers with all of them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingSuspension, Occurrence, Room, UsagePolicy
from meetingops.errors import ApplicationError

if TYPE_CHECKING:
    from security.models import Department, User

# An occurrence never lasts longer than this, whatever the policy says: availability
# queries bound their search window by it.
MAX_OCCURRENCE_DURATION = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Violation:
    code: str
    value: object
    # Renders the message in the active language; called once per language.
    message: Callable[[], str] = field(compare=False)

    def as_dict(self) -> dict:
        messages = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                messages[language] = self.message()
        return {
            "code": self.code,
            "detail": self.message(),
            "value": self.value,
            "messages": messages,
        }


class UsageRuleViolation(ApplicationError):
    """The request breaks one or more usage rules; `code` is the first one's."""

    status = 400

    def __init__(self, violations: Sequence[Violation]) -> None:
        first = violations[0]
        super().__init__(
            first.message(),
            code=first.code,
            extra={
                "value": first.value,
                "messages": first.as_dict()["messages"],
                "violations": [v.as_dict() for v in violations],
            },
        )
        self.violations = list(violations)


def policy_current() -> UsagePolicy:
    """The version in force. A database without any (emptied by hand) gets the model's
    defaults as an unsaved version 0: reading the policy never writes."""
    # A plain statement: every booking request reads it (bench/bookings.py (c)).
    quote = connection.ops.quote_name
    version = quote(UsagePolicy._meta.get_field("version").column)
    latest = UsagePolicy.objects.raw(
        f"SELECT * FROM {quote(UsagePolicy._meta.db_table)} "  # noqa: S608 (names only)
        f"ORDER BY {version} DESC LIMIT 1"
    )
    return next(iter(latest), None) or UsagePolicy(version=0)


def company_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _week_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to next Monday 00:00, company time, of the week holding `moment`."""
    local = moment.astimezone(company_zone())
    monday = (local - dt.timedelta(days=local.weekday())).date()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=company_zone())
    return start, start + dt.timedelta(days=7)


def _fmt_time(value: dt.time) -> str:
    return value.strftime("%H:%M")


def check_slot(
    *, policy: UsagePolicy, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[Violation]:
    """The rules about one slot's time: advance notice, duration, horizon, working
    hours and weekdays (company time)."""
    found: list[Violation] = []
    minutes = (end - start).total_seconds() / 60
    if start < now + dt.timedelta(hours=policy.min_advance_hours):
        hours = policy.min_advance_hours
        found.append(
            Violation(
                "min_advance",
                hours,
                lambda: _("Book at least %(hours)s hours ahead.") % {"hours": hours},
            )
        )
    if minutes > min(policy.max_duration_minutes, MAX_OCCURRENCE_DURATION.total_seconds() / 60):
        limit = policy.max_duration_minutes
        found.append(
            Violation(
                "max_duration",
                limit,
                lambda: _("A meeting lasts at most %(minutes)s minutes.") % {"minutes": limit},
            )
        )
    if start > now + dt.timedelta(days=policy.horizon_days):
        days = policy.horizon_days
        found.append(
            Violation(
                "horizon",
                days,
                lambda: _("Book at most %(days)s days ahead.") % {"days": days},
            )
        )
    zone = company_zone()
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.isoweekday() not in policy.weekdays:
        days_text = policy.allowed_weekdays
        found.append(
            Violation(
                "weekday",
                sorted(policy.weekdays),
                lambda: (
                    _("Meetings can be booked on weekdays %(days)s only (1 = Monday).")
                    % {"days": days_text}
                ),
            )
        )
    if (
        local_start.time() < policy.workday_start
        or local_end.date() != local_start.date()
        or local_end.time() > policy.workday_end
    ):
        hours = f"{_fmt_time(policy.workday_start)}–{_fmt_time(policy.workday_end)}"
        found.append(
            Violation(
                "working_hours",
                hours,
                lambda: _("Meetings must fall within working hours, %(hours)s.") % {"hours": hours},
            )
        )
    return found


def check_room(
    *,
    room: Room,
    headcount: int,
    recording_allowed: bool,
    external_guests: int,
) -> list[Violation]:
    found: list[Violation] = []
    if room.status != Room.Status.ACTIVE:
        reason = room.maintenance_reason or room.get_status_display()
        found.append(
            Violation(
                "room_unavailable",
                room.status,
                lambda: (
                    _("%(room)s cannot be booked: %(reason)s.")
                    % {"room": room.name, "reason": reason}
                ),
            )
        )
    if headcount > room.capacity:
        capacity = room.capacity
        found.append(
            Violation(
                "capacity",
                capacity,
                lambda: (
                    _("%(room)s holds at most %(capacity)s people.")
                    % {"room": room.name, "capacity": capacity}
                ),
            )
        )
    # BK-17: the provider account's licence admits so many participants, whatever
    # the room's own capacity says (a cap lowered after the room was set up).
    cap = room.provider.participant_cap
    if cap and headcount > cap:
        provider = room.provider.name
        found.append(
            Violation(
                "participant_cap",
                cap,
                lambda: (
                    _("%(room)s: the %(provider)s licence admits at most %(cap)s people.")
                    % {"room": room.name, "provider": provider, "cap": cap}
                ),
            )
        )
    if recording_allowed and not room.supports_recording:
        found.append(
            Violation(
                "recording_unsupported",
                False,
                lambda: _("%(room)s cannot record meetings.") % {"room": room.name},
            )
        )
    if external_guests and not room.allows_external_guests:
        found.append(
            Violation(
                "external_guests_not_allowed",
                False,
                lambda: _("%(room)s does not admit external guests.") % {"room": room.name},
            )
        )
    return found


def suspensions_in_force_at(now: dt.datetime) -> Q:
    """The suspensions in force at `now`: begun, not ended, not lifted
    (`BookingSuspension.in_force_at` for one row in hand)."""
    return Q(lifted_at__isnull=True, start__lte=now) & (Q(end__isnull=True) | Q(end__gt=now))


def _any_suspension_in_force(*, user: User, now: dt.datetime) -> bool:
    """Whether `suspensions_in_force_at(now)` holds a row of `user`'s, as one plain
    statement (PostgreSQL): every booking request asks, and almost always for nobody
    (bench/bookings.py (c))."""
    quote = connection.ops.quote_name
    column = {f.name: quote(f.column) for f in BookingSuspension._meta.concrete_fields}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {quote(BookingSuspension._meta.db_table)} "  # noqa: S608 (names only)
            f"WHERE {column['user']} = %s AND {column['lifted_at']} IS NULL "
            f"AND {column['start']} <= %s AND ({column['end']} IS NULL OR {column['end']} > %s) "
            "LIMIT 1",
            [user.pk, now, now],
        )
        return cursor.fetchone() is not None


def suspension_in_force(*, user: User, now: dt.datetime) -> BookingSuspension | None:
    """OV-5: the suspension of `user`'s right to book in force at `now`; a removal (no
    end) before a suspension, then the one ending last. On PostgreSQL a plain statement
    asks first whether there is any."""
    if connection.vendor == "postgresql" and not _any_suspension_in_force(user=user, now=now):
        return None
    return (
        BookingSuspension.objects.filter(suspensions_in_force_at(now), user=user)
        .order_by(F("end").desc(nulls_first=True))
        .first()
    )


def check_organizer(*, organizer: User, now: dt.datetime) -> list[Violation]:
    """BK-2: a user whose right to book is suspended or removed (OV-5) cannot book."""
    suspension = suspension_in_force(user=organizer, now=now)
    if suspension is None:
        return []
    reason = suspension.reason
    if suspension.end is None:
        return [
            Violation(
                "booking_right_removed",
                None,
                lambda: (
                    _(
                        "Your right to book meetings has been removed: %(reason)s. Ask the "
                        "supervision team if you think this is wrong."
                    )
                    % {"reason": reason}
                ),
            )
        ]
    end = timezone.localtime(suspension.end, company_zone())
    until = f"{end:%Y-%m-%d %H:%M} ({end.tzname()})"
    return [
        Violation(
            "booking_suspended",
            end.isoformat(),
            lambda: (
                _(
                    "Your right to book meetings is suspended until %(until)s: %(reason)s. "
                    "Ask the supervision team if you think this is wrong."
                )
                % {"until": until, "reason": reason}
            ),
        )
    ]


def _booked_minutes_by_week(
    scope: Q, weeks: Sequence[dt.datetime], exclude_booking: Booking | None
) -> dict[dt.datetime, float]:
    """Minutes booked in `scope`, by week (its start), over the weeks asked: one query
    for them all, however long the series."""
    occurrences = Occurrence.objects.filter(
        scope,
        start__gte=min(weeks),
        start__lt=max(weeks) + dt.timedelta(days=7),
        status__in=[*Occurrence.OCCUPYING, Occurrence.Status.COMPLETED, Occurrence.Status.NO_SHOW],
    )
    if exclude_booking is not None:
        occurrences = occurrences.exclude(booking=exclude_booking)
    booked = dict.fromkeys(weeks, 0.0)
    for start, end in occurrences.values_list("start", "end"):
        week = _week_bounds(start)[0]
        if week in booked:
            booked[week] += (end - start).total_seconds() / 60
    return booked


def check_quotas(
    *,
    policy: UsagePolicy,
    organizer: User,
    department: Department | None,
    slots: Sequence[tuple[dt.datetime, dt.datetime]],
    exclude_booking: Booking | None = None,
) -> list[Violation]:
    """Weekly hours per person and per department, counting the new slots in the weeks
    they fall in."""
    found: list[Violation] = []
    weeks: dict[dt.datetime, float] = {}
    for start, end in slots:
        week = _week_bounds(start)[0]
        weeks[week] = weeks.get(week, 0.0) + (end - start).total_seconds() / 60
    checks = []
    if policy.user_weekly_quota_hours:
        checks.append(
            ("user_quota", policy.user_weekly_quota_hours, Q(booking__organizer=organizer))
        )
    if policy.department_weekly_quota_hours and department is not None:
        checks.append(
            (
                "department_quota",
                policy.department_weekly_quota_hours,
                Q(booking__department=department),
            )
        )
    for code, hours, scope in checks:
        booked_by_week = _booked_minutes_by_week(scope, list(weeks), exclude_booking)
        for week_start, new_minutes in sorted(weeks.items()):
            if booked_by_week[week_start] + new_minutes > hours * 60:
                week_text = week_start.date().isoformat()
                message = (
                    (
                        lambda h=hours, w=week_text: (
                            _("You can book at most %(hours)s hours a week (week of %(week)s).")
                            % {"hours": h, "week": w}
                        )
                    )
                    if code == "user_quota"
                    else (
                        lambda h=hours, w=week_text: (
                            _(
                                "Your department can book at most %(hours)s hours a week "
                                "(week of %(week)s)."
                            )
                            % {"hours": h, "week": w}
                        )
                    )
                )
                found.append(Violation(code, hours, message))
                break
    return found


def headcount_counted(expected: int, invited: int) -> int:
    """The people a room must hold (BK-1): the headcount the organizer expects, and at
    least the organizer with everyone invited."""
    return max(expected, invited + 1)


def check_request(
    *,
    policy: UsagePolicy,
    organizer: User,
    department: Department | None,
    rooms: Iterable[Room],
    slots: Sequence[tuple[dt.datetime, dt.datetime]],
    headcount: int,
    recording_allowed: bool,
    external_guests: int,
    exclude_booking: Booking | None = None,
    now: dt.datetime | None = None,
) -> list[Violation]:
    """Every usage rule for a request of `slots` in `rooms` (one, unless a change moves
    the meetings): the organizer's right to book, each slot's time, each room, the
    quotas. A rule broken by several slots is named once. The services check requests
    and changes with it, the approvers' queue what waits for a decision."""
    now = now or timezone.now()
    found: list[Violation] = []
    seen: set[tuple[str, str]] = set()

    def add(violations: Iterable[Violation]) -> None:
        for violation in violations:
            key = (violation.code, repr(violation.value))
            if key not in seen:
                seen.add(key)
                found.append(violation)

    add(check_organizer(organizer=organizer, now=now))
    for start, end in slots:
        add(check_slot(policy=policy, start=start, end=end, now=now))
    for room in rooms:
        add(
            check_room(
                room=room,
                headcount=headcount,
                recording_allowed=recording_allowed,
                external_guests=external_guests,
            )
        )
    add(
        check_quotas(
            policy=policy,
            organizer=organizer,
            department=department,
            slots=slots,
            exclude_booking=exclude_booking,
        )
    )
    return found


def auto_approvable(*, policy: UsagePolicy, booking: Booking, slots) -> bool:
    """BK-4: the policy may approve small, non-confidential, short single meetings."""
    if not policy.auto_approve or booking.confidential or booking.is_series:
        return False
    longest = max((end - start).total_seconds() / 60 for start, end in slots)
    return (
        booking.expected_headcount <= policy.auto_approve_max_headcount
        and longest <= policy.auto_approve_max_minutes
    )


def now() -> dt.datetime:
    return timezone.now()


def sign_in_window(*, start: dt.datetime, end: dt.datetime, policy: UsagePolicy) -> tuple:
    """BK-2 / 000 §3.3.3: a meeting's sign-in window, from the policy's
    `sign_in_opens_minutes` before its start until its end, half-open. The home page's
    Join button is offered in it, and participants sign in in it (BK-13)."""
    return start - dt.timedelta(minutes=policy.sign_in_opens_minutes), end
