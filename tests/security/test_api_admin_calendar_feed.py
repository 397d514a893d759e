"""BK-10: the calendar feed's other doors: the API (read with a token, change with a
session) and admin (IT stops a leaked address through the service)."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from oversight.models import AuditEvent
from security import roles
from security.calendar_feeds import calendar_feed_get, calendar_feed_renew, feed_links
from security.models import CalendarFeed
from tests.conftest import api_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/calendar-feed/"


def test_the_api_shows_makes_and_stops_my_feed(user, client):
    api = api_client(user)
    assert api.get(URL).json() == {"active": False, "https": "", "webcal": ""}

    made = api.post(URL)

    assert made.status_code == 201
    links = feed_links(calendar_feed_get(user=user))
    assert made.json() == {"active": True, "https": links.https, "webcal": links.webcal}
    path = links.https.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200

    stopped = api.delete(URL)

    assert stopped.json()["active"] is False
    assert client.get(f"/{path}").status_code == 404


def test_a_token_reads_the_feed_but_cannot_change_it(user):
    calendar_feed_renew(user=user)
    api = api_client(user, auth="token")

    assert api.get(URL).json()["active"] is True
    assert api.post(URL).status_code == 403
    assert api.delete(URL).status_code == 403
    assert CalendarFeed.objects.filter(user=user).count() == 1


def test_it_stops_a_feed_in_admin_audited_as_it(client):
    it_user = UserFactory(is_staff=True, groups=[roles.IT], language="en")
    owner = UserFactory()
    feed = calendar_feed_renew(user=owner)
    client.force_login(it_user)

    response = client.post(
        reverse("admin:security_calendarfeed_changelist"),
        {"action": "revoke_selected", ACTION_CHECKBOX_NAME: [feed.pk]},
        follow=True,
    )

    assert response.status_code == 200
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    event = AuditEvent.objects.get(action="calendarfeed.revoked")
    assert event.actor_id == it_user.pk


def test_someone_else_cannot_stop_my_feed_by_the_service(user):
    from meetingops.errors import PermissionDeniedError
    from security.calendar_feeds import calendar_feed_revoke

    calendar_feed_renew(user=user)

    with pytest.raises(PermissionDeniedError):
        calendar_feed_revoke(user=user, actor=UserFactory())
    assert calendar_feed_get(user=user) is not None
