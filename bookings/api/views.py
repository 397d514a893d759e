"""The booking endpoints (X-1): one thin view per operation, reading through
`bookings.selectors` and writing through `bookings.services`, which hold every rule and
permission check; a view only parses, calls and shows."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import selectors, services
from bookings.api.filters import BookingListFilter, RoomFreeFilter, RoomListFilter
from bookings.api.serializers import (
    BookingApproveInputSerializer,
    BookingCancelInputSerializer,
    BookingChangeInputSerializer,
    BookingCreateInputSerializer,
    BookingOutputSerializer,
    BookingRejectInputSerializer,
    OccupancyWeekInputSerializer,
    OccupancyWeekOutputSerializer,
    RoomFreeListInputSerializer,
    RoomFreeSlotsInputSerializer,
    RoomFreeSlotsOutputSerializer,
    RoomOutputSerializer,
    SeriesPreviewInputSerializer,
    SeriesPreviewOutputSerializer,
)
from bookings.models import Booking
from meetingops.api import ApiPagination, RawJSON, error_responses, paginated_response
from meetingops.errors import NotFoundError

ROOMS = ["rooms"]
AVAILABILITY = ["availability"]
BOOKINGS = ["bookings"]


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
