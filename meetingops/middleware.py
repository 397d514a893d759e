"""Middleware of the whole site (not of one app)."""

from __future__ import annotations

from meetingops import views


class ApiNotFoundMiddleware:
    """An address under /api/ that names no operation answers the API's JSON 404 even
    with DEBUG on, where Django would show its HTML page of URL patterns instead of
    calling handler404. Only 404s that are not already JSON are replaced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path_info.startswith(views.API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return views.api_not_found(request)
        return response
