"""The booking endpoints (X-1): one thin view per operation, reading through
`bookings.selectors` and writing through `bookings.services`, which hold every rule and
permission check; a view only parses, calls and shows."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import secrecy, selectors, services
from bookings.api.filters import BookingListFilter, RoomFreeFilter, RoomListFilter
from bookings.api.serializers import (
    AnsweredOutputSerializer,
    BookingApproveInputSerializer,
    BookingCancelInputSerializer,
    BookingChangeInputSerializer,
    BookingCreateInputSerializer,
    BookingOutputSerializer,
    BookingRejectInputSerializer,
    OccupancyWeekInputSerializer,
    OccupancyWeekOutputSerializer,
    ParticipantAnswerInputSerializer,
    RoomFreeListInputSerializer,
    RoomFreeSlotsInputSerializer,
    RoomFreeSlotsOutputSerializer,
    RoomOutputSerializer,
    SeriesPreviewInputSerializer,
    SeriesPreviewOutputSerializer,
    WhoComesOutputSerializer,
)
from bookings.models import Booking, Occurrence, Participant
from meetingops.api import ApiPagination, RawJSON, error_responses, paginated_response
from meetingops.errors import InvalidTransition, NotFoundError, PermissionDeniedError

ROOMS = ["rooms"]
AVAILABILITY = ["availability"]
BOOKINGS = ["bookings"]
S = Occurrence.Status


def _valid(serializer_class, data, **context):
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer


def _visible_booking(request, booking_id: int) -> Booking:
    """404 for a booking the user may not look at, as for one that does not exist."""
    booking = selectors.booking_get_visible(booking_id=booking_id, viewer=request.user)
    if booking is None:
        raise NotFoundError(_("There is no such booking, or it is not yours to see."))
    return booking


def _booking_response(request, booking: Booking, *, status_code: int = 200) -> Response:
    """The booking as the user sees it now, read again after a service changed it."""
    booking = selectors.booking_get_visible(booking_id=booking.pk, viewer=request.user)
    if booking is None:  # an administrator acting on a booking they cannot list
        return Response(status=status.HTTP_204_NO_CONTENT)
    data = BookingOutputSerializer(booking, context={"viewer": request.user}).data
    return Response(data, status=status_code)


# -- rooms -------------------------------------------------------------------------------


class RoomListApi(APIView):
    @extend_schema(
        tags=ROOMS,
        operation_id="rooms_list",
        parameters=[RoomListFilter.query_serializer()],
        responses={200: RoomOutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        rooms = RoomListFilter.filter(request.query_params, selectors.room_list_active())
        return Response(RoomOutputSerializer(rooms, many=True).data)


class RoomDetailApi(APIView):
    @extend_schema(
        tags=ROOMS,
        operation_id="rooms_retrieve",
        responses={200: RoomOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, room_id: int):
        room = selectors.room_get_listed(room_id=room_id)
        if room is None:
            raise NotFoundError(_("There is no such room."))
        return Response(RoomOutputSerializer(room).data)


# -- availability (BK-9) ------------------------------------------------------------------


class RoomFreeListApi(APIView):
    @extend_schema(
        tags=AVAILABILITY,
        operation_id="availability_free_rooms",
        parameters=[RoomFreeListInputSerializer, RoomFreeFilter.query_serializer()],
        responses={200: RoomOutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        slot = RoomFreeListInputSerializer(data=request.query_params)
        slot.is_valid()
        # Every bad parameter in one answer, the slot's first.
        candidates = RoomFreeFilter.filter(
            request.query_params, selectors.room_list_active(), errors=slot.errors
        )
        rooms = selectors.room_list_free_for_slot(
            start=slot.validated_data["start"], end=slot.validated_data["end"], rooms=candidates
        )
        return Response(RoomOutputSerializer(rooms, many=True).data)


class RoomFreeSlotsApi(APIView):
    @extend_schema(
        tags=AVAILABILITY,
        operation_id="availability_room_free_slots",
        parameters=[RoomFreeSlotsInputSerializer],
        responses={200: RoomFreeSlotsOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, room_id: int):
        day = _valid(RoomFreeSlotsInputSerializer, request.query_params).validated_data["date"]
        room = selectors.room_get_listed(room_id=room_id)
        if room is None:
            raise NotFoundError(_("There is no such room."))
        slots = selectors.room_free_slots_on_day(room=room, day=day)
        data = {
            "room": room.pk,
            "date": day,
            "opens": slots.opens,
            "closes": slots.closes,
            "free": [{"start": start, "end": end} for start, end in slots.free],
        }
        return Response(RoomFreeSlotsOutputSerializer(data).data)


class OccupancyWeekApi(APIView):
    @extend_schema(
        tags=AVAILABILITY,
        operation_id="availability_week",
        parameters=[OccupancyWeekInputSerializer],
        responses={200: OccupancyWeekOutputSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        start = _valid(OccupancyWeekInputSerializer, request.query_params).validated_data["start"]
        # Thousands of meetings: written as JSON by the selector (on PostgreSQL, by the
        # database), times in the user's zone, and placed in the answer as they are.
        rooms = selectors.occupancy_for_week_json(week_start=start, viewer=request.user)
        end = start + dt.timedelta(days=7)
        return Response(
            {"start": start.isoformat(), "end": end.isoformat(), "rooms": RawJSON(rooms)}
        )


# -- bookings -------------------------------------------------------------------------------


class BookingListApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_list",
        description="The bookings you organize or are invited to, newest first.",
        parameters=[BookingListFilter.query_serializer()],
        responses={200: BookingOutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        bookings = BookingListFilter.filter(
            request.query_params, selectors.booking_list_for_user(user=request.user)
        )
        return paginated_response(
            request=request,
            view=self,
            queryset=bookings,
            serializer_class=BookingOutputSerializer,
            context={"viewer": request.user},
        )


class BookingCreateApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_create",
        description=(
            "BK-1: request a room. The request is pending until an approver decides. "
            "A usage rule answers 400 with the rule's code and `value`; a slot another "
            "booking holds 409 `conflict`, one in a blackout period 409 `blackout`."
        ),
        request=BookingCreateInputSerializer,
        responses={201: BookingOutputSerializer, **error_responses(400, 401, 403, 409, 413)},
    )
    def post(self, request):
        data = _valid(BookingCreateInputSerializer, request.data).validated_data
        requested = services.booking_request(
            organizer=request.user,
            room=data["room"],
            start=data["start"],
            end=data["end"],
            topic=data["topic"],
            agenda=data.get("agenda", ""),
            mode=data["mode"],
            expected_headcount=data["expected_headcount"],
            recording_allowed=data["recording_allowed"],
            chat_allowed=data["chat_allowed"],
            password_required=data["password_required"],
            confidential=data["confidential"],
            attendee_users=data.get("attendee_user_ids", []),
            attendee_emails=data.get("attendee_emails", []),
            recurrence_rule=dict(data["recurrence"]) if data.get("recurrence") else None,
            skip_unavailable=data["skip_unavailable"],
            reminder_lead_minutes=data["reminder_lead_minutes"],
        )
        # Shown from the rows the service has just written: nothing to read again.
        parts = selectors.booking_parts_written(
            occurrences=requested.occurrences, attendees=requested.attendees
        )
        data = BookingOutputSerializer(
            requested.booking,
            context={"viewer": request.user, "parts": {requested.booking.pk: parts}},
        ).data
        return Response(data, status=status.HTTP_201_CREATED)


class BookingCollectionApi(BookingListApi, BookingCreateApi):
    """GET /bookings/ lists, POST requests one: two operations on one URL."""


class BookingDetailApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_retrieve",
        responses={200: BookingOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, booking_id: int):
        booking = _visible_booking(request, booking_id)
        return Response(BookingOutputSerializer(booking, context={"viewer": request.user}).data)


class BookingChangeApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_change",
        description=(
            "BK-5: topic, agenda and settings change at once; room, time, headcount or "
            "confidentiality of an approved booking go back to the approver, the old slot "
            "held meanwhile."
        ),
        request=BookingChangeInputSerializer,
        responses={200: BookingOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def patch(self, request, booking_id: int):
        booking = _visible_booking(request, booking_id)
        changes = _valid(BookingChangeInputSerializer, request.data).validated_data
        booking = services.booking_change(booking=booking, actor=request.user, **changes)
        return _booking_response(request, booking)


class BookingResourceApi(BookingDetailApi, BookingChangeApi):
    """GET /bookings/{id}/ shows, PATCH changes: two operations on one URL."""


class BookingCancelApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_cancel",
        description="BK-6: cancel the booking's future meetings, or one of them.",
        request=BookingCancelInputSerializer,
        responses={200: BookingOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, booking_id: int):
        booking = _visible_booking(request, booking_id)
        data = _valid(BookingCancelInputSerializer, request.data, booking=booking).validated_data
        booking = services.booking_cancel(
            booking=booking,
            actor=request.user,
            reason=data.get("reason", ""),
            occurrence=data.get("occurrence"),
        )
        return _booking_response(request, booking)


class BookingApproveApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_approve",
        description=(
            "BK-4: approvers only; the whole request (or its change) or one meeting. The "
            "rules are checked again: when the request breaks one now (a blackout period, "
            "a room under maintenance, the policy in force), 409 `override_required` lists "
            "the `problems`, and the approval needs `override_reason`. A confidential "
            "meeting in a manual room without a password of its own needs the room's "
            "`meeting_password` (400 `meeting_password_required`)."
        ),
        request=BookingApproveInputSerializer,
        responses={200: BookingOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, booking_id: int):
        booking = _visible_booking(request, booking_id)
        data = _valid(BookingApproveInputSerializer, request.data, booking=booking).validated_data
        booking = services.booking_approve(
            booking=booking,
            actor=request.user,
            occurrence=data.get("occurrence"),
            note=data.get("note", ""),
            override_reason=data.get("override_reason", ""),
            meeting_password=data.get("meeting_password", ""),
        )
        return _booking_response(request, booking)


class BookingRejectApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_reject",
        description="BK-4: approvers only, with a reason.",
        request=BookingRejectInputSerializer,
        responses={200: BookingOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, booking_id: int):
        booking = _visible_booking(request, booking_id)
        data = _valid(BookingRejectInputSerializer, request.data, booking=booking).validated_data
        booking = services.booking_reject(
            booking=booking,
            actor=request.user,
            reason=data.get("reason", ""),
            occurrence=data.get("occurrence"),
        )
        return _booking_response(request, booking)


class BookingSeriesPreviewApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_series_preview",
        description=(
            "BK-8: every meeting of a series before it is requested, whether it is free "
            "and, if not, why (taken, or against a usage rule)."
        ),
        request=SeriesPreviewInputSerializer,
        responses={
            200: OpenApiResponse(SeriesPreviewOutputSerializer(many=True)),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request):
        data = _valid(SeriesPreviewInputSerializer, request.data).validated_data
        preview = services.series_preview(
            organizer=request.user,
            room=data["room"],
            start=data["start"],
            end=data["end"],
            recurrence_rule=dict(data["recurrence"]) if data.get("recurrence") else None,
            expected_headcount=data["expected_headcount"],
        )
        return Response(SeriesPreviewOutputSerializer(preview, many=True).data)


# -- answers (BK-11) ------------------------------------------------------------------------


class BookingAnswerApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_answer",
        description=(
            "BK-11: answer your invitation: `accepted`, `tentative`, or `declined` with a "
            "`reason` (a leave request; 400 `reason_required` without one), for one "
            "meeting or (`scope` `following`) it and the rest of the series to come. "
            "Refused: 403 `not_participant` (not invited to that meeting) or `not_invited` "
            "(removed); 409 `organizer_attends` (the organizer comes), "
            "`meeting_not_approved`, `already_started`, or `nothing_to_answer` when no "
            "meeting is named and none is left. A decline voids your reminders of those "
            "meetings; the organizer is told in one digest email a few minutes later."
        ),
        request=ParticipantAnswerInputSerializer,
        responses={200: AnsweredOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, booking_id: int):
        booking = _visible_booking(request, booking_id)
        serializer = _valid(ParticipantAnswerInputSerializer, request.data, booking=booking)
        data = serializer.validated_data
        occurrence = data.get("occurrence")
        participant = selectors.participant_get_for(
            booking=booking, user=request.user, occurrence=occurrence
        )
        if participant is None and occurrence is None:
            raise InvalidTransition(
                _("You have no meeting of this booking still to answer."),
                code="nothing_to_answer",
            )
        if participant is None:
            raise PermissionDeniedError(
                _("You are not invited to this meeting. Ask its organizer to invite you."),
                code="not_participant",
            )
        answered = services.participant_answer(
            participant=participant,
            response=data["response"],
            reason=data.get("reason", ""),
            scope=data["scope"],
            actor=request.user,
            via="api",
        )
        body = {"participants": answered.participants, "changed": len(answered.changed)}
        return Response(AnsweredOutputSerializer(body).data)


def _answered_meeting(booking: Booking, occurrence_id: str | None) -> Occurrence:
    """The meeting whose answers to show: the one named, or the next one not over (else
    the last) among the booking's approved and past meetings."""
    held = [
        o for o in booking.occurrences.all() if o.status in (S.APPROVED, S.COMPLETED, S.NO_SHOW)
    ]
    if occurrence_id not in (None, ""):
        chosen = next((o for o in held if str(o.pk) == str(occurrence_id)), None)
        if chosen is None:
            raise NotFoundError(
                _("This booking has no approved meeting %(id)s.") % {"id": occurrence_id},
                code="not_found",
            )
        return chosen
    now = timezone.now()
    chosen = next((o for o in held if o.end > now), None) or (held[-1] if held else None)
    if chosen is None:
        raise InvalidTransition(
            _("No meeting of this booking has been approved: nobody is invited yet."),
            code="not_approved",
        )
    return chosen


class BookingWhoComesApi(APIView):
    @extend_schema(
        tags=BOOKINGS,
        operation_id="bookings_answers",
        description=(
            "BK-11, the organizer's: who comes to one meeting (`occurrence`; by default "
            "the next one), who may, who declined and why, and who has not answered. "
            "Others are refused 403 `not_organizer`; external guests' addresses are the "
            "organizer's alone."
        ),
        parameters=[
            OpenApiParameter(
                "occurrence", int, description="One of the booking's approved meetings."
            )
        ],
        responses={200: WhoComesOutputSerializer, **error_responses(401, 403, 404, 409)},
    )
    def get(self, request, booking_id: int):
        booking = _visible_booking(request, booking_id)
        if not secrecy.sees_answers(viewer=request.user, booking=booking):
            raise PermissionDeniedError(
                _("Only the organizer sees who comes and why others do not."),
                code="not_organizer",
            )
        parts = selectors.booking_parts_prefetched(booking)
        access = secrecy.booking_access(
            booking=booking,
            viewer=request.user,
            occurrences=parts.occurrences,
            attendees=parts.attendees,
        )
        occurrence = _answered_meeting(booking, request.query_params.get("occurrence"))
        who = selectors.who_comes(occurrence=occurrence)
        guest = Participant.Role.GUEST
        people = [
            {
                "id": p.pk,
                "role": p.role,
                "user": p.user_id,
                "name": None if p.role == guest else selectors.participant_name(p),
                "email": (p.email if access.guest_emails else None) if p.role == guest else None,
                "response": p.response,
                "reason": p.response_reason,
                "responded_at": p.responded_at,
            }
            for p in who.people
        ]
        body = {"occurrence": occurrence, "counts": who.counts, "participants": people}
        return Response(WhoComesOutputSerializer(body).data)
