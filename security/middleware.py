"""X-2: times are shown in the signed-in user's own time zone."""

import zoneinfo

from django.utils import timezone


def activate_user_time_zone(user) -> None:
    """The user's own zone for this request's times; the default zone when they have
    none, or one this machine does not know."""
    if user is None or not user.is_authenticated or not user.time_zone:
        timezone.deactivate()
        return
    try:
        timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


class UserTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        activate_user_time_zone(getattr(request, "user", None))
        return self.get_response(request)
