"""BK-10: a booking's meetings as iCalendar (RFC 5545), for one reader, built with the
`icalendar` library: `METHOD:REQUEST` for an invitation or an update, `METHOD:CANCEL`
for a cancellation (the whole booking, or some meetings of a series), and
`METHOD:PUBLISH` for a person's calendar feed. Everything a reader may see is decided
by `bookings.secrecy` (the `EmailReveals` given); this module only writes it down.

**One UID per booking, a series as RRULE with EXDATE.** iTIP (RFC 5546) carries one UID
per message, and Outlook reads only the first event of a message that has several: one
UID per meeting would need one email per meeting of a series (up to 200), each with its
own Accept button. So a booking is one UID (`booking-<id>@<site>`), derived from the
booking and not from its meeting rows, which an approved change replaces
(`Occurrence.replaces`): the calendar entry stays the same one across changes, and
`SEQUENCE` (`Booking.ical_sequence`, raised by `bookings.invitations` whenever an update
or a cancellation goes out) tells which version is newer.

A series (BK-8) is written as its rule: `DTSTART` its first meeting in the company's zone
(a `VTIMEZONE` is included, so 09:00 stays 09:00 across a daylight-saving change, as
`bookings.recurrence` made it), `RRULE` with the rule's frequency, interval and
weekdays and a `COUNT` of its meetings as requested. Each meeting is known by the
start it was requested at (the first of its line of replacements): that is its
`RECURRENCE-ID`. A meeting the reader does not have (not approved yet, rejected,
cancelled, or one they were not invited to) is an `EXDATE`; one moved by a change is an
override (a `VEVENT` with its `RECURRENCE-ID` and its new times). One meeting cancelled
is a `CANCEL` with its `RECURRENCE-ID`, which Outlook and Google apply to that meeting
alone; when nothing of the booking is left for the reader, the `CANCEL` names the
whole UID. Should the rule ever not give back a meeting as requested, that meeting is
listed as an `RDATE` rather than lost.

Times are written with their `TZID` and the zone's `VTIMEZONE`; the reader's calendar
shows them in the reader's own zone. `ORGANIZER` is the organizer's own address (not a
no-reply one, which Outlook ignores: LibreBooking #1336). A `PUBLISH` lists no attendees
(RFC 5546 §3.2.1)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import recurrence
from bookings.links import absolute
from bookings.models import Booking, Occurrence, Participant
from bookings.secrecy import EmailReveals

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"
METHODS = (REQUEST, CANCEL, PUBLISH)

S = Occurrence.Status
# A meeting that stands (or stood) in its people's calendars.
SHOWN = (S.APPROVED, S.COMPLETED)
PARTSTAT = {
    Participant.Response.NEEDS_ACTION: "NEEDS-ACTION",
    Participant.Response.ACCEPTED: "ACCEPTED",
    Participant.Response.TENTATIVE: "TENTATIVE",
    Participant.Response.DECLINED: "DECLINED",
}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PRODID = "-//MeetingOps//MeetingOps//EN"


@dataclass(frozen=True)
class Reader:
    """Whom a calendar entry is for: a user, or an external guest by address."""

    email: str
    user_id: int | None
    is_organizer: bool


def booking_uid(booking: Booking) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "meetingops"
    return f"booking-{booking.pk}@{host}"


def _root(o: Occurrence, by_pk: dict[int, Occurrence]) -> Occurrence:
    """The meeting as first requested, at the head of its line of replacements."""
    seen = set()
    while o.replaces_id and o.replaces_id in by_pk and o.pk not in seen:
        seen.add(o.pk)
        o = by_pk[o.replaces_id]
    return o


def _address(email: str, name: str = "", **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    address.params["CN"] = icalendar.vText(name or email)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = icalendar.vText(value)
    return address


def _is_readers(p: Participant, reader: Reader) -> bool:
    if reader.user_id is not None:
        return p.user_id == reader.user_id
    return p.user_id is None and p.email.lower() == reader.email.lower()


@dataclass
class BookingRows:
    """What the builder needs of one booking: the booking, every meeting it has had,
    and its participants."""

    booking: Booking
    occurrences: list[Occurrence]
    participants: list[Participant]


def _description(booking: Booking, reveals: EmailReveals, reader: Reader) -> str:
    lines = [
        _("Online meeting room: %(room)s") % {"room": booking.room.name},
        _("Organizer: %(name)s") % {"name": booking.organizer.get_full_name()},
    ]
    if reveals.join_link and booking.join_url:
        lines.append(_("Meeting link: %(url)s") % {"url": booking.join_url})
        if booking.meeting_code:
            lines.append(_("Meeting ID: %(code)s") % {"code": booking.meeting_code})
        if booking.meeting_password:
            lines.append(
                _("Meeting password: %(password)s") % {"password": booking.meeting_password}
            )
    elif not booking.join_url:
        lines.append(_("The meeting link will follow."))
    if booking.confidential:
        lines.append(confidentiality_notice())
    if reader.user_id is not None:
        path = reverse("bookings:meeting", args=[booking.pk])
        lines.append(_("Meeting page: %(url)s") % {"url": absolute(path)})
    return "\n".join(lines)


def confidentiality_notice() -> str:
    """000 §4.2.1: the invitation tells its people that the meeting is confidential."""
    return _(
        "This meeting is confidential: do not pass on its content, link or password to "
        "anyone who is not invited, and do not record it without the organizer's consent."
    )


def _attendees(
    data: BookingRows, shown: list[Occurrence], reveals: EmailReveals, reader: Reader, now
) -> list[icalendar.vCalAddress]:
    """The people invited to the reader's meetings whom the reader may see (secrecy's
    `colleague_emails`, `guest_emails`), the reader always, each once, with the answer
    they gave to the next of these meetings (or the last, once all are past)."""
    next_meeting = next((o for o in shown if o.end > now), shown[-1] if shown else None)
    rows: dict[str, Participant] = {}
    for p in sorted(
        (p for p in data.participants if p.is_active and p.occurrence_id in {o.pk for o in shown}),
        key=lambda p: (next_meeting is None or p.occurrence_id != next_meeting.pk, p.pk),
    ):
        key = f"u{p.user_id}" if p.user_id else p.email.lower()
        rows.setdefault(key, p)
    lines = []
    for p in rows.values():
        mine = _is_readers(p, reader)
        if p.role == Participant.Role.ORGANIZER:
            continue  # the ORGANIZER line, and the CHAIR below
        if p.role == Participant.Role.GUEST and not (mine or reveals.guest_emails):
            continue
        if p.role == Participant.Role.COLLEAGUE and not (mine or reveals.colleague_emails):
            continue
        name = p.user.get_full_name() if p.user_id else p.email
        lines.append(
            _address(
                p.email,
                name,
                cutype="INDIVIDUAL",
                role="REQ-PARTICIPANT",
                partstat=PARTSTAT.get(p.response, "NEEDS-ACTION"),
                rsvp="TRUE",
            )
        )
    organizer = data.booking.organizer
    chair = _address(
        organizer.email,
        organizer.get_full_name(),
        cutype="INDIVIDUAL",
        role="CHAIR",
        partstat="ACCEPTED",
        rsvp="FALSE",
    )
    return [chair, *lines]


def _event_base(
    data: BookingRows, reveals: EmailReveals, reader: Reader, method: str, stamp: dt.datetime
) -> icalendar.Event:
    booking = data.booking
    event = icalendar.Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", stamp)
    event.add("sequence", booking.ical_sequence)
    organizer = booking.organizer
    event.add("organizer", _address(organizer.email, organizer.get_full_name()))
    event.add("summary", booking.topic if reveals.details else _("Confidential meeting"))
    link = booking.join_url if reveals.join_link else ""
    event.add("location", link or booking.room.name)
    if link:
        event.add("url", link)
    event.add("description", _description(booking, reveals, reader))
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if booking.confidential:
        event.add("class", "PRIVATE")
    return event


def _times(event: icalendar.Event, start: dt.datetime, end: dt.datetime, zone) -> None:
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))


def _series_rule(booking: Booking, roots: list[Occurrence]) -> recurrence.Rule | None:
    """The booking's rule with a COUNT of its meetings as requested; None for a single
    meeting (or a rule this version cannot read, whose meetings are then RDATEs)."""
    if len(roots) < 2 or not booking.recurrence:
        return None
    data = booking.recurrence
    try:
        return recurrence.Rule(
            freq=data["freq"],
            interval=int(data.get("interval") or 1),
            weekdays=tuple(int(d) for d in data.get("weekdays") or ()),
            count=len(roots),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _events(
    data: BookingRows,
    *,
    method: str,
    reveals: EmailReveals,
    reader: Reader,
    cancelled: Sequence[Occurrence] = (),
    now: dt.datetime,
    stamp: dt.datetime,
) -> list[icalendar.Event]:
    """The VEVENTs of one booking for `reader` (no queries: `data` holds the rows)."""
    booking = data.booking
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    by_pk = {o.pk: o for o in data.occurrences}
    roots = sorted((o for o in data.occurrences if not o.replaces_id), key=lambda o: o.start)
    mine = {p.occurrence_id for p in data.participants if p.is_active and _is_readers(p, reader)}
    # The reader's meetings now: each line's standing meeting, theirs to attend.
    shown = sorted(
        (
            o
            for o in data.occurrences
            if o.status in SHOWN and (reader.is_organizer or o.pk in mine)
        ),
        key=lambda o: o.start,
    )
    rule = _series_rule(booking, roots)

    if method == CANCEL:
        if not cancelled:
            return []
        # RFC 5546 §3.2.5: a CANCEL names whom it is for; here the reader alone.
        cancelled_for = _address(
            reader.email, reader.email, cutype="INDIVIDUAL", role="REQ-PARTICIPANT"
        )
        if not shown or len(roots) < 2:
            # Nothing of the booking is left for the reader: the whole entry goes.
            event = _event_base(data, reveals, reader, method, stamp)
            first = roots[0] if rule is not None else cancelled[0]
            _times(event, first.start, first.end, zone)
            event.add("attendee", cancelled_for)
            return [event]
        events = []
        for o in sorted(cancelled, key=lambda o: o.start):
            event = _event_base(data, reveals, reader, method, stamp)
            event.add("recurrence-id", _root(o, by_pk).start.astimezone(zone))
            _times(event, o.start, o.end, zone)
            event.add("attendee", cancelled_for)
            events.append(event)
        return events

    if not shown:
        return []
    attendees = [] if method == PUBLISH else _attendees(data, shown, reveals, reader, now)

    def filled(event: icalendar.Event) -> icalendar.Event:
        for line in attendees:
            event.add("attendee", line)
        return event

    if rule is None:
        # A single meeting (or a series read meeting by meeting): one event, the reader's
        # meetings as RDATEs beyond the first.
        event = filled(_event_base(data, reveals, reader, method, stamp))
        _times(event, shown[0].start, shown[0].end, zone)
        if len(shown) > 1:
            event.add("rdate", [o.start.astimezone(zone) for o in shown[1:]])
        return [event]

    first = roots[0]
    master = filled(_event_base(data, reveals, reader, method, stamp))
    _times(master, first.start, first.end, zone)
    rrule = {"FREQ": rule.freq.upper(), "INTERVAL": rule.interval, "COUNT": rule.count}
    if rule.weekdays:
        rrule["BYDAY"] = [_WEEKDAYS[d - 1] for d in rule.weekdays]
    rrule["WKST"] = "MO"
    master.add("rrule", rrule)
    generated = [
        start
        for start, _end in recurrence.occurrence_slots(
            start=first.start, end=first.end, rule=rule, tz=settings.TIME_ZONE
        )
    ]
    shown_by_root = {_root(o, by_pk).start: o for o in shown}
    excluded = [start for start in generated if start not in shown_by_root]
    if excluded:
        master.add("exdate", [start.astimezone(zone) for start in excluded])
    extra = [start for start in shown_by_root if start not in set(generated)]
    if extra:
        master.add("rdate", [start.astimezone(zone) for start in sorted(extra)])
    events = [master]
    root_end = {o.start: o.end for o in roots}
    for root_start, o in sorted(shown_by_root.items()):
        if (o.start, o.end) == (root_start, root_end.get(root_start)):
            continue
        override = filled(_event_base(data, reveals, reader, method, stamp))
        override.add("recurrence-id", root_start.astimezone(zone))
        _times(override, o.start, o.end, zone)
        events.append(override)
    return events


def _calendar(method: str, events: Iterable[icalendar.Event]) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    return calendar


def _rows(booking: Booking) -> BookingRows:
    return BookingRows(
        booking=booking,
        occurrences=list(booking.occurrences.all()),
        participants=list(
            Participant.objects.filter(booking=booking).select_related("user").order_by("pk")
        ),
    )


def _with_zones(calendar: icalendar.Calendar, occurrences: Iterable[Occurrence]) -> bytes:
    starts = [o.start for o in occurrences]
    if starts:
        calendar.add_missing_timezones(
            first_date=(min(starts) - dt.timedelta(days=400)).date(),
            last_date=(max(starts) + dt.timedelta(days=400)).date(),
        )
    return calendar.to_ical()


def booking_calendar(
    *,
    booking: Booking,
    method: str,
    reveals: EmailReveals,
    reader: Reader,
    cancelled: Sequence[Occurrence] = (),
    now: dt.datetime | None = None,
) -> bytes | None:
    """The iCalendar text of `booking` for `reader`: REQUEST (the reader's meetings as
    they stand), CANCEL (`cancelled`, or the whole entry when nothing is left for the
    reader) or PUBLISH (a download). None when there is nothing to write (a REQUEST
    for someone with no meeting in it). The caller runs it in the reader's language."""
    if method not in METHODS:
        raise ValueError(f"Unknown iTIP method: {method!r}")
    now = now or timezone.now()
    data = _rows(booking)
    events = _events(
        data,
        method=method,
        reveals=reveals,
        reader=reader,
        cancelled=cancelled,
        now=now,
        stamp=now,
    )
    if not events:
        return None
    return _with_zones(_calendar(method, events), data.occurrences)


def feed_calendar(
    *,
    name: str,
    entries: Iterable[tuple[BookingRows, EmailReveals]],
    reader: Reader,
    now: dt.datetime | None = None,
) -> bytes:
    """A person's calendar feed (METHOD:PUBLISH): each booking's entry as
    `booking_calendar` writes it. DTSTAMP is the booking's last change, so that an
    unchanged feed is the same text (its ETag holds)."""
    now = now or timezone.now()
    events, occurrences = [], []
    for data, reveals in entries:
        reader_here = Reader(
            email=reader.email,
            user_id=reader.user_id,
            is_organizer=data.booking.organizer_id == reader.user_id,
        )
        events += _events(
            data,
            method=PUBLISH,
            reveals=reveals,
            reader=reader_here,
            now=now,
            stamp=data.booking.updated_at,
        )
        occurrences += data.occurrences
    calendar = _calendar(PUBLISH, events)
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    # Calendar services poll at their own pace; this asks for at most hourly.
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return _with_zones(calendar, occurrences)
