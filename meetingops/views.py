"""The pages that belong to no one app: the home page, the language switch, health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from security.services import user_language_set


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """X-2: switch the page language; a signed-in user keeps it (emails use it too)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and response.status_code in (200, 302):
        user_language_set(user=request.user, language=language, actor=request.user)
    return response


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose health checks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
