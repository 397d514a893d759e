"""How our admins show values that admin's defaults leave unclear."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


def yes_no(value: bool) -> SafeString:
    """A boolean as the word "Yes" or "No" beside admin's icon (an icon alone is
    unclear, and a colour-blind reader cannot tell a tick's colour)."""
    html = render_to_string("admin/yes_no.html", {"value": bool(value)})
    return mark_safe(html.strip())  # noqa: S308 - a rendered template, escaped as it renders
