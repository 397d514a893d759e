"""base.html's pieces: the header's place of the page (for aria-current="page"), and
the flash messages grouped by how they are announced."""

from __future__ import annotations

from django import template

register = template.Library()

# A place and the route names (and their prefixes: `bookings:book_rooms` is the Book
# page's partial, `bookings:meeting_cancel` a meeting's action) that belong to it.
PLACES = (
    ("book", ("bookings:book",)),
    ("calendar", ("bookings:calendar",)),
    ("mine", ("bookings:mine", "bookings:meeting")),
    ("account", ("security:",)),
)


def place_of(view_name: str) -> str:
    """The header's place of a route name, "" for none (the home page, admin)."""
    for place, prefixes in PLACES:
        if any(view_name.startswith(prefix) for prefix in prefixes):
            return place
    return ""


@register.simple_tag(takes_context=True)
def current_place(context) -> str:
    """The place of the page being rendered. An error page may have no resolved route
    (a 404) or no request at all: then none."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return place_of(match.view_name) if match is not None else ""


@register.filter
def flash_errors(messages) -> list:
    """The error messages: announced at once (role="alert")."""
    return [m for m in messages if m.level_tag == "error"]


@register.filter
def flash_others(messages) -> list:
    """Successes, information and warnings: announced politely (role="status")."""
    return [m for m in messages if m.level_tag != "error"]
