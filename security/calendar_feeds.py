"""BK-10: a person's calendar feed: a secret, revocable address per user that their
calendar subscribes to (the meetings themselves are `bookings.views.feed`'s).

The address is `/calendar/feed/<id>.<hmac>.ics`: the HMAC of the row's id under the
site's SECRET_KEY is the secret, so nothing in the database opens a calendar, and the
owner can see their address again whenever they come back (API tokens, shown once,
keep only a hash: a token is pasted once into a script, a feed into each calendar
app). Making a new address revokes the old one, in one audited step; a revoked address
answers 404. Rotating SECRET_KEY makes every address a new one to subscribe to."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from bookings import links
from meetingops.errors import PermissionDeniedError
from oversight import audit
from security.models import CalendarFeed

_SALT = "meetingops.calendar-feed"


def _signature(feed_id: int) -> str:
    return salted_hmac(_SALT, str(feed_id), algorithm="sha256").hexdigest()[:40]


def feed_token(feed: CalendarFeed) -> str:
    return f"{feed.pk}.{_signature(feed.pk)}"


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed this address names, with its user (an open account); None for a
    forged, revoked or unknown one."""
    feed_id, _dot, signature = (token or "").partition(".")
    if not feed_id.isdigit() or not constant_time_compare(signature, _signature(int(feed_id))):
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(pk=int(feed_id), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def calendar_feed_get(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_feed_renew(*, user) -> CalendarFeed:
    """A new address for `user`'s feed; the one they had stops working. Audited by the
    rows' ids only."""
    with transaction.atomic():
        # One at a time per user: two clicks at once leave one active feed.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        calendar_feed_revoke(user=user)
        feed = CalendarFeed.objects.create(user=user)
        audit.record(actor=user, action="calendarfeed.created", target=feed, data={})
    return feed


def calendar_feed_revoke(*, user, actor=None) -> CalendarFeed | None:
    """Stop `user`'s feed address (by them, or by IT in admin: `actor`, who then needs
    `security.change_calendarfeed`); None when they had none."""
    actor = actor or user
    if actor.pk != user.pk and not actor.has_perm("security.change_calendarfeed"):
        raise PermissionDeniedError(
            _("You can stop only your own calendar address."), code="not_feed_owner"
        )
    with transaction.atomic():
        feed = (
            CalendarFeed.objects.select_for_update()
            .filter(user=user, revoked_at__isnull=True)
            .first()
        )
        if feed is None:
            return None
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="calendarfeed.revoked", target=feed, data={})
    return feed


def calendar_feed_seen(*, feed: CalendarFeed, etag: str) -> CalendarFeed:
    """Remember the content last served: `changed_at` moves only when it changed (the
    feed's Last-Modified). Not audited: a read."""
    if feed.etag != etag:
        feed.etag, feed.changed_at = etag, timezone.now()
        CalendarFeed.objects.filter(pk=feed.pk).update(etag=etag, changed_at=feed.changed_at)
    return feed


@dataclass(frozen=True)
class FeedLinks:
    https: str
    webcal: str


def feed_links(feed: CalendarFeed | None) -> FeedLinks | None:
    """The addresses to subscribe with: https for Outlook and Google ("From URL"), the
    same as webcal:// for Apple Calendar and Outlook's one-click subscribe."""
    if feed is None:
        return None
    url = links.absolute(reverse("bookings:calendar_feed", args=[feed_token(feed)]))
    return FeedLinks(https=url, webcal="webcal://" + url.split("://", 1)[1])
