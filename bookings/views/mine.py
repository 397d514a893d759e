"""My meetings: upcoming and past, pending and rejected (BK-7)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def mine(request):
    return render(request, "bookings/pages/scaffold.html", {"title": "My meetings"})


urlpatterns = [path("meetings/", mine, name="mine")]
