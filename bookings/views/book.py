"""Book a meeting (BK-1, BK-8, BK-9): one form, its free rooms and its series preview.

The page parses the form, asks the selectors which rooms are free and what a series
would meet, and hands the request to `bookings.services.booking_request`, which holds
every rule. With htmx the room list, the series preview and the colleagues' type-ahead
follow what is typed (the partials are the templates the page itself includes); without
JavaScript the "Find rooms" button re-renders the page with them, and the form is a
plain POST."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from bookings import rules, selectors, services
from bookings.forms.book import (
    CUSTOM_END,
    DEFAULT_DURATION,
    DURATIONS,
    FEATURE_LABELS,
    BookingForm,
    PeopleSearchForm,
)
from bookings.models import Booking, Room
from meetingops.errors import ApplicationError
from security import selectors as people

PAGE = "bookings/pages/book.html"
ROOMS = "bookings/pages/book_rooms.html"
PREVIEW = "bookings/pages/book_preview.html"
PEOPLE = "bookings/pages/book_people.html"
# The button that asks for the free rooms (and the preview) without booking: the
# no-JavaScript flow.
FIND_ROOMS = "find_rooms"
# The free rooms listed at first, smallest first: the ones that fit best. A company with
# 200 rooms would otherwise scroll past a hundred to reach the button; "Show all" lists
# the rest.
ROOMS_SHOWN = 12
ROOMS_ALL = "rooms_all"  # the checkbox of book_rooms.html


@dataclass(frozen=True)
class RoomRow:
    room: Room
    features: list[str]
    checked: bool


@dataclass
class RoomChoices:
    """The room list as the form shows it: the free rooms that fit, the one chosen
    (free or not), and why there is no list when there is none."""

    rooms: list[Room] = field(default_factory=list)
    chosen: int | None = None
    chosen_missing: bool = False
    searched: bool = False
    problem: str = ""
    # Every free room, or the best-fitting ROOMS_SHOWN of them (and the one chosen).
    show_all: bool = False

    @property
    def total(self) -> int:
        return len(self.rooms)

    @property
    def many(self) -> bool:
        """More rooms are free than the list shows at first: it offers "Show all"."""
        return self.total > ROOMS_SHOWN

    @property
    def hidden(self) -> int:
        return self.total - len(self._shown())

    def _shown(self) -> list[Room]:
        if self.show_all or self.total <= ROOMS_SHOWN:
            return self.rooms
        shown = self.rooms[:ROOMS_SHOWN]
        shown += [room for room in self.rooms[ROOMS_SHOWN:] if room.pk == self.chosen]
        return shown

    @cached_property
    def rows(self) -> list[RoomRow]:
        """Each room shown with its features' names; the one chosen checked, else the
        first (the smallest that fits) when nothing is chosen yet."""
        chosen = (
            self.chosen if self.chosen is not None else (self.rooms[0].pk if self.rooms else None)
        )
        return [
            RoomRow(
                room=room,
                features=[
                    str(FEATURE_LABELS[name])
                    for name, attribute in selectors.ROOM_FEATURES.items()
                    if getattr(room, attribute)
                ],
                checked=room.pk == chosen,
            )
            for room in self._shown()
        ]


@dataclass
class Preview:
    """The series preview: each meeting with whether it can be booked and why not."""

    meetings: list[dict] = field(default_factory=list)
    shown: bool = False
    problem: str = ""

    @property
    def blocked(self) -> int:
        return sum(1 for m in self.meetings if not m["free"])


def _room_choices(form: BookingForm) -> RoomChoices:
    """BK-9: the active rooms free for the form's slot, holding its headcount, with the
    features asked for. Three queries (rooms with providers, then what holds them)."""
    choices = RoomChoices(chosen=form.room_id(), show_all=bool(form.data.get(ROOMS_ALL)))
    slot = form.slot()
    if slot is None:
        choices.problem = _("Give a date, a start and a duration to see the free rooms.")
        return choices
    # The smallest room that holds everyone first: the one to choose, most often.
    candidates = selectors.rooms_narrowed(
        selectors.room_list_active(), capacity_min=form.headcount(), features=form.features()
    ).order_by("capacity", "name")
    try:
        choices.rooms = selectors.room_list_free_for_slot(
            start=slot[0], end=slot[1], rooms=candidates
        )
    except ApplicationError as error:
        choices.problem = error.detail
        return choices
    choices.searched = True
    choices.chosen_missing = choices.chosen is not None and all(
        room.pk != choices.chosen for room in choices.rooms
    )
    return choices


def _preview(form: BookingForm) -> Preview:
    """BK-8: the series' meetings in the chosen room, before it is requested."""
    rule = form.recurrence_rule()
    if rule is None:
        return Preview()
    slot, room = form.slot(), form.chosen_room()
    if slot is None or room is None:
        return Preview(
            shown=True, problem=_("Choose a time and a room to see the series' meetings.")
        )
    try:
        meetings = services.series_preview(
            organizer=form.user,
            room=room,
            start=slot[0],
            end=slot[1],
            recurrence_rule=rule,
            expected_headcount=form.headcount(),
        )
    except ApplicationError as error:
        return Preview(shown=True, problem=error.detail)
    return Preview(meetings=[_preview_row(m) for m in meetings], shown=True)


def _preview_row(meeting: dict) -> dict:
    """A preview's meeting with its state for the page: free, taken (another booking
    holds the room), blackout, or against a usage rule."""
    codes = {problem["code"] for problem in meeting["problems"]}
    if not codes:
        state, label = "free", _("Free")
    elif "conflict" in codes:
        state, label = "taken", _("Taken")
    elif "blackout" in codes:
        state, label = "blackout", _("Blackout period")
    else:
        state, label = "rule", _("Against the rules")
    return {**meeting, "state": state, "state_label": label}


def _form(request: HttpRequest, data: QueryDict | None = None, **kwargs) -> BookingForm:
    form = BookingForm(data, **kwargs)
    form.user = request.user
    return form


def _initial(request: HttpRequest) -> dict:
    """The form's first values: a calendar's free slot (?room=&date=&start=&end=, the
    user's local time) where one is given and readable, else the next start the policy
    allows, an hour, two people, video."""
    duration = dt.timedelta(minutes=DEFAULT_DURATION)
    start = timezone.localtime(
        selectors.booking_first_bookable_start(now=timezone.now(), duration=duration)
    )
    initial: dict = {"date": start.date(), "start": start.time().replace(second=0)}
    given = _form(request, request.GET)
    given.is_valid()
    read = given.cleaned_data
    if read.get("room"):
        initial["room"] = read["room"]
    if read.get("date") and read.get("start"):
        initial["date"], initial["start"] = read["date"], read["start"]
        if read.get("end"):
            minutes = (
                dt.datetime.combine(read["date"], read["end"])
                - dt.datetime.combine(read["date"], read["start"])
            ).total_seconds() / 60
            if minutes in DURATIONS:
                initial["duration"] = str(int(minutes))
            else:
                initial["duration"], initial["end"] = CUSTOM_END, read["end"]
    return initial


def _page(request: HttpRequest, form: BookingForm, *, status: int = 200) -> HttpResponse:
    form.policy_leads_show(rules.policy_current().reminder_lead_minutes)
    context = {
        "form": form,
        "choices": _room_choices(form),
        "preview": _preview(form),
        "find_rooms": FIND_ROOMS,
    }
    return render(request, PAGE, context, status=status)


def _booked_message(request: HttpRequest, requested: services.BookingRequested) -> None:
    """What happens next, said where the organizer lands: approved by the usage policy,
    or pending until an approver decides (BK-4)."""
    count = len(requested.occurrences)
    if all(o.status == Booking.Status.APPROVED for o in requested.occurrences):
        text = ngettext(
            "Your meeting is booked: the usage policy approved it automatically.",
            "Your %(count)d meetings are booked: the usage policy approved them automatically.",
            count,
        )
    else:
        text = ngettext(
            "Your request is pending: an approver reviews it, and you are told by email "
            "when they decide.",
            "Your request for %(count)d meetings is pending: an approver reviews it, and you "
            "are told by email when they decide.",
            count,
        )
    messages.success(request, text % {"count": count})


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """GET: the form, filled in from a calendar's free slot when one is given. POST with
    "Find rooms": the same form with the free rooms for what was typed. POST: book."""
    if request.method == "GET":
        return _page(request, _form(request, initial=_initial(request)))
    form = _form(request, request.POST)
    if request.POST.get("action") == FIND_ROOMS:
        form.is_valid()
        form.errors.clear()  # nothing was submitted yet: no error to show but the list's
        return _page(request, form)
    if not (form.is_valid() & form.require_room()):
        return _page(request, form, status=422)
    try:
        requested = services.booking_request(organizer=request.user, **form.service_arguments())
    except ApplicationError as error:
        form.add_application_error(error)
        return _page(request, form, status=422)
    _booked_message(request, requested)
    # 303: the browser GETs the meeting's page, and a reload there posts nothing again.
    response = HttpResponseRedirect(reverse("bookings:meeting", args=[requested.booking.pk]))
    response.status_code = 303
    return response


@login_required
@require_GET
def rooms(request: HttpRequest) -> HttpResponse:
    """The room list for the slot typed so far (htmx, or opened on its own)."""
    form = _form(request, request.GET)
    form.is_valid()
    context = {"form": form, "choices": _room_choices(form)}
    return render(request, ROOMS, context)


@login_required
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    """The series preview for what is typed so far (htmx, or opened on its own)."""
    form = _form(request, request.GET)
    form.is_valid()
    return render(request, PREVIEW, {"form": form, "preview": _preview(form)})


@login_required
@require_GET
def people_search(request: HttpRequest) -> HttpResponse:
    """BK-1: colleagues to invite whose name or address holds the query, as the options
    of the attendees' type-ahead. One query."""
    search = PeopleSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = people.user_search_for_invite(query=query, exclude=[request.user.pk])
    return render(request, PEOPLE, {"people": found, "query": query})


urlpatterns = [
    path("book/", book, name="book"),
    path("book/rooms/", rooms, name="book_rooms"),
    path("book/preview/", preview, name="book_preview"),
    path("book/people/", people_search, name="book_people"),
]
