"""Book a meeting (BK-1, BK-8, BK-9)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def book(request):
    return render(request, "bookings/pages/scaffold.html", {"title": "Book"})


urlpatterns = [path("book/", book, name="book")]
