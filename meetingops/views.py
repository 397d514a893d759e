"""The pages that belong to no one app: the home page, the language switch, health, and
the error pages. Under /api/ every error answers in the API's one JSON shape
(`meetingops.api.error_body`); elsewhere it is a page in the site's look. A 500 or 503
page is rendered without the database or the session (either may be what failed)."""

from __future__ import annotations

import logging
import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from bookings import selectors as booking_selectors
from meetingops.api import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, error_body
from security import selectors as security_selectors
from security.services import user_language_set

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """BK-7, X-2: my next meetings (with the join button in their sign-in window), my
    latest requests and what was decided, the notices sent to me; and, for a new
    account, the way to complete the profile."""
    user = request.user
    context = {
        "meetings": booking_selectors.home_meetings_next(user=user),
        "requests": booking_selectors.home_requests(user=user),
        "notices": booking_selectors.home_notices(user=user),
        "profile_incomplete": security_selectors.user_profile_incomplete(user=user),
    }
    return render(request, "home.html", context)


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
    """For load balancers and compose health checks: the database answers (200), or it
    does not (503, which tells the balancer to send no one here for now)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        response = JsonResponse(
            {"status": "unavailable", "detail": _("The database does not answer.")},
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok"})


# -- errors ------------------------------------------------------------------------------


def _in_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_error(status: int, code: str, detail: str) -> JsonResponse:
    response = JsonResponse(error_body(code, detail), status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Every address under /api/ that names no operation, a malformed id included
    (`/api/v1/bookings/abc/`)."""
    return _api_error(
        404,
        "not_found",
        _("There is no such address in the API: /api/docs/ lists its operations."),
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400."""
    if _in_api(request):
        return _api_error(400, "bad_request", _("The request is not valid."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403."""
    if _in_api(request):
        return _api_error(
            403, "permission_denied", _("You do not have permission to perform this action.")
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404."""
    if _in_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500, called while Django handles the exception: an unreachable database is
    a 503 that says to come back, anything else a 500."""
    unavailable = isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE)
    status = 503 if unavailable else 500
    if _in_api(request):
        if unavailable:
            return _api_error(
                503,
                "unavailable",
                _("MeetingOps cannot reach its database just now: try again in a minute."),
            )
        return _api_error(
            500,
            "server_error",
            _("Something went wrong on our side; it has been logged. Try again later."),
        )
    return _error_page(request, f"{status}.html", status)


def _error_page(request: HttpRequest, template_name: str, status: int) -> HttpResponse:
    """The page, from a plain context: no context processor runs, so nothing reads the
    user, the session or the messages (the database may be what failed)."""
    try:
        html = loader.get_template(template_name).render(
            {"request": request, "csrf_token": get_token(request)}
        )
    except Exception:  # the error page must not fail in turn: a bare one then
        logger.exception("The %s page could not be rendered", status)
        html = f"<!DOCTYPE html><title>{status}</title><h1>{status}</h1>"
    response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
