"""BK-13: signing in to a meeting (the meeting page, the reminder's signed link) and
the organizer's attendance list."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404  # the sign-in page lands with BK-13's work


urlpatterns = [
    path("sign-in/<str:token>/", sign_in_link, name="sign_in_link"),
]
