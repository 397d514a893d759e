"""BK-10: a person's calendar feed (a secret address, revocable, cheap to poll with
ETag and Last-Modified) and one meeting's .ics from its page; what each shows is
bookings.secrecy's (a feed leaves the company: no confidential details there)."""

from __future__ import annotations

import icalendar
import pytest

from bookings import services
from oversight.models import AuditEvent
from security.calendar_feeds import calendar_feed_get, calendar_feed_renew, feed_links, feed_token
from security.models import CalendarFeed
from tests.bookings.conftest import at, book
from tests.conftest import signed_in
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_room(db):
    return RoomFactory(name="Feed Room", capacity=20, allows_external_guests=True)


@pytest.fixture
def member(db):
    return UserFactory(email="member@example.com", language="en")


@pytest.fixture
def meetings(organizer, member, guest_room, approver, policy):
    """The member organizes one approved meeting, is invited to a confidential one and
    to a non-confidential one, and to one still pending; a stranger's meeting besides."""
    own = book(member, guest_room, topic="My standup", start=at(2, "09:00"), end=at(2, "09:30"))
    secret = book(
        organizer,
        guest_room,
        topic="Merger talks",
        confidential=True,
        attendee_users=[member],
        start=at(2, "11:00"),
        end=at(2, "12:00"),
    )
    open_ = book(
        organizer,
        guest_room,
        topic="Budget",
        attendee_users=[member],
        start=at(3, "10:00"),
        end=at(3, "11:00"),
    )
    pending = book(
        organizer,
        guest_room,
        topic="Still pending",
        attendee_users=[member],
        start=at(4, "10:00"),
        end=at(4, "11:00"),
    )
    other = book(organizer, guest_room, topic="Not yours", start=at(4, "14:00"), end=at(4, "15:00"))
    for b in (own, secret, open_, other):
        services.booking_approve(booking=b, actor=approver)
        b.refresh_from_db()
    return {"own": own, "secret": secret, "open": open_, "pending": pending, "other": other}


def feed_url(user) -> str:
    feed = calendar_feed_get(user=user) or calendar_feed_renew(user=user)
    return "/calendar/feed/" + feed_token(feed) + ".ics"


def summaries(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["method"] == "PUBLISH"
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_serves_my_approved_meetings_organized_and_invited(client, member, meetings):
    response = client.get(feed_url(member))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = summaries(response)
    # A feed leaves the company: the confidential meeting is a taken slot only.
    assert set(events) == {"My standup", "Budget", "Confidential meeting"}
    assert b"Merger talks" not in response.content
    assert meetings["secret"].join_url not in response.content.decode()
    assert str(events["Budget"]["location"]) == meetings["open"].join_url
    assert events["Budget"].decoded("dtstart") == at(3, "10:00")
    assert all("attendee" not in e for e in events.values())  # PUBLISH: no attendees
    assert str(events["Budget"]["organizer"]) == "mailto:organizer@example.com"


def test_an_unchanged_feed_is_answered_304_by_its_etag_or_its_date(client, member, meetings):
    url = feed_url(member)
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    again = client.get(url)
    assert again["ETag"] == etag
    assert again.content == first.content


def test_a_change_to_a_meeting_gives_the_feed_a_new_etag(client, member, meetings, organizer):
    url = feed_url(member)
    etag = client.get(url)["ETag"]

    services.booking_cancel(booking=meetings["open"], actor=organizer)
    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Budget" not in summaries(response)


def test_polling_the_feed_costs_a_bounded_number_of_queries(
    client, member, meetings, django_assert_max_num_queries
):
    url = feed_url(member)
    with django_assert_max_num_queries(7):
        client.get(url)
    etag = client.get(url)["ETag"]
    with django_assert_max_num_queries(6):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_new_address_revokes_the_old_one_and_both_are_audited_without_content(
    client, member, meetings
):
    old = feed_url(member)
    assert client.get(old).status_code == 200

    signed_in(client, member)
    response = client.post("/account/calendar-feed/", {"next": "/meetings/"})

    assert response.status_code == 302
    assert response["Location"] == "/meetings/"
    assert client.get(old).status_code == 404
    assert client.get(feed_url(member)).status_code == 200
    assert CalendarFeed.objects.filter(user=member, revoked_at__isnull=True).count() == 1
    events = AuditEvent.objects.filter(action__startswith="calendarfeed.").order_by("seq")
    assert [e.action for e in events] == [
        "calendarfeed.created",
        "calendarfeed.revoked",
        "calendarfeed.created",
    ]
    assert all(e.data == {} for e in events)


def test_a_forged_or_unknown_address_is_not_found(client, member, meetings):
    url = feed_url(member)
    feed_id = url.split("/")[-1].split(".")[0]

    assert client.get(f"/calendar/feed/{feed_id}.{'0' * 40}.ics").status_code == 404
    assert client.get("/calendar/feed/999.abc.ics").status_code == 404
    assert client.get("/calendar/feed/nothing.ics").status_code == 404


def test_a_closed_accounts_feed_is_not_found(client, member, meetings):
    url = feed_url(member)
    member.is_active = False
    member.save(update_fields=["is_active"])

    assert client.get(url).status_code == 404


def test_the_profile_and_my_meetings_show_both_addresses_and_the_button(client, member):
    signed_in(client, member)
    assert "Make my calendar address" in client.get("/account/profile/").content.decode()

    client.post("/account/calendar-feed/", {"next": "/account/profile/"})
    links = feed_links(calendar_feed_get(user=member))

    for page in ("/account/profile/", "/meetings/"):
        html = client.get(page).content.decode()
        assert links.https in html
        assert links.webcal in html
        assert links.webcal.startswith("webcal://")
        assert "Make a new address (the old one stops working)" in html


def test_the_renew_button_goes_back_only_to_a_page_of_this_site(client, member):
    signed_in(client, member)

    response = client.post("/account/calendar-feed/", {"next": "https://evil.example/"})

    assert response["Location"] == "/account/profile/"


# -- one meeting's .ics ------------------------------------------------------------------


def test_a_participant_downloads_the_meetings_ics(client, member, meetings):
    signed_in(client, member)

    response = client.get(f"/meetings/{meetings['secret'].pk}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    (event,) = summaries(response).values()
    # The invitee's own download: the details are theirs to read.
    assert str(event["summary"]) == "Merger talks"
    assert str(event["location"]) == meetings["secret"].join_url


@pytest.mark.parametrize("who", ["stranger", "approver", "pending invitee"])
def test_the_meetings_ics_is_not_found_for_anyone_else(client, member, meetings, approver, who):
    viewer = {"stranger": UserFactory(), "approver": approver, "pending invitee": member}[who]
    booking = meetings["pending"] if who == "pending invitee" else meetings["secret"]
    signed_in(client, viewer)

    assert client.get(f"/meetings/{booking.pk}/calendar.ics").status_code == 404


def test_the_meeting_page_has_its_calendar_section_for_a_participant(
    client, member, meetings, approver
):
    signed_in(client, member)
    html = client.get(f"/meetings/{meetings['open'].pk}/").content.decode()

    assert 'data-testid="meeting-calendar"' in html
    assert f"/meetings/{meetings['open'].pk}/calendar.ics" in html
    assert "make your calendar feed" in html

    signed_in(client, approver)
    html = client.get(f"/meetings/{meetings['open'].pk}/").content.decode()
    assert 'data-testid="meeting-calendar"' not in html


def test_a_date_after_the_last_change_is_answered_304_and_one_before_it_200(
    client, member, meetings
):
    url = feed_url(member)
    modified = client.get(url)["Last-Modified"]

    later = "Fri, 01 Jan 2100 00:00:00 GMT"
    earlier = "Thu, 01 Jan 2015 00:00:00 GMT"
    assert client.get(url, headers={"If-Modified-Since": later}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # An ETag that no longer matches wins over a date that would.
    stale = {"If-None-Match": '"old"', "If-Modified-Since": modified}
    assert client.get(url, headers=stale).status_code == 200


def test_the_feed_keeps_some_weeks_back_and_lets_older_meetings_go(client, member, meetings):
    import datetime as dt

    import time_machine

    url = feed_url(member)
    with time_machine.travel(at(2, "12:00") + dt.timedelta(weeks=5), tick=False):
        assert "My standup" in summaries(client.get(url))
    with time_machine.travel(at(2, "12:00") + dt.timedelta(weeks=7), tick=False):
        assert "My standup" not in summaries(client.get(url))
