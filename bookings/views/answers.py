"""BK-11: answering an invitation (accept, tentative, decline with a reason), from the
meeting page and from the invitation's one-click signed link (`bookings.links`), which
works for external guests without an account."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def answer_link(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404  # the answers' page lands with BK-11's work


urlpatterns = [
    path("invitation/<str:token>/", answer_link, name="answer_link"),
]
