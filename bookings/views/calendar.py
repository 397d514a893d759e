"""The room finder and calendars (BK-9): a day of rooms x hours, a week of one room, a
week of my meetings. Each page is a server-rendered table that works without
JavaScript (busy periods, and free slots that open the booking form filled in); the
vendored EventCalendar draws the same data, read as JSON from the page's `events`
route (the day's page and its htmx results carry that JSON in themselves: one request
and one read of the day; its table lists TABLE_ROOMS rooms a page, the drawing all).
What a viewer may read of a meeting is `bookings.secrecy`'s, asked by the selectors:
a meeting hidden from the viewer arrives here as "busy", without topic or booking."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import orjson
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bookings.forms.calendar import (
    FEATURE_LABELS,
    CalendarWeekForm,
    RoomFilterForm,
)
from bookings.models import Occurrence, Room
from bookings.selectors import (
    CalendarWindow,
    calendar_for_day,
    calendar_for_my_week,
    calendar_for_room_week,
)

# A free slot opens the booking form for an hour at most; the form changes it.
BOOK_LENGTH = dt.timedelta(hours=1)
# The hours the calendar shows when the window has no working hours and no meeting.
DEFAULT_HOURS = (dt.time(8, 0), dt.time(20, 0))
# The day's table lists this many rooms a page (the drawing shows them all): 200 rooms'
# thousand meetings and free slots are a page too long to read and to write.
TABLE_ROOMS = 25


# -- what the pages and the JSON show of a window -----------------------------------------


class _Links:
    """The pages' URLs for many rooms and meetings, each route reversed once: a day of
    200 rooms writes a thousand links."""

    _ID = 918273645  # stands for the id in a reversed route

    def __init__(self) -> None:
        self.book = reverse("bookings:book")
        self._room = reverse("bookings:calendar_room", args=[self._ID])
        self._meeting = reverse("bookings:meeting", args=[self._ID])

    def room_week(self, room_id: int) -> str:
        return self._room.replace(str(self._ID), str(room_id))

    def meeting(self, booking_id: int) -> str:
        return self._meeting.replace(str(self._ID), str(booking_id))

    def book_slot(self, room_id: int, start: dt.datetime, end: dt.datetime) -> str:
        """The booking form filled in for a slot (the URL contract: the viewer's local
        date and times), an hour at most: the form changes it."""
        start, end = timezone.localtime(start), timezone.localtime(min(end, start + BOOK_LENGTH))
        query = {
            "room": room_id,
            "date": start.date().isoformat(),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M") if end.date() == start.date() else "23:59",
        }
        return f"{self.book}?{urlencode(query)}"


class _Wall(dict):
    """Times as the viewer's wall clock, without offset: EventCalendar draws such a time
    as it is, whatever the browser's own zone (the viewer's may not be it). A day's
    meetings share a few dozen times: each is written once."""

    def __init__(self) -> None:
        super().__init__()
        self.zone = timezone.get_current_timezone()

    def __missing__(self, moment: dt.datetime) -> str:
        local = moment.astimezone(self.zone).replace(tzinfo=None)
        text = self[moment] = local.isoformat(timespec="seconds")
        return text


class _Clock(dict):
    """Times as the tables write them: the machine's ISO form and the viewer's HH:MM,
    each made once (a day's thousand meetings share a few dozen times)."""

    def __init__(self) -> None:
        super().__init__()
        self.zone = timezone.get_current_timezone()

    def __missing__(self, moment: dt.datetime) -> dict:
        local = moment.astimezone(self.zone)
        shown = self[moment] = {"iso": local.isoformat(), "hm": local.strftime("%H:%M")}
        return shown


def _for_table(periods: list[dict], clock: _Clock) -> list[dict]:
    """Periods (meetings, unavailable times) with their times written for a table."""
    return [
        {**period, "from": clock[period["start"]], "to": clock[period["end"]]} for period in periods
    ]


def _free_links(room: dict, slots, links: _Links, clock: _Clock) -> list[dict]:
    book, where = _("Book %(start)s–%(end)s"), _("in %(room)s")
    return [
        {
            "url": links.book_slot(room["id"], start, end),
            "text": book % {"start": clock[start]["hm"], "end": clock[end]["hm"]},
            "where": where % {"room": room["name"]},
        }
        for start, end in slots
    ]


def _shown(window: CalendarWindow, links: _Links) -> list[dict]:
    """The meetings that meet the window themselves (the selector reads those whose
    preparation does too, for the free slots), each with its title and, for mine, the
    link to its page."""
    busy, mine = _("Busy"), _("My meeting: %(topic)s")
    shown = []
    for meeting in window.meetings:
        if meeting["end"] <= window.begin or meeting["start"] >= window.finish:
            continue
        if meeting["busy"]:
            title, kind = busy, "busy"
        elif meeting["mine"]:
            title, kind = mine % {"topic": meeting["topic"]}, "mine"
        else:
            title, kind = meeting["topic"], "other"
        url = links.meeting(meeting["booking"]) if meeting["mine"] else None
        shown.append({**meeting, "title": title, "kind": kind, "url": url})
    return shown


def _unavailable(window: CalendarWindow) -> list[dict]:
    """What holds rooms besides meetings: blackouts (one room's, or every room's) and
    rooms under maintenance (the whole window)."""
    all_ids = [room["id"] for room in window.rooms]
    periods = [
        {
            "rooms": [blackout["room"]] if blackout["room"] else all_ids,
            "start": max(blackout["start"], window.begin),
            "end": min(blackout["end"], window.finish),
            "title": _("Unavailable: %(reason)s") % {"reason": blackout["reason"]},
        }
        for blackout in window.blackouts
    ]
    periods += [
        {
            "rooms": [room["id"]],
            "start": window.begin,
            "end": window.finish,
            "title": _("Under maintenance: %(reason)s") % {"reason": room["maintenance_reason"]},
        }
        for room in window.rooms
        if room["status"] == Room.Status.MAINTENANCE
    ]
    return periods


def _hours(window: CalendarWindow, meetings: list[dict]) -> tuple[str, str]:
    """The hours of the day the calendar draws: those of the working hours and of the
    meetings shown, in whole hours of the viewer's clock."""
    # A day's thousand meetings share a few dozen times: each pair is looked at once.
    stretches = {(start, end) for room in window.rooms for start, end in room["free"]}
    stretches |= {(m["start"], m["end"]) for m in meetings}
    if not stretches:
        return DEFAULT_HOURS[0].isoformat(), DEFAULT_HOURS[1].isoformat()
    zone = timezone.get_current_timezone()
    first, last = 24 * 60, 0
    for start, end in stretches:
        start, end = start.astimezone(zone), end.astimezone(zone)
        if start.date() != end.date() and end.time() != dt.time.min:
            return "00:00:00", "24:00:00"
        first = min(first, start.hour * 60)
        last = max(last, 24 * 60 if end.time() == dt.time.min else end.hour * 60 + end.minute)
    first = min(first, DEFAULT_HOURS[0].hour * 60)
    last = max(last, DEFAULT_HOURS[1].hour * 60)
    last = -(-last // 60) * 60  # up to a whole hour
    return f"{first // 60:02d}:00:00", f"{last // 60:02d}:00:00"


def _room_label(room: dict) -> str:
    if room["status"] == Room.Status.MAINTENANCE:
        return _("%(room)s (under maintenance)") % {"room": room["name"]}
    return room["name"]


def _payload(window: CalendarWindow, *, view: str, meetings: list[dict] | None = None) -> dict:
    """The window as calendar.js reads it: the rooms (EventCalendar's resources), the
    meetings, what holds rooms besides them (blackouts, maintenance), the free slots a
    click may book. Meetings say only what SE-5 lets the viewer read (the selector's
    "busy" has neither topic nor booking); times are the viewer's wall clock."""
    links, wall = _Links(), _Wall()
    if meetings is None:
        meetings = _shown(window, links)
    slot_min, slot_max = _hours(window, meetings)
    return {
        "view": view,
        "date": timezone.localtime(window.begin).date().isoformat(),
        "zone": timezone.get_current_timezone_name(),
        "locale": "zh-CN" if (get_language() or "").startswith("zh") else "en",
        "slotMinTime": slot_min,
        "slotMaxTime": slot_max,
        "rooms": [
            {"id": room["id"], "title": _room_label(room), "url": links.room_week(room["id"])}
            for room in window.rooms
        ]
        if view == "day"
        else [],
        "meetings": [
            {
                "id": m["id"],
                "room": m["room"],
                "start": wall[m["start"]],
                "end": wall[m["end"]],
                "title": m["title"],
                "kind": m["kind"],  # mine, busy (SE-5's mask) or other
                "status": m["status"],
                "url": m["url"],
                **({"roomName": m["room_name"]} if "room_name" in m else {}),
            }
            for m in meetings
        ],
        "unavailable": [
            {
                "rooms": period["rooms"],
                "start": wall[period["start"]],
                "end": wall[period["end"]],
                "title": period["title"],
            }
            for period in _unavailable(window)
        ],
        "free": [
            {"room": room["id"], "start": wall[start], "end": wall[end]}
            for room in window.rooms
            for start, end in room["free"]
        ],
        "statusLabels": {value: str(label) for value, label in Occurrence.Status.choices},
        "bookUrl": links.book,
        "labels": {"notFree": _("That time is not free in this room: choose a free slot.")},
    }


def _json(payload: dict) -> HttpResponse:
    # orjson: a day of 200 rooms is over a thousand meetings.
    return HttpResponse(orjson.dumps(payload), content_type="application/json")


# As django.utils.html.json_script escapes: the JSON cannot end its <script> element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _json_script(payload: dict, element_id: str) -> str:
    """`payload` in the page, as Django's json_script writes it (a data element that runs
    nothing), encoded by orjson: the day's JSON is a few hundred kilobytes."""
    text = orjson.dumps(payload).decode().translate(_SCRIPT_ESCAPES)
    return format_html(
        '<script id="{}" type="application/json" data-calendar-data>{}</script>',
        element_id,
        mark_safe(text),  # noqa: S308 (JSON with <, > and & escaped as json_script does)
    )


def _query(params: dict) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "", [])}, doseq=True)


# -- the day of every room ----------------------------------------------------------------


def _day_input(request) -> tuple[RoomFilterForm, dt.date, str | None]:
    form = RoomFilterForm(request.GET)
    day, problem = form.day_or_today()
    return form, day, problem


def _day_rows(window: CalendarWindow, rooms: list[dict], meetings: list[dict]) -> list[dict]:
    """The no-JavaScript table: one row for each of `rooms` (a page of the window's), its
    busy periods and free slots, each written here once (the template only joins them:
    a day of rooms is thousands of cells)."""
    links = _Links()
    by_room: dict[int, list[dict]] = {room["id"]: [] for room in rooms}
    for meeting in meetings:
        if meeting["room"] in by_room:
            by_room[meeting["room"]].append(meeting)
    held: dict[int, list[dict]] = {room["id"]: [] for room in rooms}
    for period in _unavailable(window):
        for room_id in period["rooms"]:
            if room_id in held:
                held[room_id].append(period)
    clock = _Clock()
    features = {name: str(label) for name, label in FEATURE_LABELS.items()}
    return [
        {
            **room,
            "features_labels": [features[name] for name in room["features"]],
            # The cells' items, written once here: the same markup as the weeks'
            # calendar_unavailable.html, calendar_meeting.html and calendar_free.html.
            "busy_items": _busy_items(
                _for_table(held[room["id"]], clock), _for_table(by_room[room["id"]], clock)
            ),
            "free_items": format_html_join(
                "",
                '<li class="calendar-free"><a href="{}">{}'
                '<span class="visually-hidden"> {}</span></a></li>',
                (
                    (slot["url"], slot["text"], slot["where"])
                    for slot in _free_links(room, room["free"], links, clock)
                ),
            ),
            "week_url": links.room_week(room["id"]),
        }
        for room in rooms
    ]


def _busy_items(unavailable: list[dict], meetings: list[dict]) -> str:
    """A room's busy cell's list items: its unavailable times, then its meetings (each
    with its title or link and its status word); empty when it has none."""
    held = format_html_join(
        "",
        '<li class="calendar-period mo-unavailable"><time datetime="{}">{}</time>–'
        '<time datetime="{}">{}</time> <span>{}</span></li>',
        (
            (
                p["from"]["iso"],
                p["from"]["hm"],
                p["to"]["iso"],
                "24:00" if p["to"]["hm"] == "00:00" else p["to"]["hm"],
                p["title"],
            )
            for p in unavailable
        ),
    )
    booked = format_html_join(
        "",
        '<li class="calendar-period mo-{}"><time datetime="{}">{}</time>–'
        '<time datetime="{}">{}</time> {} <span class="status status-{}">{}</span></li>',
        (
            (
                m["kind"],
                m["from"]["iso"],
                m["from"]["hm"],
                m["to"]["iso"],
                m["to"]["hm"],
                format_html('<a href="{}">{}</a>', m["url"], m["title"])
                if m["url"]
                else format_html("<span>{}</span>", m["title"]),
                m["status"],
                m["status_label"],
            )
            for m in meetings
        ),
    )
    return held + booked


def _table_pages(rooms_page, query: dict) -> dict | None:
    """The links between the table's pages of rooms (None when one page holds them)."""
    paginator = rooms_page.paginator
    if paginator.num_pages <= 1:
        return None
    here = reverse("bookings:calendar")

    def url(number: int) -> str:
        return here + _query({**query, "rooms": number if number > 1 else None})

    return {
        "first": rooms_page.start_index(),
        "last": rooms_page.end_index(),
        "count": paginator.count,
        "previous_url": url(rooms_page.number - 1) if rooms_page.has_previous() else None,
        "next_url": url(rooms_page.number + 1) if rooms_page.has_next() else None,
        "pages": [
            {"number": n, "url": url(n), "current": n == rooms_page.number}
            for n in paginator.page_range
        ],
    }


@login_required
@require_GET
def day(request):
    form, day_shown, problem = _day_input(request)
    if problem and not request.htmx:
        messages.warning(request, problem)
    window = calendar_for_day(viewer=request.user, day=day_shown, filters=form.room_filters())
    filters = {
        "capacity": request.GET.get("capacity", ""),
        "features": request.GET.getlist("features"),
        "provider": request.GET.get("provider", ""),
    }
    here = reverse("bookings:calendar")
    # One read of the day for the page: the table's page of rooms and, in the page, the
    # drawing's JSON of every room (calendar.js reads it instead of asking the events
    # route, which it asks only when the JSON is not there).
    meetings = _shown(window, _Links())
    rooms_page = Paginator(window.rooms, TABLE_ROOMS).get_page(request.GET.get("rooms"))
    context = {
        "form": form,
        "day": day_shown,
        # The results block alone (htmx) says it itself: the page's messages are not in it.
        "problem": problem if request.htmx else None,
        "rows": _day_rows(window, list(rooms_page.object_list), meetings),
        "room_count": len(window.rooms),
        "table_pages": _table_pages(rooms_page, {"date": day_shown.isoformat(), **filters}),
        "day_data": _json_script(
            _payload(window, view="day", meetings=meetings), "calendar-day-data"
        ),
        "events_url": reverse("bookings:calendar_events")
        + _query({"date": day_shown.isoformat(), **filters}),
        "previous_url": here
        + _query({"date": (day_shown - dt.timedelta(days=1)).isoformat(), **filters}),
        "next_url": here
        + _query({"date": (day_shown + dt.timedelta(days=1)).isoformat(), **filters}),
        "today_url": here + _query(filters),
        "mine_url": reverse("bookings:calendar_mine") + _query({"week": day_shown.isoformat()}),
    }
    if request.htmx:
        return render(request, "bookings/pages/calendar_day_results.html", context)
    return render(request, "bookings/pages/calendar_day.html", context)


@login_required
@require_GET
def day_events(request):
    form, day_shown, _problem = _day_input(request)
    window = calendar_for_day(viewer=request.user, day=day_shown, filters=form.room_filters())
    return _json(_payload(window, view="day"))


# -- a week of one room -------------------------------------------------------------------


def _week_input(request) -> tuple[dt.date, str | None]:
    return CalendarWeekForm(request.GET).day_or_today()


def _week_days(window: CalendarWindow) -> list[dict]:
    """The no-JavaScript table of a week: one row a day."""
    links = _Links()
    meetings = _shown(window, links)
    unavailable = _unavailable(window)
    room = window.rooms[0] if window.rooms else None
    clock = _Clock()
    days = []
    begin = timezone.localtime(window.begin).date()
    for offset in range(7):
        date = begin + dt.timedelta(days=offset)
        on_day = [m for m in meetings if timezone.localtime(m["start"]).date() == date]
        held = [
            p
            for p in unavailable
            if timezone.localtime(p["start"]).date()
            <= date
            <= timezone.localtime(p["end"] - dt.timedelta(microseconds=1)).date()
        ]
        free = [
            s for s in (room["free"] if room else []) if timezone.localtime(s[0]).date() == date
        ]
        days.append(
            {
                "date": date,
                "meetings": _for_table(on_day, clock),
                "unavailable": _for_table(held, clock),
                "free_links": _free_links(room, free, links, clock) if room else [],
            }
        )
    return days


def _week_links(name: str, week: dt.date, args=()) -> dict:
    here = reverse(name, args=args)
    return {
        "previous_url": here + _query({"week": (week - dt.timedelta(days=7)).isoformat()}),
        "next_url": here + _query({"week": (week + dt.timedelta(days=7)).isoformat()}),
        "today_url": here,
    }


def _room_window(request, room_id: int) -> tuple[CalendarWindow, dt.date, str | None]:
    week, problem = _week_input(request)
    window = calendar_for_room_week(viewer=request.user, room_id=room_id, week_start=week)
    if window is None:
        raise Http404(_("There is no such room, or it is retired."))
    return window, week, problem


@login_required
@require_GET
def room_week(request, room_id: int):
    window, week, problem = _room_window(request, room_id)
    if problem:
        messages.warning(request, problem)
    room = window.rooms[0]
    context = {
        "room": {**room, "features_labels": [FEATURE_LABELS[n] for n in room["features"]]},
        "week": week,
        "week_end": week + dt.timedelta(days=6),
        "days": _week_days(window),
        "events_url": reverse("bookings:calendar_room_events", args=[room_id])
        + _query({"week": week.isoformat()}),
        "day_url": reverse("bookings:calendar") + _query({"date": week.isoformat()}),
        **_week_links("bookings:calendar_room", week, args=[room_id]),
    }
    return render(request, "bookings/pages/calendar_room.html", context)


@login_required
@require_GET
def room_week_events(request, room_id: int):
    window, _week, _problem = _room_window(request, room_id)
    return _json(_payload(window, view="room"))


# -- a week of my meetings ----------------------------------------------------------------


@login_required
@require_GET
def my_week(request):
    week, problem = _week_input(request)
    if problem:
        messages.warning(request, problem)
    window = calendar_for_my_week(viewer=request.user, week_start=week)
    context = {
        "week": week,
        "week_end": week + dt.timedelta(days=6),
        "days": _week_days(window),
        "events_url": reverse("bookings:calendar_mine_events") + _query({"week": week.isoformat()}),
        "day_url": reverse("bookings:calendar") + _query({"date": week.isoformat()}),
        **_week_links("bookings:calendar_mine", week),
    }
    return render(request, "bookings/pages/calendar_mine.html", context)


@login_required
@require_GET
def my_week_events(request):
    week, _problem = _week_input(request)
    window = calendar_for_my_week(viewer=request.user, week_start=week)
    return _json(_payload(window, view="mine"))


urlpatterns = [
    path("calendar/", day, name="calendar"),
    path("calendar/events/", day_events, name="calendar_events"),
    path("calendar/rooms/<int:room_id>/", room_week, name="calendar_room"),
    path("calendar/rooms/<int:room_id>/events/", room_week_events, name="calendar_room_events"),
    path("calendar/mine/", my_week, name="calendar_mine"),
    path("calendar/mine/events/", my_week_events, name="calendar_mine_events"),
]
