"""The room finder's GET forms (BK-9): the day, the week, and the rooms' filters."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.selectors.calendar import RoomFilters, provider_list_for_calendar

# The largest headcount a room is sought for: more is a typing mistake.
MAX_CAPACITY = 100_000
# A day outside these years is a typing mistake (as the API's CalendarDateField says).
FIRST_YEAR, LAST_YEAR = 2000, 2099

# The features of ROOM_FEATURES, as the filter names them.
FEATURE_LABELS = {
    "recording": _("Recording"),
    "large_meeting": _("Large meetings"),
    "external_guests": _("External guests"),
}


DATE_INPUT = forms.DateInput(attrs={"type": "date"})
_BAD_DAY = _(
    "“%(value)s” is not a day the calendar can show (give it as YYYY-MM-DD): showing today."
)
_BAD_WEEK = _(
    "“%(value)s” is not a day the calendar can show (give it as YYYY-MM-DD): showing this week."
)


class CalendarDayField(forms.DateField):
    """A day as YYYY-MM-DD, within the years the calendar can show."""

    input_formats = ["%Y-%m-%d"]

    def validate(self, value: dt.date | None) -> None:
        super().validate(value)
        if value and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Give a date between the years %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )


class CalendarDayForm(forms.Form):
    """The day a calendar shows. A bad day is no error page: the calendar shows today
    and says why (`day_or_today`)."""

    date = CalendarDayField(label=_("Date"), required=False, widget=DATE_INPUT)

    def day_or_today(self) -> tuple[dt.date, str | None]:
        """The day asked for, or today (the viewer's) with the message to show."""
        today = timezone.localdate()
        if not self.is_valid():
            return today, _BAD_DAY % {"value": self.data.get(self.add_prefix("date"))}
        return self.cleaned_data.get("date") or today, None


class CalendarWeekForm(CalendarDayForm):
    """A week, from the Monday of the day given (`week`)."""

    date = None
    week = CalendarDayField(label=_("Week of"), required=False, widget=DATE_INPUT)

    def day_or_today(self) -> tuple[dt.date, str | None]:
        today = timezone.localdate()
        if not self.is_valid():
            return _monday(today), _BAD_WEEK % {"value": self.data.get(self.add_prefix("week"))}
        return _monday(self.cleaned_data.get("week") or today), None


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class RoomFilterForm(CalendarDayForm):
    """The day calendar's day and the rooms it shows: a capacity, features, a provider.
    A bad filter is said at its field and left out; the calendar still shows."""

    capacity = forms.IntegerField(
        label=_("Seats at least"), required=False, min_value=1, max_value=MAX_CAPACITY
    )
    features = forms.MultipleChoiceField(
        label=_("Features"),
        required=False,
        choices=list(FEATURE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        required=False,
        queryset=provider_list_for_calendar(),
        empty_label=_("Any provider"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("capacity", "provider"):
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_help"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"

    def day_or_today(self) -> tuple[dt.date, str | None]:
        self.is_valid()
        if "date" in self.errors:
            return super().day_or_today()
        return self.cleaned_data.get("date") or timezone.localdate(), None

    def room_filters(self) -> RoomFilters:
        """The filters that are valid (a bad one is left out: its field says why)."""
        self.is_valid()
        data = self.cleaned_data
        provider = data.get("provider")
        return RoomFilters(
            capacity_min=data.get("capacity"),
            features=tuple(data.get("features") or ()),
            provider_id=provider.pk if provider else None,
        )
