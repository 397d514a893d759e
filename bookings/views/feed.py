"""BK-10: the calendar entries people take away: a person's calendar feed (a secret
address their calendar polls) and one meeting's .ics, downloaded from its page. Both
are written by `bookings.ical` as METHOD:PUBLISH; what each shows is `bookings.secrecy`'s
to decide (a feed leaves the company: `email_reveals(kind="feed")`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone, translation
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bookings import ical, secrecy
from bookings.ical import Reader
from bookings.notifications import email_reveals, recipient_for
from bookings.selectors.feed import feed_rows_for
from security.calendar_feeds import calendar_feed_for_token, calendar_feed_seen

CALENDAR = "text/calendar; charset=utf-8"


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    return wanted.strip() == "*" or quote_etag(etag) in [
        t.strip().removeprefix("W/") for t in wanted.split(",")
    ]


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's feed, for their calendar to poll (no session: the address is the
    key). 304 when the content is the one the caller has (If-None-Match), or, without
    an ETag, unchanged since If-Modified-Since."""
    feed = calendar_feed_for_token(token)
    if feed is None:
        raise Http404(_("This calendar address is not valid (it may have been replaced)."))
    user = feed.user
    language = user.language or settings.LANGUAGE_CODE
    rows = feed_rows_for(user=user, now=timezone.now(), language=language)
    feed = calendar_feed_seen(feed=feed, etag=rows.etag)
    headers = {
        "ETag": quote_etag(rows.etag),
        "Last-Modified": http_date(feed.changed_at.timestamp()),
        "Cache-Control": "private, max-age=900",
    }
    # RFC 9110 §13.1.3: If-Modified-Since counts only without If-None-Match.
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    unchanged_since = since is not None and int(feed.changed_at.timestamp()) <= since
    if _etag_matches(request, rows.etag) or (
        "If-None-Match" not in request.headers and unchanged_since
    ):
        return HttpResponseNotModified(headers=headers)
    with translation.override(language):
        entries = []
        for booking in rows.bookings:
            reveals = secrecy.email_reveals(
                kind="feed",
                confidential=booking.confidential,
                is_organizer=booking.organizer_id == user.pk,
                is_invitee=booking.pk in rows.invited,
            )
            data = ical.BookingRows(
                booking=booking,
                occurrences=list(booking.occurrences.all()),
                participants=booking.readers_rows,
            )
            entries.append((data, reveals))
        body = ical.feed_calendar(
            name=_("MeetingOps: my meetings"),
            entries=entries,
            reader=Reader(email=user.email, user_id=user.pk, is_organizer=False),
        )
    return HttpResponse(body, content_type=CALENDAR, headers=headers)


@never_cache
@login_required
@require_GET
def meeting_ics(request: HttpRequest, booking_id: int) -> HttpResponse:
    """One meeting's .ics for its people (the organizer, its invitees) once approved;
    404 for anyone else, as for a meeting that does not exist."""
    visible = secrecy.booking_list_visible_to(request.user).select_related("room", "organizer")
    booking = get_object_or_404(visible, pk=booking_id)
    if not secrecy.booking_access(booking=booking, viewer=request.user).join:
        raise Http404(_("This meeting has no calendar entry for you."))
    person = recipient_for(request.user)
    with translation.override(person.language):
        body = ical.booking_calendar(
            booking=booking,
            method=ical.PUBLISH,
            reveals=email_reveals(recipient=person, booking=booking, kind="invitation"),
            reader=Reader(
                email=person.email,
                user_id=request.user.pk,
                is_organizer=booking.organizer_id == request.user.pk,
            ),
        )
    if body is None:
        raise Http404(_("This meeting has no calendar entry for you."))
    response = HttpResponse(body, content_type=CALENDAR)
    response["Content-Disposition"] = f'attachment; filename="meeting-{booking.pk}.ics"'
    return response


urlpatterns = [
    path("calendar/feed/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("meetings/<int:booking_id>/calendar.ics", meeting_ics, name="meeting_ics"),
]
