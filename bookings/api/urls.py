from django.urls import path

from bookings.api import attendance, views

urlpatterns = [
    path("rooms/", views.RoomListApi.as_view(), name="api-room-list"),
    path("rooms/<int:room_id>/", views.RoomDetailApi.as_view(), name="api-room-detail"),
    path(
        "availability/free-rooms/",
        views.RoomFreeListApi.as_view(),
        name="api-availability-free-rooms",
    ),
    path(
        "availability/rooms/<int:room_id>/free-slots/",
        views.RoomFreeSlotsApi.as_view(),
        name="api-availability-free-slots",
    ),
    path("availability/week/", views.OccupancyWeekApi.as_view(), name="api-availability-week"),
    path("bookings/", views.BookingCollectionApi.as_view(), name="api-booking-list"),
    path(
        "bookings/series-preview/",
        views.BookingSeriesPreviewApi.as_view(),
        name="api-booking-series-preview",
    ),
    path(
        "bookings/<int:booking_id>/",
        views.BookingResourceApi.as_view(),
        name="api-booking-detail",
    ),
    path(
        "bookings/<int:booking_id>/cancel/",
        views.BookingCancelApi.as_view(),
        name="api-booking-cancel",
    ),
    path(
        "bookings/<int:booking_id>/approve/",
        views.BookingApproveApi.as_view(),
        name="api-booking-approve",
    ),
    path(
        "bookings/<int:booking_id>/reject/",
        views.BookingRejectApi.as_view(),
        name="api-booking-reject",
    ),
    path(
        "bookings/<int:booking_id>/sign-in/",
        attendance.BookingSignInApi.as_view(),
        name="api-booking-sign-in",
    ),
    path(
        "bookings/<int:booking_id>/attendance/",
        attendance.BookingAttendanceApi.as_view(),
        name="api-booking-attendance",
    ),
]
