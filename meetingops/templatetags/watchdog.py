"""The watchdog's red banner on admin pages, for staff (meetingops.watchdog)."""

from __future__ import annotations

from django import template
from django.conf import settings

from meetingops.models import Silence
from meetingops.watchdog import latest_quiet

register = template.Library()


@register.inclusion_tag("admin/watchdog_banner.html", takes_context=True)
def watchdog_banner(context) -> dict:
    """What this process's last check found silent longer than the setting (the
    scheduler, every worker), for staff only; nothing while the checks are off."""
    request = context.get("request")
    user = getattr(request, "user", None)
    staff = user is not None and user.is_authenticated and user.is_staff
    if not (staff and settings.WATCHDOG_CHECK_SECONDS):
        return {"quiet": []}
    return {"quiet": latest_quiet(), "scheduler": Silence.Kind.SCHEDULER}
