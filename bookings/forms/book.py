"""The booking form (BK-1, BK-8, BK-9): it reads what a person typed, in their own time
zone, and hands `bookings.services.booking_request` its own keyword arguments. It holds
no rule: a refusal comes from the service and is placed here at the field it concerns,
with a hint saying what to do."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parseaddr
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bookings import selectors
from bookings.models import Booking, Room
from meetingops.errors import ApplicationError
from security import selectors as people

DURATIONS = (30, 45, 60, 90, 120, 180, 240)
DEFAULT_DURATION = 60
DEFAULT_HEADCOUNT = 2
CUSTOM_END = "end"
MAX_TEXT = 10_000
MAX_HEADCOUNT = 100_000
MAX_ATTENDEE_TEXT = 50_000
# What separates the people typed into the attendees box: commas (Latin and Chinese),
# semicolons and line breaks. A "Name <address>" entry keeps its name's spaces.
ATTENDEE_SEPARATORS = re.compile(r"[,;，；、\n\r]+")

REPEAT_CHOICES = (
    ("none", pgettext_lazy("repeat", "Does not repeat")),
    ("daily", pgettext_lazy("repeat", "Daily")),
    ("weekly", pgettext_lazy("repeat", "Weekly")),
    ("monthly", pgettext_lazy("repeat", "Monthly")),
)
REPEAT_ENDS = (
    ("count", _("After a number of meetings")),
    ("until", _("On a date")),
)
WEEKDAYS = (
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("7", _("Sun")),
)
# The room features a search may ask for, by the names ROOM_FEATURES gives them.
FEATURE_LABELS = {
    "recording": _("Can record"),
    "large_meeting": _("Large meetings"),
    "external_guests": _("External guests"),
}

# Where a service's refusal is shown: its field names (as the API names them) ...
ERROR_FIELDS = {
    "start": "start",
    "end": "end",
    "topic": "topic",
    "agenda": "agenda",
    "expected_headcount": "expected_headcount",
    "mode": "mode",
    "reminder_lead_minutes": "reminder_lead_minutes",
    "room": "room",
    "attendee_user_ids": "attendees",
    "attendee_emails": "attendees",
    "recurrence": "repeat",
    "recurrence.freq": "repeat",
    "recurrence.interval": "repeat_interval",
    "recurrence.weekdays": "repeat_weekdays",
    "recurrence.until": "repeat_until",
    "recurrence.count": "repeat_count",
}
# ... or, for a usage rule or a conflict that names no field, its code.
CODE_FIELDS = {
    "min_advance": "date",
    "horizon": "date",
    "weekday": "date",
    "working_hours": "start",
    "max_duration": "duration",
    "room_unavailable": "room",
    "capacity": "expected_headcount",
    "recording_unsupported": "recording_allowed",
    "external_guests_not_allowed": "attendees",
    "conflict": "room",
    "blackout": "room",
    "series_unavailable": "repeat",
    "end_before_start": "end",
    "slot_too_long": "duration",
}
# What to do about it, said after the service's message.
HINTS = {
    "min_advance": _("Choose a later date or start time."),
    "horizon": _("Choose an earlier date."),
    "weekday": _("Choose another day."),
    "working_hours": _("Choose a start time and duration within working hours."),
    "max_duration": _("Choose a shorter duration."),
    "room_unavailable": _("Choose another room from the list."),
    "capacity": _("Choose a larger room, or lower the headcount."),
    "recording_unsupported": _("Choose a room that can record, or untick recording."),
    "external_guests_not_allowed": _(
        "Choose a room that admits external guests (filter “External guests”), or remove "
        "the guests' addresses."
    ),
    "conflict": _("Choose another room or time: the rooms listed are free for your slot."),
    "blackout": _("Choose another room or time: the rooms listed are free for your slot."),
    "series_unavailable": _("Change the time or the repeat, or choose another room."),
    "user_quota": _("Book a shorter meeting, or in another week."),
    "department_quota": _("Book a shorter meeting, or in another week."),
}


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    """A day and a time typed by the user, in their zone (activated by
    UserTimeZoneMiddleware), as an aware datetime."""
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def split_attendees(text: str) -> list[str]:
    """The entries typed into the attendees box, each once, in order."""
    entries = [e.strip() for e in ATTENDEE_SEPARATORS.split(text or "")]
    return list(dict.fromkeys(e for e in entries if e))


def entry_email(entry: str) -> str:
    """The address of an entry: "Name <address>" or the address alone; as typed when it
    holds none (the service then says it is not an address)."""
    _name, address = parseaddr(entry)
    return (address or entry).strip().lower()


class BookingForm(forms.Form):
    """The whole booking form. `cleaned_data` parses; `service_arguments()` gives what
    `booking_request` takes (but the organizer)."""

    topic = forms.CharField(
        label=_("Topic"),
        max_length=200,
        required=False,  # a blank topic is the service's to refuse, with its message
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "required": True}),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what the meeting will decide."),
    )
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the meeting's date."),
            "invalid": _("Give the date as YYYY-MM-DD."),
        },
    )
    start = forms.TimeField(
        label=_("Start"),
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
        error_messages={
            "required": _("Give the start time."),
            "invalid": _("Give the start time as HH:MM."),
        },
    )
    duration = forms.ChoiceField(
        label=_("Duration"),
        choices=[
            *((str(m), _("%(minutes)s min") % {"minutes": m}) for m in DURATIONS),
            (CUSTOM_END, _("Until an end time")),
        ],
        initial=str(DEFAULT_DURATION),
    )
    end = forms.TimeField(
        label=_("End"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
        help_text=_("Used when the duration is “Until an end time”."),
        error_messages={"invalid": _("Give the end time as HH:MM.")},
    )
    expected_headcount = forms.IntegerField(
        label=_("Headcount"),
        max_value=MAX_HEADCOUNT,
        initial=DEFAULT_HEADCOUNT,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        help_text=_("Everyone who joins, you included."),
        error_messages={
            "required": _("Say how many people will join, you included."),
            "invalid": _("Give the headcount as a whole number."),
        },
    )
    attendees = forms.CharField(
        label=_("Attendees"),
        required=False,
        max_length=MAX_ATTENDEE_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_(
            "Colleagues or external guests' email addresses, separated by commas or new "
            "lines. External guests only in rooms that admit them."
        ),
    )
    mode = forms.ChoiceField(
        label=_("Meeting mode"),
        choices=Booking.Mode.choices,
        initial=Booking.Mode.VIDEO,
        widget=forms.RadioSelect,
    )
    recording_allowed = forms.BooleanField(label=_("Recording allowed"), required=False)
    chat_allowed = forms.BooleanField(label=_("Chat allowed"), required=False, initial=True)
    password_required = forms.BooleanField(label=_("Password required"), required=False)
    confidential = forms.BooleanField(
        label=_("Confidential meeting"),
        required=False,
        help_text=_("Others see only that the room is busy."),
    )
    # BK-12: the meeting's own reminders; the page shows the policy's (`policy_leads_show`).
    reminder_lead_minutes = forms.CharField(
        label=_("Reminders"),
        required=False,  # empty: the usage policy's; the service checks what is typed
        max_length=100,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    repeat = forms.ChoiceField(
        label=_("Repeat"), choices=REPEAT_CHOICES, initial="none", required=False
    )
    repeat_interval = forms.IntegerField(
        label=_("Every"),
        required=False,
        initial=1,
        min_value=1,
        max_value=12,
        widget=forms.NumberInput(attrs={"min": 1, "max": 12, "inputmode": "numeric"}),
        help_text=_("1 = every day, week or month; 2 = every other one."),
    )
    repeat_weekdays = forms.MultipleChoiceField(
        label=_("On"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Weekly only; none ticked: the meeting's own weekday."),
    )
    repeat_ends = forms.ChoiceField(
        label=_("Ends"), choices=REPEAT_ENDS, initial="count", widget=forms.RadioSelect
    )
    repeat_count = forms.IntegerField(
        label=_("Number of meetings"),
        required=False,
        initial=4,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        error_messages={"invalid": _("Give the number of meetings as a whole number.")},
    )
    repeat_until = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give the last day as YYYY-MM-DD.")},
    )
    skip_unavailable = forms.BooleanField(
        label=_("Book only the free meetings of the series"),
        required=False,
        help_text=_("Leave out the meetings the preview shows as not possible."),
    )
    room = forms.IntegerField(
        label=_("Room"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.HiddenInput,  # the template lists the free rooms as radio buttons
    )
    # Filters of the room list: features the room must have.
    need_recording = forms.BooleanField(label=FEATURE_LABELS["recording"], required=False)
    need_large_meeting = forms.BooleanField(label=FEATURE_LABELS["large_meeting"], required=False)
    need_external_guests = forms.BooleanField(
        label=FEATURE_LABELS["external_guests"], required=False
    )

    FEATURE_FIELDS = {
        "recording": "need_recording",
        "large_meeting": "need_large_meeting",
        "external_guests": "need_external_guests",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # book.js refreshes the room list (and then the preview) or the preview alone
        # when these change: the data-follow attribute says which.
        for name in (
            "date",
            "start",
            "duration",
            "end",
            "expected_headcount",
            "recording_allowed",
            *self.FEATURE_FIELDS.values(),
        ):
            self.fields[name].widget.attrs["data-follow"] = "rooms"
        for name in (
            "repeat",
            "repeat_interval",
            "repeat_weekdays",
            "repeat_ends",
            "repeat_count",
            "repeat_until",
        ):
            self.fields[name].widget.attrs["data-follow"] = "preview"
        self._room: Room | None = None
        self._room_read = False
        self._resolved: tuple[list, list[str]] | None = None

    # -- reading ---------------------------------------------------------------------

    def policy_leads_show(self, leads: str) -> None:
        """The reminders field's hint, naming the usage policy's lead times `leads`
        ("1440,15"), which an empty field keeps."""
        self.fields["reminder_lead_minutes"].help_text = _(
            "Optional: minutes before the start, separated by commas, e.g. 1440,15 = a "
            "day and a quarter of an hour before. Empty: the usage policy's, %(leads)s."
        ) % {"leads": leads}

    def clean_repeat(self) -> str:
        return self.cleaned_data.get("repeat") or "none"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("duration") == CUSTOM_END
            and not cleaned.get("end")
            and not (self.has_error("end"))
        ):
            self.add_error("end", _("Give the end time, or choose a duration."))
        if cleaned.get("repeat", "none") != "none":
            ends = cleaned.get("repeat_ends")
            if (
                ends == "until"
                and not cleaned.get("repeat_until")
                and not (self.has_error("repeat_until"))
            ):
                self.add_error("repeat_until", _("Give the series' last day."))
            if (
                ends == "count"
                and cleaned.get("repeat_count") is None
                and not (self.has_error("repeat_count"))
            ):
                self.add_error("repeat_count", _("Give the number of meetings."))
        return cleaned

    def value(self, name: str) -> Any:
        """A field's value parsed, or its initial value when unbound, else None."""
        if self.is_bound:
            self.is_valid()
            return self.cleaned_data.get(name)
        field = self.fields[name]
        value = self.initial.get(name, field.initial)
        return value() if callable(value) else value

    def slot(self) -> tuple[dt.datetime, dt.datetime] | None:
        """The meeting's start and end, aware in the user's zone; None while the date or
        the times are missing or cannot be read."""
        day, start, duration = self.value("date"), self.value("start"), self.value("duration")
        if not duration and self.value("end"):
            # The URL contract (?date=&start=&end=, a calendar's free slot) gives an end.
            duration = CUSTOM_END
        if not (day and start and duration):
            return None
        starts = _local(day, start)
        if duration == CUSTOM_END:
            end = self.value("end")
            if not end:
                return None
            ends = _local(day, end)
            # An end at or before the start is a meeting past midnight only to a
            # machine: the service says it must end after it starts.
            return starts, ends
        return starts, starts + dt.timedelta(minutes=int(duration))

    def headcount(self) -> int:
        headcount = self.value("expected_headcount")
        return headcount if isinstance(headcount, int) and headcount > 0 else 1

    def features(self) -> list[str]:
        """The features the rooms listed must have: those ticked, and recording when
        the meeting allows recording."""
        wanted = [name for name, field in self.FEATURE_FIELDS.items() if self.value(field)]
        if self.value("recording_allowed") and "recording" not in wanted:
            wanted.append("recording")
        return wanted

    def room_id(self) -> int | None:
        return self.value("room")

    def chosen_room(self) -> Room | None:
        """The room chosen, as employees may see it (not retired); None when none is."""
        if not self._room_read:
            room_id = self.room_id()
            self._room = selectors.room_get_listed(room_id=room_id) if room_id else None
            self._room_read = True
        return self._room

    def recurrence_rule(self) -> dict | None:
        """The series' rule as `bookings.recurrence.rule_from` reads it; None for one
        meeting."""
        freq = self.value("repeat") or "none"
        if freq == "none":
            return None
        rule: dict[str, Any] = {"freq": freq, "interval": self.value("repeat_interval") or 1}
        if freq == "weekly":
            rule["weekdays"] = [int(d) for d in self.value("repeat_weekdays") or ()]
        if self.value("repeat_ends") == "until":
            rule["until"] = self.value("repeat_until")
        else:
            rule["count"] = self.value("repeat_count")
        return rule

    def attendees_resolved(self) -> tuple[list, list[str]]:
        """The people typed: the accounts found by their address, and the addresses of
        everyone else (external guests). One query."""
        if self._resolved is None:
            entries = [entry_email(e) for e in split_attendees(self.value("attendees") or "")]
            accounts = people.user_list_by_emails(emails=entries)
            users = [accounts[e] for e in entries if e in accounts]
            guests = [e for e in entries if e not in accounts]
            self._resolved = (users, guests)
        return self._resolved

    def service_arguments(self) -> dict[str, Any]:
        """`booking_request`'s keyword arguments but the organizer. Precondition: the
        form is valid and a room is chosen."""
        start, end = self.slot()
        users, guests = self.attendees_resolved()
        data = self.cleaned_data
        return {
            "room": self.chosen_room(),
            "start": start,
            "end": end,
            "topic": data["topic"],
            "agenda": data["agenda"],
            "expected_headcount": data["expected_headcount"],
            "mode": data["mode"],
            "recording_allowed": data["recording_allowed"],
            "chat_allowed": data["chat_allowed"],
            "password_required": data["password_required"],
            "confidential": data["confidential"],
            "attendee_users": users,
            "attendee_emails": guests,
            "recurrence_rule": self.recurrence_rule(),
            "skip_unavailable": data["skip_unavailable"] and self.recurrence_rule() is not None,
            "reminder_lead_minutes": data["reminder_lead_minutes"],
        }

    def require_room(self) -> bool:
        """Whether a room that can be shown is chosen; if not, says so at the room."""
        if self.chosen_room() is None:
            self.add_error(
                "room",
                _("Choose a room from the list of free rooms.")
                if self.room_id() is None
                else _("That room cannot be booked: choose one from the list of free rooms."),
            )
            return False
        return True

    # -- refusals ------------------------------------------------------------------------

    def add_application_error(self, error: ApplicationError) -> None:
        """A service's refusal at the fields it concerns, each message with what to do.
        A usage-rule refusal names every rule broken: each goes to its own field."""
        violations = getattr(error, "violations", None)
        if violations:
            for violation in violations:
                self._add_refusal(violation.code, str(violation.message()), {})
            return
        self._add_refusal(error.code, error.detail, error.fields)

    def _add_refusal(self, code: str, detail: str, fields: dict[str, list[str]]) -> None:
        hint = HINTS.get(code)
        message = f"{detail} {hint}" if hint else detail
        targets = [ERROR_FIELDS[f] for f in fields if f in ERROR_FIELDS] or [CODE_FIELDS.get(code)]
        if targets[0] == "end" and self.value("duration") != CUSTOM_END:
            targets[0] = "duration"
        target = targets[0]
        if target is not None and message in self.errors.get(target, []):
            return
        self.add_error(target, message)


class PeopleSearchForm(forms.Form):
    """The type-ahead's query (BK-1)."""

    q = forms.CharField(max_length=100, required=False, strip=True)
