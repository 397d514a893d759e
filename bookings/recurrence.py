"""BK-8: the occurrences of a series, from one pure function over dateutil.rrule.

Times repeat in the company's local time (a 09:00 weekly meeting stays at 09:00 across
a daylight-saving change), then are stored in UTC."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from dateutil import rrule
from django.utils.translation import gettext as _

from meetingops.errors import ApplicationError

FREQUENCIES = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY}
MAX_OCCURRENCES = 200


class InvalidRecurrence(ApplicationError):
    code = "invalid_recurrence"


@dataclass(frozen=True)
class Rule:
    freq: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # ISO 1 = Monday … 7 = Sunday, weekly only
    until: dt.date | None = None
    count: int | None = None

    def as_json(self) -> dict:
        return {
            "freq": self.freq,
            "interval": self.interval,
            "weekdays": list(self.weekdays),
            "until": self.until.isoformat() if self.until else None,
            "count": self.count,
        }


def rule_from(data: dict) -> Rule:
    """Validate a rule given by a user (API, page); raise InvalidRecurrence."""
    if not isinstance(data, dict):
        raise InvalidRecurrence(
            _(
                "The repeat rule is not understood: give freq (daily, weekly or monthly), "
                "then count or until."
            ),
            fields=["recurrence"],
        )
    freq = data.get("freq")
    if not isinstance(freq, str) or freq not in FREQUENCIES:
        raise InvalidRecurrence(_("Repeat daily, weekly or monthly."), fields=["recurrence.freq"])
    try:
        interval = int(data.get("interval") or 1)
        weekdays = tuple(sorted({int(d) for d in data.get("weekdays") or ()}))
        count = int(data["count"]) if data.get("count") not in (None, "") else None
        until_raw = data.get("until")
        until = (
            until_raw
            if isinstance(until_raw, dt.date)
            else dt.date.fromisoformat(until_raw)
            if until_raw
            else None
        )
    except (TypeError, ValueError, AttributeError):
        raise InvalidRecurrence(
            _(
                "The repeat rule is not understood: give freq (daily, weekly or monthly), "
                "then count or until."
            ),
            fields=["recurrence"],
        ) from None
    if not 1 <= interval <= 12:
        raise InvalidRecurrence(_("Repeat every 1 to 12 periods."), fields=["recurrence.interval"])
    if any(not 1 <= d <= 7 for d in weekdays) or (weekdays and freq != "weekly"):
        raise InvalidRecurrence(
            _("Weekdays (1 = Monday … 7 = Sunday) go with a weekly repeat."),
            fields=["recurrence.weekdays"],
        )
    if (until is None) == (count is None):
        raise InvalidRecurrence(
            _("End the series with either an end date or a number of meetings."),
            fields=["recurrence.until", "recurrence.count"],
        )
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise InvalidRecurrence(
            _("A series has at most %(max)s meetings.") % {"max": MAX_OCCURRENCES},
            fields=["recurrence.count"],
        )
    return Rule(freq=freq, interval=interval, weekdays=weekdays, until=until, count=count)


def occurrence_slots(
    *, start: dt.datetime, end: dt.datetime, rule: Rule | None, tz: str
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The (start, end) of every meeting, aware, in UTC. Without a rule: just one."""
    utc = dt.UTC
    if rule is None:
        return [(start.astimezone(utc), end.astimezone(utc))]
    zone = zoneinfo.ZoneInfo(tz)
    local_start = start.astimezone(zone).replace(tzinfo=None)
    duration = end - start
    kwargs: dict = {"dtstart": local_start, "interval": rule.interval}
    if rule.weekdays:
        kwargs["byweekday"] = [d - 1 for d in rule.weekdays]
    if rule.count is not None:
        kwargs["count"] = rule.count
    else:
        kwargs["until"] = dt.datetime.combine(rule.until, dt.time.max)
    slots = []
    for index, naive in enumerate(rrule.rrule(FREQUENCIES[rule.freq], **kwargs)):
        if index >= MAX_OCCURRENCES:
            raise InvalidRecurrence(
                _("A series has at most %(max)s meetings.") % {"max": MAX_OCCURRENCES},
                fields=["recurrence.until"],
            )
        local = naive.replace(tzinfo=zone)
        slots.append((local.astimezone(utc), (local + duration).astimezone(utc)))
    if not slots:
        raise InvalidRecurrence(
            _(
                "The repeat rule gives no meeting from the first day to its end: check the "
                "weekdays and the end date."
            ),
            fields=["recurrence"],
        )
    return slots
