"""The query parameters that filter the API's lists (X-1), as django-filter FilterSets
over what a selector returns: the bookings a user may list, the rooms that can be
booked. Each parameter reads its value with a DRF field, so that a bad value is
refused with the message and code of the API's other input, and the schema documents
it as it documents a serializer (`ApiFilterSet.query_serializer`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from bookings import rules, selectors
from bookings.api.serializers import MAX_HEADCOUNT, MAX_ID
from bookings.models import Booking, Room
from meetingops.api import CalendarDateField


class ApiFormField(forms.Field):
    """A form field that reads its value with a DRF field (`api_field`): its parsing,
    its limits and its messages. An absent value is no filter; one given empty
    (`?status=`) is refused like any value its type does not allow."""

    def __init__(self, *, api_field: serializers.Field, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.api_field = api_field

    def to_python(self, value: Any) -> Any:
        if value == "":
            raise forms.ValidationError(_("Give a value, or leave the parameter out."), "invalid")
        if value in self.empty_values:
            return None
        try:
            return self.api_field.run_validation(value)
        except ValidationError as error:
            details = error.detail if isinstance(error.detail, list) else [error.detail]
            raise forms.ValidationError(
                [forms.ValidationError(str(d), code=getattr(d, "code", None)) for d in details]
            ) from None


class ApiFilter(django_filters.Filter):
    """A filter whose value a DRF field reads: `ApiFilter(serializers.IntegerField(),
    field_name="room_id")`."""

    field_class = ApiFormField

    def __init__(self, api_field: serializers.Field, **kwargs: Any) -> None:
        super().__init__(api_field=api_field, **kwargs)
        self.api_field = api_field


class ApiFilterSet(django_filters.FilterSet):
    """A FilterSet of ApiFilters. `filter(data, queryset)` answers the filtered queryset,
    or raises the API's ValidationError naming every bad parameter."""

    @classmethod
    def query_serializer(cls) -> type[serializers.Serializer]:
        """The parameters as a serializer, for the schema (`extend_schema(parameters=...)`)."""
        fields = {
            name: filter_.api_field.__deepcopy__({})
            for name, filter_ in cls.base_filters.items()
            if isinstance(filter_, ApiFilter)
        }
        return type(f"{cls.__name__}Query", (serializers.Serializer,), fields)

    @classmethod
    def filter(cls, data, queryset: QuerySet, *, errors: dict | None = None) -> QuerySet:
        """`errors`: those another part of the same query already found, reported first."""
        filterset = cls(data, queryset=queryset)
        found = dict(errors or {})
        if not filterset.is_valid():
            for name, messages in filterset.errors.get_json_data().items():
                found[name] = [
                    serializers.ErrorDetail(m["message"], code=m["code"]) for m in messages
                ]
        if found:
            raise ValidationError(found)
        return filterset.qs


def _chosen(queryset: QuerySet, name: str, value: bool) -> QuerySet:
    """A feature asked for (`true`) keeps the rooms that have it; `false` keeps all."""
    return queryset.filter(**{selectors.ROOM_FEATURES[name]: True}) if value else queryset


class RoomFeatureFilter(ApiFilterSet):
    recording = ApiFilter(
        serializers.BooleanField(required=False, help_text="true: only rooms that can record."),
        method=_chosen,
    )
    large_meeting = ApiFilter(serializers.BooleanField(required=False), method=_chosen)
    external_guests = ApiFilter(serializers.BooleanField(required=False), method=_chosen)

    class Meta:
        model = Room
        fields: list[str] = []


def _capacity_field() -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_HEADCOUNT)


class RoomListFilter(RoomFeatureFilter):
    capacity_min = ApiFilter(_capacity_field(), field_name="capacity", lookup_expr="gte")


class RoomFreeFilter(RoomFeatureFilter):
    """The rooms a free-room search looks in: those holding `capacity` people."""

    capacity = ApiFilter(_capacity_field(), field_name="capacity", lookup_expr="gte")


def _days_together(queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
    # Both days bound one meeting: BookingListFilter.filter_queryset applies them.
    return queryset


class BookingListFilter(ApiFilterSet):
    status = ApiFilter(serializers.ChoiceField(choices=Booking.Status.choices, required=False))
    room = ApiFilter(
        serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False),
        field_name="room_id",
    )
    date_from = ApiFilter(
        CalendarDateField(required=False, help_text="A meeting on or after."),
        method=_days_together,
    )
    date_to = ApiFilter(
        CalendarDateField(required=False, help_text="A meeting on or before."),
        method=_days_together,
    )

    class Meta:
        model = Booking
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """`date_from` and `date_to` (company days, inclusive) keep the bookings with one
        meeting starting then, not one after the first day and another before the last."""
        first, last = self.form.cleaned_data.get("date_from"), self.form.cleaned_data.get("date_to")
        if first or last:
            zone = rules.company_zone()
            queryset = queryset.filter(
                selectors.booking_has_meeting_between(
                    start=dt.datetime.combine(first, dt.time.min, tzinfo=zone) if first else None,
                    end=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
                    if last
                    else None,
                )
            )
        return super().filter_queryset(queryset)
