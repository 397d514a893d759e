"""The meeting page's forms (BK-5, BK-6, BK-1's invitees): they shape what the organizer
types into what `bookings.services` take, and show a service's refusal next to the field
it names. Whether a change, a cancellation or an invitation is allowed is the services'
to say (one rule, one place): the fields here are not required where the service has its
own, better message."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bookings import selectors
from bookings.models import Booking, Occurrence
from meetingops.errors import ApplicationError

# Where the services name a field by the API's name, the form's own.
SERVICE_FIELDS = {
    "attendee_user_ids": "colleagues",
    "attendee_emails": "guests",
    "start": "start_time",
    "end": "end_time",
}
# Usage rules and conflicts name no field; these are the fields they are about.
RULE_FIELDS = {
    "min_advance": "date",
    "horizon": "date",
    "weekday": "date",
    "working_hours": "start_time",
    "max_duration": "end_time",
    "capacity": "expected_headcount",
    "room_unavailable": "room",
    "recording_unsupported": "recording_allowed",
    "conflict": "start_time",
    "blackout": "start_time",
}
MAX_TEXT = 10_000
ADDRESS_SPLIT = re.compile(r"[\s,;，；]+")


class ServiceErrorsForm(forms.Form):
    """A form that shows a service's refusal (ApplicationError) where it belongs: under
    the fields it names, else under the field its rule concerns, else above the form.
    A field in error is marked `aria-invalid` and described by its message (and, where
    it has one, by its help text: templates/bookings/pages/meeting_field.html)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # the site's labels carry no colon
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_help"

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        names = [field] if field else []
        if field is None and isinstance(error, dict):
            names = list(error)
        for name in names:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                described = f"{self[name].auto_id}_error"
                if described not in attrs.get("aria-describedby", ""):
                    attrs["aria-describedby"] = (
                        f"{attrs.get('aria-describedby', '')} {described}".strip()
                    )
                attrs["aria-invalid"] = "true"

    def add_application_error(self, error: ApplicationError) -> None:
        placed = False
        for name, messages in error.fields.items():
            field = SERVICE_FIELDS.get(name, name)
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
                placed = True
        violations = error.extra.get("violations") or []
        for violation in violations:
            # Each broken rule at its field; one that concerns no field above the form.
            field = RULE_FIELDS.get(violation["code"])
            self.add_error(field if field in self.fields else None, violation["detail"])
            placed = True
        if not violations:
            field = RULE_FIELDS.get(error.code)
            if not placed and field in self.fields:
                self.add_error(field, error.detail)
                placed = True
        if not placed:
            self.add_error(None, error.detail)


def _addresses(text: str) -> list[str]:
    return [a for a in ADDRESS_SPLIT.split(text or "") if a]


class MeetingChangeForm(ServiceErrorsForm):
    """BK-5: everything a change may touch, filled with what the booking holds now. The
    time only for a single meeting (a series' meetings are moved one by one: cancel one
    and book anew)."""

    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    room = forms.ModelChoiceField(label=_("Room"), queryset=None, empty_label=None)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    expected_headcount = forms.IntegerField(label=_("Headcount"), max_value=100_000)
    mode = forms.ChoiceField(label=_("Meeting mode"), choices=Booking.Mode.choices)
    recording_allowed = forms.BooleanField(label=_("Recording allowed"), required=False)
    chat_allowed = forms.BooleanField(label=_("Chat allowed"), required=False)
    password_required = forms.BooleanField(label=_("Password required"), required=False)
    confidential = forms.BooleanField(label=_("Confidential meeting"), required=False)

    def __init__(self, *args, booking: Booking, meeting: Occurrence | None, rooms, **kwargs):
        """`meeting`: the one meeting whose time may move, or None for a series."""
        self.booking, self.meeting = booking, meeting
        initial = {
            "topic": booking.topic,
            "agenda": booking.agenda,
            "room": booking.room,
            "expected_headcount": booking.expected_headcount,
            "mode": booking.mode,
            "recording_allowed": booking.recording_allowed,
            "chat_allowed": booking.chat_allowed,
            "password_required": booking.password_required,
            "confidential": booking.confidential,
        }
        if meeting is not None:
            start, end = timezone.localtime(meeting.start), timezone.localtime(meeting.end)
            initial.update(date=start.date(), start_time=start.time(), end_time=end.time())
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["room"].queryset = rooms
        if meeting is None:
            for name in ("date", "start_time", "end_time"):
                del self.fields[name]

    def changes(self) -> dict:
        """The fields for `booking_change`, the times aware in the user's zone (an end
        at or before the start is the next day's only if the service says so: it is
        given as typed)."""
        data = dict(self.cleaned_data)
        if self.meeting is not None:
            zone = timezone.get_current_timezone()
            day = data.pop("date")
            data["start"] = dt.datetime.combine(day, data.pop("start_time"), zone)
            data["end"] = dt.datetime.combine(day, data.pop("end_time"), zone)
        return data


class MeetingCancelForm(ServiceErrorsForm):
    """BK-6: the reason, told to the people invited; one meeting of a series or all."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Told to the people invited."),
    )
    occurrence = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AttendeesAddForm(ServiceErrorsForm):
    """Colleagues by their company address, external guests by theirs."""

    colleagues = forms.CharField(
        label=_("Colleagues"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_("Their company email addresses, separated by commas or new lines."),
    )
    guests = forms.CharField(
        label=pgettext_lazy("people", "External guests"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_("Email addresses of people outside the company, if the room admits them."),
    )

    def clean_colleagues(self) -> list:
        addresses = _addresses(self.cleaned_data["colleagues"])
        found = selectors.colleagues_by_email(emails=addresses)
        unknown = [a for a in addresses if a.lower() not in found]
        if unknown:
            raise forms.ValidationError(
                _(
                    "No colleague has the address %(emails)s: check the spelling, or "
                    "invite them as an external guest."
                ),
                params={"emails": ", ".join(unknown)},
                code="unknown_colleague",
            )
        return list(dict.fromkeys(found[a.lower()] for a in addresses))

    def clean_guests(self) -> list[str]:
        return _addresses(self.cleaned_data["guests"])


class AttendeeRemoveForm(forms.Form):
    """Confirms a removal: nothing to fill in."""
