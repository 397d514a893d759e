"""BK-13 over the API (X-1): signing in to one meeting of a booking, and its attendance
list (the organizer's, and theirs who oversee bookings). The same services and
selectors as the pages: the sign-in window, the person, a second sign-in are
`bookings.services.attendance`'s; who sees the list is
`bookings.selectors.attendance.may_see_attendance`."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import selectors
from bookings.api.serializers import OccurrenceOfBookingField
from bookings.api.views import BOOKINGS, _valid, _visible_booking
from bookings.models import Booking, Occurrence, Participant
from bookings.services.attendance import participant_sign_in
from meetingops.api import error_responses
from meetingops.errors import NotFoundError, PermissionDeniedError

# -- serializers ---------------------------------------------------------------------------


class AttendanceOccurrenceInputSerializer(serializers.Serializer):
    occurrence = OccurrenceOfBookingField(
        required=False,
        allow_null=True,
        help_text=(
            "One meeting of the booking; none: the meeting on now or next, else the last one held."
        ),
    )


class ParticipantSignInOutputSerializer(serializers.Serializer):
    occurrence = serializers.IntegerField(source="occurrence_id")
    signed_in_at = serializers.DateTimeField()
    sign_in_via = serializers.CharField()


class AttendanceLineOutputSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="An external guest's address for the organizer only.")
    role = serializers.ChoiceField(choices=Participant.Role.choices, source="participant.role")
    response = serializers.ChoiceField(
        choices=Participant.Response.choices, source="participant.response"
    )
    signed_in_at = serializers.DateTimeField(source="participant.signed_in_at", allow_null=True)
    attendance = serializers.ChoiceField(
        choices=Participant.Attendance.choices,
        source="participant.attendance",
        help_text="Empty until the meeting has ended and its attendance is reconciled.",
    )
    minutes_attended = serializers.IntegerField(
        source="participant.minutes_attended", allow_null=True
    )
    joined_at = serializers.DateTimeField(source="participant.joined_at", allow_null=True)
    left_at = serializers.DateTimeField(source="participant.left_at", allow_null=True)


class AttendanceListOutputSerializer(serializers.Serializer):
    occurrence = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Occurrence.Status.choices)
    source = serializers.CharField(
        allow_blank=True,
        help_text="Where the attendance came from (provider, sign_in, provider_failed); "
        "empty until reconciled.",
    )
    unknown_joiners = serializers.IntegerField(
        help_text="People in the provider's list who match nobody invited."
    )
    participants = AttendanceLineOutputSerializer(many=True)


# -- views ---------------------------------------------------------------------------------


def _meeting(booking: Booking, chosen: Occurrence | None) -> Occurrence:
    occurrence = chosen or selectors.sign_in_meeting(booking.occurrences.all(), timezone.now())
    if occurrence is None:
        raise NotFoundError(_("No meeting of this booking is approved, so none has a sign-in."))
    return occurrence


class BookingSignInApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_sign_in",
        description=(
            "BK-13: the signed-in user signs in to a meeting of the booking, from the "
            "policy's minutes before its start until its end. 409 `sign_in_not_open` "
            "(with `opens`) before the window, `sign_in_closed` after it or for a meeting "
            "no longer approved; signing in again changes nothing."
        ),
        request=AttendanceOccurrenceInputSerializer,
        responses={
            200: ParticipantSignInOutputSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, booking_id: int):
        booking = _visible_booking(request, booking_id)
        data = _valid(
            AttendanceOccurrenceInputSerializer, request.data, booking=booking
        ).validated_data
        occurrence = _meeting(booking, data.get("occurrence"))
        participant = selectors.participant_for_sign_in(
            booking=booking, occurrence_id=occurrence.pk, user=request.user
        )
        if participant is None:
            raise PermissionDeniedError(
                _(
                    "Only the people invited sign in to this meeting: ask its organizer to "
                    "invite you."
                ),
                code="not_participant",
            )
        participant = participant_sign_in(participant=participant, actor=request.user, via="api")
        return Response(ParticipantSignInOutputSerializer(participant).data)


class BookingAttendanceApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_attendance",
        description=(
            "BK-13: a meeting's attendance list, for its organizer and those who oversee "
            "bookings: each person's sign-in and, once the meeting has ended, their "
            "attendance and minutes."
        ),
        parameters=[
            OpenApiParameter(
                "occurrence", int, description="One meeting of the booking (see the body)."
            )
        ],
        responses={200: AttendanceListOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, booking_id: int):
        booking = _visible_booking(request, booking_id)
        if not selectors.may_see_attendance(request.user, booking):
            raise PermissionDeniedError(
                _(
                    "The attendance list is for the organizer and those who oversee "
                    "bookings: ask the organizer."
                ),
                code="not_organizer",
            )
        data = _valid(
            AttendanceOccurrenceInputSerializer, request.query_params, booking=booking
        ).validated_data
        occurrence = _meeting(booking, data.get("occurrence"))
        report = getattr(occurrence, "attendance_report", None)
        body = {
            "occurrence": occurrence.pk,
            "start": occurrence.start,
            "end": occurrence.end,
            "status": occurrence.status,
            "source": report.source if report else "",
            "unknown_joiners": len(report.unknown_joiners) if report else 0,
            "participants": selectors.attendance_lines(
                booking=booking, occurrence=occurrence, viewer=request.user
            ),
        }
        return Response(AttendanceListOutputSerializer(body).data)
