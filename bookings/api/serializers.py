"""Input and output of the booking endpoints (X-1). Input serializers check shapes and
types only; the rules (usage policy, conflicts, who may do what) stay in the services,
so the API cannot allow what the pages forbid. Output serializers show what the viewer
may see (SE-5), decided by `bookings.secrecy.booking_access`."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cached_property
from operator import attrgetter
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings import secrecy, selectors
from bookings.models import Booking, Occurrence, Room
from bookings.providers import link_comes_later
from bookings.validation import MAX_ATTENDEES
from meetingops.api import AwareDateTimeField, CalendarDateField, QueryInputSerializer

MAX_TEXT = 10_000
MAX_HEADCOUNT = 100_000
# The largest id a database row can have (a signed 64-bit integer): a larger one names
# nothing, and SQLite cannot even compare it.
MAX_ID = 2**63 - 1


def status_field(values: list[str], **kwargs) -> serializers.CharField:
    """A status for output, its values listed in the schema where it is used (rooms,
    bookings and meetings each have a `status` of their own)."""
    schema = {"type": "string", "enum": [str(v) for v in values]}
    return extend_schema_field(schema)(type("StatusField", (serializers.CharField,), {}))(**kwargs)


# -- rooms and availability --------------------------------------------------------------


class RoomField(serializers.PrimaryKeyRelatedField):
    """A room by its id."""

    default_error_messages = {
        "does_not_exist": _("There is no room {pk_value}: GET /api/v1/rooms/ lists them."),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Room.objects.all(), **kwargs)


def _field_copy(field: serializers.Field) -> serializers.Field:
    """A serializer's own copy of a declared field. DRF deep-copies each one, which
    builds it again from its arguments (a booking request built some sixty fields:
    bench/bookings.py (c)); a plain field holds nothing that changes after it is built
    but what `bind` sets, so a copy of its attributes is as good. A field holding
    other fields (a nested serializer, a list's child, a related field's) or a default
    that could be changed in place is deep-copied as DRF does."""
    if (
        isinstance(field, serializers.BaseSerializer)
        or hasattr(field, "child")
        or hasattr(field, "child_relation")
        or isinstance(field.default, list | dict | set)
    ):
        return copy.deepcopy(field)
    own = copy.copy(field)
    own._validators = list(field.validators)
    own.error_messages = dict(field.error_messages)
    return own


class Serializer(serializers.Serializer):
    # A DRF serializer whose declared fields are copied, not rebuilt, for each instance
    # (`_field_copy`); the fields, their checks and their output are DRF's. A comment,
    # not a docstring: the schema would show a docstring for every serializer without one.

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: _field_copy(field) for name, field in self._declared_fields.items()}


class WrittenOutputSerializer(Serializer):
    """An output serializer that writes its declared fields without DRF's walk over them.

    The declared fields stay the one description (the schema reads them, and so does
    this class); what is left out is the walk's cost per object: a free-room search
    answers with a hundred rooms, and the walk over their fields cost more than the
    search (bench/bookings.py (a)). Each field becomes a writer once per serializer: the
    attribute its `source` names, as it is when the field would not change it (a str,
    int or bool of a plain field), else through the field's own `to_representation`;
    a nested serializer over the same object (`source="*"`) writes its own fields. A
    test holds the answer equal to DRF's walk."""

    PLAIN = {
        serializers.CharField.to_representation: str,
        serializers.IntegerField.to_representation: int,
        serializers.BooleanField.to_representation: bool,
    }

    @cached_property
    def _writers(self) -> list[tuple[str, Callable[[Any], Any]]]:
        return [(name, self._writer(field)) for name, field in self.fields.items()]

    def _writer(self, field: serializers.Field) -> Callable[[Any], Any]:
        if field.source == "*" and isinstance(field, WrittenOutputSerializer):
            return field.to_representation
        read = attrgetter(field.source)
        plain = self.PLAIN.get(type(field).to_representation)

        def write(instance):
            value = read(instance)
            if value is None or type(value) is plain:
                return value
            return field.to_representation(value)

        return write

    def to_representation(self, instance) -> dict:
        return {name: write(instance) for name, write in self._writers}


class RoomFeaturesOutputSerializer(WrittenOutputSerializer):
    """What the room offers."""

    recording = serializers.BooleanField(source="supports_recording")
    large_meeting = serializers.BooleanField(source="supports_large_meeting")
    external_guests = serializers.BooleanField(source="allows_external_guests")


class RoomOutputSerializer(WrittenOutputSerializer):
    """A room as employees see it; never its fixed link or password (BK-17)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    capacity = serializers.IntegerField()
    status = status_field(Room.Status.values)
    maintenance_reason = serializers.CharField()
    preparation_minutes = serializers.IntegerField()
    provider = serializers.CharField(source="provider.name")
    features = RoomFeaturesOutputSerializer(source="*")


class RoomFreeListInputSerializer(serializers.Serializer):
    """The slot of a free-room search; the rooms it looks in are filtered by
    bookings.api.filters.RoomFreeFilter."""

    start = AwareDateTimeField()
    end = AwareDateTimeField()


class RoomFreeSlotsInputSerializer(QueryInputSerializer):
    date = CalendarDateField(help_text="A day, YYYY-MM-DD (company time).")


class SlotOutputSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class RoomFreeSlotsOutputSerializer(serializers.Serializer):
    room = serializers.IntegerField()
    date = serializers.DateField()
    opens = serializers.DateTimeField(
        allow_null=True, help_text="Working hours; null when the day is not a working day."
    )
    closes = serializers.DateTimeField(allow_null=True)
    free = SlotOutputSerializer(many=True)


class OccupancyWeekInputSerializer(QueryInputSerializer):
    start = CalendarDateField(help_text="The first of the seven days, YYYY-MM-DD.")


class OccupancyOccurrenceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    booking = serializers.IntegerField(
        allow_null=True, help_text="null for a confidential meeting you are not invited to."
    )
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = status_field(list(Occurrence.OCCUPYING), help_text="Only meetings that hold the room.")
    topic = serializers.CharField(
        allow_null=True, help_text="null for a confidential meeting you are not invited to."
    )
    confidential = serializers.BooleanField()


class OccupancyRoomOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    capacity = serializers.IntegerField()
    occurrences = OccupancyOccurrenceOutputSerializer(many=True)


class OccupancyWeekOutputSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="The day after the seventh.")
    rooms = OccupancyRoomOutputSerializer(many=True)


# -- booking input ------------------------------------------------------------------------


class RecurrenceInputSerializer(Serializer):
    """BK-8. Types here; meaning (a known frequency, an end by date or count, limits)
    in bookings.recurrence, which answers `invalid_recurrence`."""

    freq = serializers.CharField(max_length=20, help_text="daily, weekly or monthly.")
    interval = serializers.IntegerField(required=False, default=1)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        max_length=7,
        help_text="ISO weekdays, 1 = Monday … 7 = Sunday (weekly only).",
    )
    until = CalendarDateField(required=False, allow_null=True)
    count = serializers.IntegerField(required=False, allow_null=True)


REMINDER_LEADS_HELP = (
    "BK-12: the meeting's own reminders, minutes before the start, comma-separated, "
    'largest first once stored: "1440,15". At most 5, each 1 to 10080 (a week); '
    "empty: the usage policy's (`reminder_leads_invalid` otherwise). A change on an "
    "approved meeting re-plans the reminders still to send."
)


def _users(ids: list[int]) -> list:
    """The users with these ids, in one query; an unknown id is an error. Whether each
    may be invited is the service's to say."""
    ids = list(dict.fromkeys(ids))
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in users]
    if missing:
        raise serializers.ValidationError(
            _("No user has the id %(ids)s: remove it, or invite the person by email.")
            % {"ids": ", ".join(map(str, missing))},
            code="does_not_exist",
        )
    return [users[i] for i in ids]


class BookingCreateInputSerializer(Serializer):
    room = RoomField()
    start = AwareDateTimeField(help_text="ISO 8601 with offset: 2026-12-09T10:00:00+08:00.")
    end = AwareDateTimeField()
    # A blank topic and a headcount under one are the service's to refuse, with its code
    # (topic_required, headcount_invalid) and its message.
    topic = serializers.CharField(max_length=200, allow_blank=True)
    agenda = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    mode = serializers.ChoiceField(choices=Booking.Mode.choices, default=Booking.Mode.VIDEO)
    expected_headcount = serializers.IntegerField(max_value=MAX_HEADCOUNT)
    recording_allowed = serializers.BooleanField(default=False)
    chat_allowed = serializers.BooleanField(default=True)
    password_required = serializers.BooleanField(default=False)
    confidential = serializers.BooleanField(default=False)
    attendee_user_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=MAX_ATTENDEES,
    )
    attendee_emails = serializers.ListField(
        child=serializers.EmailField(), required=False, max_length=MAX_ATTENDEES
    )
    recurrence = RecurrenceInputSerializer(required=False, allow_null=True)
    skip_unavailable = serializers.BooleanField(
        default=False, help_text="A series: book the free meetings, leave out the others."
    )
    reminder_lead_minutes = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=REMINDER_LEADS_HELP,
    )

    def validate_attendee_user_ids(self, ids: list[int]) -> list:
        return _users(ids)


class BookingChangeInputSerializer(serializers.Serializer):
    """BK-5: any of these; the ones given change. Room, time, headcount and
    confidentiality of an approved booking go back to the approver."""

    room = RoomField(required=False)
    start = AwareDateTimeField(required=False)
    end = AwareDateTimeField(required=False)
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True)
    agenda = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    mode = serializers.ChoiceField(choices=Booking.Mode.choices, required=False)
    expected_headcount = serializers.IntegerField(max_value=MAX_HEADCOUNT, required=False)
    recording_allowed = serializers.BooleanField(required=False)
    chat_allowed = serializers.BooleanField(required=False)
    password_required = serializers.BooleanField(required=False)
    confidential = serializers.BooleanField(required=False)
    reminder_lead_minutes = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=REMINDER_LEADS_HELP
    )


class SeriesPreviewInputSerializer(serializers.Serializer):
    room = RoomField()
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    expected_headcount = serializers.IntegerField(max_value=MAX_HEADCOUNT, default=1)
    recurrence = RecurrenceInputSerializer(required=False, allow_null=True)


class SeriesPreviewOutputSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    free = serializers.BooleanField()
    problems = serializers.ListField(
        child=serializers.DictField(),
        help_text=(
            "Each with a `code` (`conflict`: another booking holds the room; `blackout`: "
            "a blackout period; or a usage rule's) and a `detail`."
        ),
    )


@extend_schema_field(OpenApiTypes.INT)
class OccurrenceOfBookingField(serializers.PrimaryKeyRelatedField):
    """One meeting of the booking in the serializer's context."""

    default_error_messages = {
        "does_not_exist": _(
            "This booking has no meeting {pk_value}: use the id of one of its occurrences."
        ),
    }

    def get_queryset(self):
        return Occurrence.objects.filter(booking=self.context["booking"])


class BookingCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    occurrence = OccurrenceOfBookingField(
        required=False, allow_null=True, help_text="One meeting of a series; none: all of it."
    )


class BookingApproveInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    occurrence = OccurrenceOfBookingField(required=False, allow_null=True)
    meeting_password = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=(
            "The room's meeting password, required (400 `meeting_password_required`) to "
            "approve a confidential meeting in a manual room that has none of its own."
        ),
    )
    override_reason = serializers.CharField(
        max_length=MAX_TEXT,
        required=False,
        allow_blank=True,
        help_text=(
            "Why to approve although the request breaks a rule now (409 "
            "`override_required` lists the problems); audited and told to the organizer."
        ),
    )


class BookingRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_TEXT,
        required=False,
        allow_blank=True,
        help_text="Required: the organizer is told why (`reason_required`).",
    )
    occurrence = OccurrenceOfBookingField(required=False, allow_null=True)


# -- booking output -------------------------------------------------------------------------


class PersonOutputSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")


class RoomBriefOutputSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OccurrenceOutputSerializer(Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = status_field(Occurrence.Status.values)
    room = serializers.IntegerField(source="room_id")
    reason = serializers.CharField()
    late_cancellation = serializers.BooleanField()
    replaces = serializers.IntegerField(
        source="replaces_id", allow_null=True, help_text="BK-5: the meeting this change moves."
    )


class BookingSettingsOutputSerializer(Serializer):
    recording_allowed = serializers.BooleanField()
    chat_allowed = serializers.BooleanField()
    password_required = serializers.BooleanField()
    confidential = serializers.BooleanField()
    reminder_lead_minutes = serializers.CharField(
        help_text="BK-12: the meeting's own reminder lead times; empty: the usage policy's."
    )


class AttendeesOutputSerializer(Serializer):
    users = PersonOutputSerializer(many=True)
    guest_emails = serializers.ListField(
        child=serializers.EmailField(),
        allow_null=True,
        help_text="External guests' addresses: for the organizer only (null for others).",
    )
    guests = serializers.IntegerField(help_text="How many external guests.")


class JoinOutputSerializer(Serializer):
    url = serializers.CharField()
    meeting_code = serializers.CharField()
    password = serializers.CharField()


class PendingChangeOutputSerializer(Serializer):
    id = serializers.IntegerField()
    requested_at = serializers.DateTimeField()
    proposed = serializers.DictField()
    previous = serializers.DictField()


class BookingOccurrencesOutputSerializer(serializers.ListSerializer):
    """A booking's meetings, from the parts its parent serializer shows."""

    def get_attribute(self, instance: Booking) -> list[Occurrence]:
        return self.parent.parts(instance).occurrences


class BookingOutputSerializer(Serializer):
    """A booking as the viewer (context["viewer"]) may see it. Fetch it with
    `bookings.selectors.booking_list_for_user` or `booking_get_visible`."""

    # For one booking a service has just written, its rows may come in context["parts"]
    # (by the booking's id, `selectors.booking_parts_written`): nothing is read again.

    id = serializers.IntegerField()
    topic = serializers.SerializerMethodField()
    agenda = serializers.SerializerMethodField()
    confidential = serializers.BooleanField()
    room = RoomBriefOutputSerializer()
    organizer = PersonOutputSerializer()
    status = status_field(Booking.Status.values)
    mode = serializers.ChoiceField(choices=Booking.Mode.choices)
    expected_headcount = serializers.IntegerField()
    settings = BookingSettingsOutputSerializer(source="*")
    recurrence = serializers.SerializerMethodField()
    occurrences = BookingOccurrencesOutputSerializer(child=OccurrenceOutputSerializer())
    attendees = serializers.SerializerMethodField()
    join = serializers.SerializerMethodField()
    join_on_its_way = serializers.SerializerMethodField()
    pending_change = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def parts(self, booking: Booking) -> selectors.BookingParts:
        """The meetings, current invitees and pending change shown with `booking`."""
        given = self.context.get("parts", {}).get(booking.pk)
        return given if given is not None else selectors.booking_parts_prefetched(booking)

    def _access(self, booking: Booking) -> secrecy.BookingAccess:
        cache = self.context.setdefault("_access", {})
        if booking.pk not in cache:
            parts = self.parts(booking)
            cache[booking.pk] = secrecy.booking_access(
                booking=booking,
                viewer=self.context["viewer"],
                occurrences=parts.occurrences,
                attendees=parts.attendees,
            )
        return cache[booking.pk]

    @extend_schema_field(RecurrenceInputSerializer(allow_null=True))
    def get_recurrence(self, booking: Booking) -> dict | None:
        """BK-8: the series' rule as stored; null for a single meeting."""
        return booking.recurrence or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_topic(self, booking: Booking) -> str | None:
        return booking.topic if self._access(booking).details else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_agenda(self, booking: Booking) -> str | None:
        return booking.agenda if self._access(booking).details else None

    @extend_schema_field(AttendeesOutputSerializer(allow_null=True))
    def get_attendees(self, booking: Booking) -> dict | None:
        access = self._access(booking)
        if not access.details:
            return None
        attendees = self.parts(booking).attendees
        emails = [a.email for a in attendees if a.user_id is None]
        return {
            "users": PersonOutputSerializer(
                [a.user for a in attendees if a.user_id is not None], many=True
            ).data,
            "guest_emails": emails if access.guest_emails else None,
            "guests": len(emails),
        }

    @extend_schema_field(serializers.BooleanField())
    def get_join_on_its_way(self, booking: Booking) -> bool:
        """BK-17: approved in a Tencent Meeting or Zoom room, for someone who may join,
        and the provider has not given the link yet (`join` is null meanwhile)."""
        if booking.join_url or not self._access(booking).join:
            return False
        approved = any(
            o.status == Occurrence.Status.APPROVED for o in self.parts(booking).occurrences
        )
        return approved and link_comes_later(booking)

    @extend_schema_field(JoinOutputSerializer(allow_null=True))
    def get_join(self, booking: Booking) -> dict | None:
        if not self._access(booking).join or not (booking.join_url or booking.meeting_code):
            return None
        return {
            "url": booking.join_url,
            "meeting_code": booking.meeting_code,
            "password": booking.meeting_password,
        }

    @extend_schema_field(PendingChangeOutputSerializer(allow_null=True))
    def get_pending_change(self, booking: Booking) -> dict | None:
        change = self.parts(booking).pending_change
        return None if change is None else PendingChangeOutputSerializer(change).data
