"""A meeting's page and its organizer's actions (BK-5 to BK-7)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def meeting(request, booking_id: int):
    return render(request, "bookings/pages/scaffold.html", {"title": "Meeting"})


urlpatterns = [path("meetings/<int:booking_id>/", meeting, name="meeting")]
