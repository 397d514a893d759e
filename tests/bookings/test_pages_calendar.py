"""BK-9 in the pages: the day of rooms x hours, a room's week, my week, and the JSON
their calendar widget reads. SE-5 (others' confidential meetings are only "busy") is
held here at the pages' door; its every kind of viewer is in test_secrecy.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from bookings.models import Attendee, Room
from tests.bookings.conftest import MONDAY, at, book
from tests.conftest import signed_in
from tests.factories import BlackoutFactory, ProviderFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = (MONDAY + dt.timedelta(days=2)).isoformat()
DAY = reverse("bookings:calendar")
DAY_EVENTS = reverse("bookings:calendar_events")
MINE = reverse("bookings:calendar_mine")
MINE_EVENTS = reverse("bookings:calendar_mine_events")


def room_week(room) -> str:
    return reverse("bookings:calendar_room", args=[room.pk])


def room_week_events(room) -> str:
    return reverse("bookings:calendar_room_events", args=[room.pk])


def meetings(payload) -> list[dict]:
    return payload["meetings"]


def book_links(html: str) -> list[dict]:
    """The booking form's links in a page, as their query parameters."""
    found = []
    for href in re.findall(r'href="(/book/\?[^"]+)"', html):
        query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        found.append({name: values[0] for name, values in query.items()})
    return found


@pytest.fixture
def viewer(db):
    return UserFactory(email="viewer@example.com", name="Vera Viewer")


# -- sign-in required ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [DAY, DAY_EVENTS, MINE, MINE_EVENTS, "room_week", "room_week_events"],
)
def test_every_calendar_page_and_feed_asks_to_sign_in_first(client, room, url):
    url = {"room_week": room_week(room), "room_week_events": room_week_events(room)}.get(url, url)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# -- the day -------------------------------------------------------------------------------


def test_the_day_lists_every_listed_room_with_its_meetings_and_free_slot_links(
    client, viewer, organizer, room
):
    other = RoomFactory(name="Zoom B", capacity=4)
    book(organizer, room, topic="Budget review")
    response = signed_in(client, viewer).get(DAY, {"date": WEDNESDAY})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tencent A" in html
    assert "Zoom B" in html
    assert "Budget review" in html  # not confidential: everyone signed in reads it
    links = book_links(html)
    assert {"room": str(room.pk), "date": WEDNESDAY, "start": "08:00", "end": "09:00"} in links
    # The free time after the meeting starts when it ends.
    assert {"room": str(room.pk), "date": WEDNESDAY, "start": "11:00", "end": "12:00"} in links
    assert not any(link["room"] == str(room.pk) and link["start"] == "10:00" for link in links), (
        "a free-slot link inside the meeting"
    )
    assert {"room": str(other.pk), "date": WEDNESDAY, "start": "08:00", "end": "09:00"} in links


def test_free_slot_links_carry_the_viewers_local_times_in_a_non_utc_zone(
    client, viewer, organizer, room
):
    # Shanghai's 08:00-20:00 working hours are 01:00-13:00 in Berlin, in winter.
    viewer.time_zone = "Europe/Berlin"
    viewer.save(update_fields=["time_zone"])
    book(organizer, room, start=at(2, "10:00"), end=at(2, "11:00"))
    html = signed_in(client, viewer).get(DAY, {"date": WEDNESDAY}).content.decode()

    links = [link for link in book_links(html) if link["room"] == str(room.pk)]
    assert links[0] == {"room": str(room.pk), "date": WEDNESDAY, "start": "01:00", "end": "02:00"}
    # The meeting (10:00-11:00 Shanghai) is 03:00-04:00 in Berlin: free again at 04:00.
    assert {"room": str(room.pk), "date": WEDNESDAY, "start": "04:00", "end": "05:00"} in links
    assert "03:00" in html
    assert "04:00" in html


def test_free_slots_leave_the_rooms_preparation_time_before_a_meeting(client, viewer, organizer):
    room = RoomFactory(name="Prepared", preparation_minutes=30)
    book(organizer, room, start=at(2, "10:00"), end=at(2, "11:00"))
    payload = signed_in(client, viewer).get(DAY_EVENTS, {"date": WEDNESDAY}).json()

    free = [(s["start"][11:16], s["end"][11:16]) for s in payload["free"]]
    assert free == [("08:00", "09:30"), ("11:30", "20:00")]


def test_a_day_in_the_past_offers_no_free_slot_before_now(client, viewer, room):
    # Frozen at Monday 09:00: Monday's free time starts then.
    payload = signed_in(client, viewer).get(DAY_EVENTS, {"date": MONDAY.isoformat()}).json()
    assert [(s["start"][11:16], s["end"][11:16]) for s in payload["free"]] == [("09:00", "20:00")]


@pytest.mark.parametrize("bad", ["2026-13-45", "tomorrow", "1850-01-01"])
def test_a_bad_date_shows_today_with_a_message_not_an_error_page(client, viewer, room, bad):
    response = signed_in(client, viewer).get(DAY, {"date": bad})

    assert response.status_code == 200
    assert response.context["day"] == MONDAY
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    assert "YYYY-MM-DD" in shown[0]
    assert "showing today" in shown[0]


def test_a_bad_date_in_an_htmx_request_is_said_in_the_results_it_returns(client, viewer, room):
    response = signed_in(client, viewer).get(DAY, {"date": "soon"}, HTTP_HX_REQUEST="true")
    assert response.context["day"] == MONDAY
    assert "showing today" in response.content.decode()
    assert not list(response.context["messages"])  # not left for the next page


def test_without_a_date_the_day_is_today_in_the_viewers_zone(client, viewer, room):
    # Monday 09:00 in Shanghai is still Sunday in Los Angeles.
    viewer.time_zone = "America/Los_Angeles"
    viewer.save(update_fields=["time_zone"])
    response = signed_in(client, viewer).get(DAY)
    assert response.context["day"] == MONDAY - dt.timedelta(days=1)


def test_the_day_links_to_the_previous_and_next_day_keeping_the_filters(client, viewer, room):
    response = signed_in(client, viewer).get(DAY, {"date": WEDNESDAY, "capacity": "5"})
    assert response.context["previous_url"] == f"{DAY}?date=2026-12-08&capacity=5"
    assert response.context["next_url"] == f"{DAY}?date=2026-12-10&capacity=5"


def test_an_htmx_request_gets_only_the_results_block_of_the_same_template(client, viewer, room):
    response = signed_in(client, viewer).get(DAY, {"date": WEDNESDAY}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="calendar-results"')
    assert "<html" not in html
    assert next(t.name for t in response.templates) == "bookings/pages/calendar_day_results.html"


# -- the day's table, a page of rooms at a time --------------------------------------------


def table_rooms(html: str) -> list[str]:
    return re.findall(r'<tr data-room="\d+">\s*<th scope="row"><a href="[^"]+">([^<]+)</a>', html)


def test_a_day_of_many_rooms_lists_them_25_a_page_in_the_table_and_all_in_the_drawing(
    client, viewer
):
    for n in range(30):
        RoomFactory(name=f"Room {n:02d}", capacity=8)
    signed_in(client, viewer)

    first = client.get(DAY, {"date": WEDNESDAY, "capacity": "4"})
    html = first.content.decode()
    assert table_rooms(html) == [f"Room {n:02d}" for n in range(25)]
    assert "30 rooms: busy times and free slots" in html
    assert "Rooms 1–25 of 30" in html
    pages = first.context["table_pages"]
    assert pages["previous_url"] is None
    # The next page keeps the day and the filters.
    assert pages["next_url"] == f"{DAY}?date={WEDNESDAY}&capacity=4&rooms=2"
    assert [(p["number"], p["current"]) for p in pages["pages"]] == [(1, True), (2, False)]
    assert 'aria-current="page"' in html
    # The drawing's JSON in the page has every room.
    assert len(day_data(html)["rooms"]) == 30

    second = client.get(DAY, {"date": WEDNESDAY, "capacity": "4", "rooms": "2"})
    html = second.content.decode()
    assert table_rooms(html) == [f"Room {n:02d}" for n in range(25, 30)]
    assert "Rooms 26–30 of 30" in html
    assert second.context["table_pages"]["previous_url"] == f"{DAY}?date={WEDNESDAY}&capacity=4"
    assert second.context["table_pages"]["next_url"] is None
    # The days keep the filters, not the table's page.
    assert second.context["next_url"] == f"{DAY}?date=2026-12-10&capacity=4"


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("0", 2), ("99", 2)])
def test_a_table_page_that_does_not_exist_shows_the_nearest_one(client, viewer, asked, shown):
    for n in range(30):
        RoomFactory(name=f"Room {n:02d}")
    response = signed_in(client, viewer).get(DAY, {"date": WEDNESDAY, "rooms": asked})
    assert response.status_code == 200
    (current,) = [p["number"] for p in response.context["table_pages"]["pages"] if p["current"]]
    assert current == shown


def test_a_day_of_few_rooms_has_no_table_pages(client, viewer, room):
    response = signed_in(client, viewer).get(DAY, {"date": WEDNESDAY})
    assert response.context["table_pages"] is None
    assert 'data-testid="calendar-table-pages"' not in response.content.decode()


# -- the day's JSON ------------------------------------------------------------------------


def day_data(html: str) -> dict:
    """The drawing's JSON the day's page carries (calendar.js reads it on the first draw)."""
    (text,) = re.findall(
        r'<script id="calendar-day-data" type="application/json" data-calendar-data>(.*?)</script>',
        html,
        flags=re.S,
    )
    return json.loads(text)


def test_the_days_page_carries_the_same_json_as_its_events_route_masked_and_escaped(
    client, viewer, organizer, room
):
    book(organizer, room, topic="Secret merger", confidential=True)
    tricky = "</script><b>Plan & act</b>"
    book(organizer, room, topic=tricky, start=at(2, "14:00"), end=at(2, "15:00"))
    signed_in(client, viewer)
    html = client.get(DAY, {"date": WEDNESDAY}).content.decode()
    route = client.get(DAY_EVENTS, {"date": WEDNESDAY}).json()

    assert day_data(html) == route
    assert "Secret merger" not in html
    assert [m["title"] for m in meetings(route)] == ["Busy", "</script><b>Plan & act</b>"]
    # A topic cannot end the data element nor write markup into the page.
    assert "</script><b>" not in html
    assert "<b>Plan" not in html


def test_the_htmx_results_carry_the_days_json_for_the_redrawn_calendar(client, viewer, room):
    response = signed_in(client, viewer).get(DAY, {"date": WEDNESDAY}, HTTP_HX_REQUEST="true")
    assert day_data(response.content.decode())["rooms"][0]["id"] == room.pk


def test_the_day_reads_a_meeting_whose_preparation_reaches_into_it_from_the_next_day(
    viewer, organizer
):
    """The day's read is bounded by the start (the index): a meeting starting after the
    day, whose preparation (at most 240 minutes) begins in it, is still read."""
    from django.utils import timezone

    from bookings.selectors import calendar_for_day

    prepared = RoomFactory(name="Prepared", preparation_minutes=240)
    # Thursday 09:00 in Shanghai is 01:00 UTC; its preparation begins Wednesday 21:00 UTC.
    booking = book(organizer, prepared, start=at(3, "09:00"), end=at(3, "10:00"))
    with timezone.override("UTC"):
        window = calendar_for_day(viewer=viewer, day=MONDAY + dt.timedelta(days=2))
    assert [m["id"] for m in window.meetings] == [booking.occurrences.get().pk]


def test_the_days_json_has_the_rooms_as_resources_and_the_meetings_in_the_viewers_zone(
    client, viewer, organizer, room
):
    viewer.time_zone = "Europe/Berlin"
    viewer.save(update_fields=["time_zone"])
    booking = book(organizer, room, topic="Budget review")
    payload = signed_in(client, viewer).get(DAY_EVENTS, {"date": WEDNESDAY}).json()

    assert payload["date"] == WEDNESDAY
    assert payload["zone"] == "Europe/Berlin"
    assert payload["rooms"] == [{"id": room.pk, "title": "Tencent A", "url": room_week(room)}]
    (meeting,) = meetings(payload)
    occurrence = booking.occurrences.get()
    assert meeting == {
        "id": occurrence.pk,
        "room": room.pk,
        # 10:00-11:00 in Shanghai, as the Berlin viewer's wall clock.
        "start": f"{WEDNESDAY}T03:00:00",
        "end": f"{WEDNESDAY}T04:00:00",
        "title": "Budget review",
        "kind": "other",
        "status": "pending",
        "url": None,
    }
    assert payload["statusLabels"]["pending"] == "Pending"


@pytest.mark.parametrize("how", ["organizer", "invitee"])
def test_my_meetings_are_flagged_with_their_own_class_text_and_page(
    client, viewer, organizer, room, how
):
    if how == "organizer":
        booking = book(viewer, room, topic="Mine", confidential=True)
    else:
        booking = book(organizer, room, topic="Mine", confidential=True, attendee_users=[viewer])
    payload = signed_in(client, viewer).get(DAY_EVENTS, {"date": WEDNESDAY}).json()

    (meeting,) = meetings(payload)
    assert meeting["kind"] == "mine"
    assert meeting["title"] == "My meeting: Mine"
    assert meeting["url"] == reverse("bookings:meeting", args=[booking.pk])


def test_a_removed_invitee_no_longer_has_the_meeting_as_theirs_nor_its_topic(
    client, viewer, organizer, room
):
    booking = book(organizer, room, topic="Secret plan", confidential=True, attendee_users=[viewer])
    Attendee.objects.filter(booking=booking, user=viewer).update(is_active=False)
    payload = signed_in(client, viewer).get(DAY_EVENTS, {"date": WEDNESDAY}).json()

    (meeting,) = meetings(payload)
    assert meeting["kind"] == "busy"
    assert meeting["title"] == "Busy"


def test_anothers_confidential_meeting_is_only_busy_in_the_json_and_the_table(
    client, viewer, organizer, room
):
    book(organizer, room, topic="Secret merger", confidential=True)
    signed_in(client, viewer)
    response = client.get(DAY_EVENTS, {"date": WEDNESDAY})
    body = response.content.decode()
    (meeting,) = meetings(response.json())

    assert meeting["title"] == "Busy"
    assert meeting["kind"] == "busy"
    assert meeting["url"] is None
    for secret in ("Secret merger", organizer.name, organizer.email, "organizer"):
        assert secret not in body
    html = client.get(DAY, {"date": WEDNESDAY}).content.decode()
    assert "Secret merger" not in html
    assert organizer.name not in html
    assert "Busy" in html


def test_someone_who_oversees_bookings_reads_a_confidential_meetings_topic(
    client, approver, organizer, room
):
    book(organizer, room, topic="Secret merger", confidential=True)
    payload = signed_in(client, approver).get(DAY_EVENTS, {"date": WEDNESDAY}).json()
    (meeting,) = meetings(payload)
    assert meeting["title"] == "Secret merger"
    assert meeting["kind"] == "other"


def test_blackouts_and_rooms_under_maintenance_are_shown_unavailable_with_no_free_slot(
    client, viewer, room
):
    fixing = RoomFactory(
        name="Broken", status=Room.Status.MAINTENANCE, maintenance_reason="Licence renewal"
    )
    RoomFactory(name="Retired", status=Room.Status.RETIRED)
    BlackoutFactory(room=room, start=at(2, "09:00"), end=at(2, "12:00"), reason="Network work")
    signed_in(client, viewer)
    payload = client.get(DAY_EVENTS, {"date": WEDNESDAY}).json()

    assert [r["title"] for r in payload["rooms"]] == [
        "Broken (under maintenance)",
        "Tencent A",
    ]
    assert {(tuple(u["rooms"]), u["title"]) for u in payload["unavailable"]} == {
        ((room.pk,), "Unavailable: Network work"),
        ((fixing.pk,), "Under maintenance: Licence renewal"),
    }
    free = [(s["room"], s["start"][11:16], s["end"][11:16]) for s in payload["free"]]
    assert free == [(room.pk, "08:00", "09:00"), (room.pk, "12:00", "20:00")]
    html = client.get(DAY, {"date": WEDNESDAY}).content.decode()
    assert "Unavailable: Network work" in html
    assert "Under maintenance: Licence renewal" in html
    assert not [link for link in book_links(html) if link["room"] == str(fixing.pk)]


def test_a_blackout_of_every_room_holds_each_of_them(client, viewer, room):
    other = RoomFactory(name="Zoom B")
    BlackoutFactory(all_rooms=True, start=at(2, "08:00"), end=at(2, "20:00"))
    payload = signed_in(client, viewer).get(DAY_EVENTS, {"date": WEDNESDAY}).json()
    (blackout,) = payload["unavailable"]
    assert set(blackout["rooms"]) == {room.pk, other.pk}
    assert payload["free"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Large", "Recorder", "Small"]),
        ({"capacity": "50"}, ["Large"]),
        ({"features": "recording"}, ["Recorder"]),
        ({"features": ["recording", "external_guests"]}, ["Recorder"]),
        ({"features": "large_meeting"}, ["Large"]),
        ({"provider": "zoom"}, ["Small"]),
    ],
)
def test_the_day_is_filtered_by_capacity_features_and_provider(
    client, viewer, organizer, query, expected
):
    zoom = ProviderFactory(name="Zoom", kind="manual", base_url="")
    small = RoomFactory(name="Small", capacity=5, provider=zoom)
    RoomFactory(name="Recorder", capacity=10, supports_recording=True, allows_external_guests=True)
    large = RoomFactory(name="Large", capacity=80, supports_large_meeting=True)
    book(organizer, large, topic="In large")
    book(organizer, small, topic="In small")
    if query.get("provider") == "zoom":
        query = {**query, "provider": str(zoom.pk)}
    signed_in(client, viewer)

    payload = client.get(DAY_EVENTS, {"date": WEDNESDAY, **query}).json()
    assert [r["title"] for r in payload["rooms"]] == expected
    shown = {m["room"] for m in meetings(payload)}
    assert shown <= {r["id"] for r in payload["rooms"]}
    page = client.get(DAY, {"date": WEDNESDAY, **query})
    assert [row["name"] for row in page.context["rows"]] == expected


def test_a_bad_filter_is_said_at_its_field_and_left_out(client, viewer, room):
    response = signed_in(client, viewer).get(DAY, {"date": WEDNESDAY, "capacity": "-3"})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'name="capacity"[^>]*aria-invalid="true"', html, re.S)
    assert "greater than or equal to 1" in html
    assert [row["name"] for row in response.context["rows"]] == ["Tencent A"]


# -- a room's week ------------------------------------------------------------------------


def test_a_rooms_week_starts_on_the_monday_of_the_day_given(client, viewer, organizer, room):
    book(organizer, room, topic="Budget review")
    response = signed_in(client, viewer).get(room_week(room), {"week": WEDNESDAY})
    assert response.status_code == 200
    assert response.context["week"] == MONDAY
    html = response.content.decode()
    assert "Budget review" in html
    links = book_links(html)
    assert {"room": str(room.pk), "date": WEDNESDAY, "start": "11:00", "end": "12:00"} in links
    # Monday's free time starts at the frozen now; the weekend has none.
    monday = {"room": str(room.pk), "date": MONDAY.isoformat(), "start": "09:00", "end": "10:00"}
    assert monday in links
    assert not [link for link in links if link["date"] in ("2026-12-12", "2026-12-13")]


def test_a_rooms_weeks_json_draws_its_meetings_without_resources(client, viewer, organizer, room):
    book(organizer, room, topic="Secret", confidential=True)
    payload = signed_in(client, viewer).get(room_week_events(room), {"week": WEDNESDAY}).json()
    assert payload["view"] == "room"
    assert payload["date"] == MONDAY.isoformat()
    assert payload["rooms"] == []
    (meeting,) = meetings(payload)
    assert meeting["title"] == "Busy"
    assert "Secret" not in str(payload)


def test_a_bad_week_shows_this_week_with_a_message(client, viewer, room):
    response = signed_in(client, viewer).get(room_week(room), {"week": "soon"})
    assert response.status_code == 200
    assert response.context["week"] == MONDAY
    assert "YYYY-MM-DD" in str(next(iter(response.context["messages"])))


def test_a_retired_or_unknown_room_has_no_week(client, viewer):
    retired = RoomFactory(status=Room.Status.RETIRED)
    signed_in(client, viewer)
    assert client.get(room_week(retired)).status_code == 404
    assert client.get(reverse("bookings:calendar_room", args=[999_999])).status_code == 404


# -- my week -------------------------------------------------------------------------------


def test_my_week_shows_the_meetings_i_organize_and_am_invited_to_and_no_others(
    client, viewer, organizer, room
):
    mine = book(viewer, room, topic="I organize", start=at(1, "10:00"), end=at(1, "11:00"))
    invited = book(organizer, room, topic="I am invited", attendee_users=[viewer])
    book(organizer, RoomFactory(name="Elsewhere"), topic="Not mine")
    signed_in(client, viewer)

    payload = client.get(MINE_EVENTS, {"week": WEDNESDAY}).json()
    shown = {m["title"]: m for m in meetings(payload)}
    assert set(shown) == {"My meeting: I organize", "My meeting: I am invited"}
    assert shown["My meeting: I organize"]["url"] == reverse("bookings:meeting", args=[mine.pk])
    assert shown["My meeting: I am invited"]["roomName"] == "Tencent A"
    html = client.get(MINE, {"week": WEDNESDAY}).content.decode()
    assert "I organize" in html
    assert "I am invited" in html
    assert "Not mine" not in html
    assert reverse("bookings:meeting", args=[invited.pk]) in html


def test_my_week_of_next_week_is_empty(client, viewer, room):
    book(viewer, room, topic="This week")
    payload = signed_in(client, viewer).get(MINE_EVENTS, {"week": "2026-12-14"}).json()
    assert meetings(payload) == []


# -- bounded queries -----------------------------------------------------------------------


def _many(rooms: int, organizer, viewer) -> None:
    built = [RoomFactory(name=f"Room {n:03d}") for n in range(rooms)]
    for index, room in enumerate(built[:10]):
        for hour in (9, 11, 13, 15):
            book(
                organizer,
                room,
                topic=f"Meeting {index}-{hour}",
                start=at(2, f"{hour}:00"),
                end=at(2, f"{hour}:30"),
                confidential=hour == 11,
                attendee_users=[viewer] if hour == 13 else [],
            )
    BlackoutFactory(room=built[-1], start=at(2, "16:00"), end=at(2, "18:00"))


@pytest.mark.parametrize("rooms", [5, 50])
@pytest.mark.parametrize("url", [DAY, DAY_EVENTS])
def test_the_day_reads_a_bounded_number_of_queries_whatever_the_rooms(
    client, viewer, organizer, django_assert_max_num_queries, rooms, url
):
    _many(rooms, organizer, viewer)
    signed_in(client, viewer)
    # session, user, rooms, meetings, blackouts, policy, the viewer's permissions (2),
    # the providers of the filter form, the messages.
    with django_assert_max_num_queries(10):
        response = client.get(url, {"date": WEDNESDAY, "capacity": "1", "features": "recording"})
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(url, {"date": WEDNESDAY})
    assert response.status_code == 200
    if url == DAY_EVENTS:
        assert len(response.json()["rooms"]) == rooms
        assert len(meetings(response.json())) == min(rooms, 10) * 4


@pytest.mark.parametrize("rooms", [5, 50])
def test_the_weeks_read_a_bounded_number_of_queries(
    client, viewer, organizer, django_assert_max_num_queries, rooms
):
    _many(rooms, organizer, viewer)
    room = Room.objects.order_by("name").first()
    signed_in(client, viewer)
    for url, params in [
        (room_week(room), {"week": WEDNESDAY}),
        (room_week_events(room), {"week": WEDNESDAY}),
        (MINE, {"week": WEDNESDAY}),
        (MINE_EVENTS, {"week": WEDNESDAY}),
    ]:
        with django_assert_max_num_queries(9):
            assert client.get(url, params).status_code == 200


# -- the day's free slots are the availability selector's ---------------------------------


def test_the_days_free_slots_are_those_room_free_slots_on_day_gives_each_room(
    viewer, organizer, policy
):
    from bookings.selectors import calendar_for_day, room_free_slots_on_day

    prepared = RoomFactory(name="Prepared", preparation_minutes=20)
    plain = RoomFactory(name="Plain")
    book(organizer, prepared, start=at(2, "09:00"), end=at(2, "10:00"))
    book(organizer, prepared, start=at(2, "10:30"), end=at(2, "12:00"))
    book(organizer, plain, start=at(2, "13:00"), end=at(2, "14:30"), confidential=True)
    BlackoutFactory(room=plain, start=at(2, "16:00"), end=at(2, "17:00"))
    BlackoutFactory(all_rooms=True, start=at(2, "19:00"), end=at(2, "21:00"))
    day = MONDAY + dt.timedelta(days=2)

    window = calendar_for_day(viewer=viewer, day=day)
    for room in (prepared, plain):
        (row,) = [r for r in window.rooms if r["id"] == room.pk]
        assert row["free"] == room_free_slots_on_day(room=room, day=day).free
