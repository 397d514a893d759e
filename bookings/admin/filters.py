"""The approvers' queue's filter by meeting date, in the viewer's time zone (BK-4)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from bookings import selectors

# The filter's date inputs and presets send ISO dates, and its error message names that
# format: other spellings (which vary with the viewer's language) are not guessed at.
ISO_DATE = "%Y-%m-%d"


class MeetingDateForm(forms.Form):
    meeting_from = forms.DateField(label=_("from"), required=False, input_formats=[ISO_DATE])
    meeting_to = forms.DateField(label=_("to"), required=False, input_formats=[ISO_DATE])


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime | None:
    """The moment `day` begins in `zone`, or None when that moment lies outside what
    a datetime holds in UTC (the calendar's first or last day): the range is then open
    on that side, which is what such a date asks for."""
    try:
        moment = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        moment.astimezone(dt.UTC)
    except OverflowError:
        return None
    return moment


class MeetingDateFilter(admin.ListFilter):
    """Bookings with a meeting starting in a range of days, in the viewer's time zone:
    presets (today, this week…) or a from/to pair of dates, both inclusive."""

    title = _("meeting date")
    template = "admin/bookings/booking/meeting_date_filter.html"
    parameters = ("meeting_from", "meeting_to")

    def __init__(self, request, params, model, model_admin) -> None:
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                value = params.pop(name)
                self.used_parameters[name] = value[-1] if isinstance(value, list) else value
        # A malformed date is left out on its own and the viewer is told: the list keeps
        # its other filters (and the other bound), where Django's IncorrectLookupParameters
        # would redirect to the bare list and drop them all without a word.
        checked = MeetingDateForm(self.used_parameters)
        rejected = [(name, self.used_parameters.pop(name)) for name in checked.errors]
        self.form = MeetingDateForm(self.used_parameters or None)
        self.other_parameters: list[tuple[str, str]] = []
        self._report(request, rejected)

    @staticmethod
    def _report(request, rejected: list[tuple[str, str]]) -> None:
        # Facet counts build the list's filters again while the page renders; the
        # request remembers what was said, so a value is reported once, on this page.
        reported = request.__dict__.setdefault("_meeting_date_reported", set())
        for name, value in rejected:
            if (name, value) in reported:
                continue
            reported.add((name, value))
            messages.error(
                request,
                _(
                    "The meeting date “%(value)s” is not a valid date, so the list is not "
                    "filtered by it. Use the format YYYY-MM-DD."
                )
                % {"value": Truncator(value).chars(40)},
            )

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return list(self.parameters)

    def _bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        if not self.used_parameters or not self.form.is_valid():
            return None, None  # the form holds only values that passed in __init__
        zone = timezone.get_current_timezone()
        first, last = self.form.cleaned_data["meeting_from"], self.form.cleaned_data["meeting_to"]
        start = _midnight(first, zone) if first else None
        end = None
        if last and last < dt.date.max:
            end = _midnight(last + dt.timedelta(days=1), zone)
        return start, end

    def queryset(self, request, queryset):
        start, end = self._bounds()
        if start is None and end is None:
            return queryset
        return queryset.filter(selectors.booking_has_meeting_between(start=start, end=end))

    def _presets(self) -> list[tuple[str, dt.date | None, dt.date | None]]:
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday())
        return [
            (_("Any date"), None, None),
            (_("Today"), today, today),
            (_("Tomorrow"), today + dt.timedelta(days=1), today + dt.timedelta(days=1)),
            (_("This week"), monday, monday + dt.timedelta(days=6)),
            (_("Next week"), monday + dt.timedelta(days=7), monday + dt.timedelta(days=13)),
            (_("From today on"), today, None),
            (_("Past"), None, today - dt.timedelta(days=1)),
        ]

    def choices(self, changelist):
        # The from/to form resubmits the list's other filters and search as they are.
        self.other_parameters = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name not in self.parameters
            for value in values
        ]
        current = (
            self.used_parameters.get("meeting_from", ""),
            self.used_parameters.get("meeting_to", ""),
        )
        for label, first, last in self._presets():
            wanted = dict(
                zip(
                    self.parameters,
                    (first.isoformat() if first else "", last.isoformat() if last else ""),
                    strict=True,
                )
            )
            yield {
                "selected": tuple(wanted.values()) == current,
                "query_string": changelist.get_query_string(
                    {name: value for name, value in wanted.items() if value},
                    [name for name, value in wanted.items() if not value],
                ),
                "display": label,
            }
