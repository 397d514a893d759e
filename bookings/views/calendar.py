"""The room finder and calendars (BK-9)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def day(request):
    return render(request, "bookings/pages/scaffold.html", {"title": "Calendar"})


@login_required
def room_week(request, room_id: int):
    return render(request, "bookings/pages/scaffold.html", {"title": "Room"})


@login_required
def my_week(request):
    return render(request, "bookings/pages/scaffold.html", {"title": "My week"})


urlpatterns = [
    path("calendar/", day, name="calendar"),
    path("calendar/rooms/<int:room_id>/", room_week, name="calendar_room"),
    path("calendar/mine/", my_week, name="calendar_mine"),
]
