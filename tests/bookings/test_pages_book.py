"""Book a meeting (BK-1, BK-8, BK-9): the form, its free rooms, its series preview and
the colleagues' type-ahead, as the test client sees them. The moment is frozen at
Monday 7 December 2026, 09:00 in Shanghai (tests/bookings/conftest.py); the policy in
force asks for 24 hours' notice, 08:00-20:00, Monday to Friday."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from bookings.models import Attendee, Booking, Occurrence
from bookings.views.book import ROOMS_SHOWN
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.conftest import signed_in
from tests.factories import (
    BlackoutFactory,
    RoomFactory,
    SuspensionFactory,
    UsagePolicyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BOOK = reverse("bookings:book")
ROOMS = reverse("bookings:book_rooms")
PREVIEW = reverse("bookings:book_preview")
PEOPLE = reverse("bookings:book_people")
HTMX = {"HTTP_HX_REQUEST": "true"}


def form_data(for_room, **extra) -> dict:
    """A filled-in form: Wednesday 9 December, 10:00 for an hour, in `room`."""
    data = {
        "topic": "Budget 2027",
        "agenda": "Numbers\nand more numbers",
        "date": "2026-12-09",
        "start": "10:00",
        "duration": "60",
        "end": "",
        "expected_headcount": "3",
        "attendees": "",
        "mode": "video",
        "chat_allowed": "on",
        "repeat": "none",
        "repeat_interval": "1",
        "repeat_ends": "count",
        "repeat_count": "4",
        "repeat_until": "",
        "room": str(for_room.pk) if for_room is not None else "",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def field_error(html: str, field: str) -> str:
    """The text of the error shown at `field` (its <small id="id_<field>_error">)."""
    match = re.search(rf'<small id="id_{field}_error"[^>]*>(.*?)</small>', html, re.S)
    assert match, f"no error shown at {field}"
    return match.group(1)


def test_sign_in_is_required(client):
    response = client.get(BOOK)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# -- GET ---------------------------------------------------------------------------------


def test_empty_form_suggests_the_first_slot_the_policy_allows_an_hour_two_people_video(
    client, organizer, room, django_assert_max_num_queries
):
    signed_in(client, organizer)
    with django_assert_max_num_queries(8):
        response = client.get(BOOK)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="topic"' in html
    assert "autofocus" in html
    # 24 hours' notice from Monday 09:00: Tuesday 09:00, in the user's zone.
    assert 'name="date" value="2026-12-08"' in html
    assert 'name="start" value="09:00"' in html
    assert re.search(r'<option value="60" selected>', html)
    assert 'name="expected_headcount" value="2"' in html
    assert re.search(r'name="mode" value="video"[^>]*checked', html)
    # The free rooms for that slot, the only one chosen for a quick booking.
    assert re.search(rf'name="room" id="room-{room.pk}" value="{room.pk}" checked', html)
    assert "Send the booking request" in html


def test_first_slot_skips_to_the_next_working_day_after_hours(client, organizer, room):
    UsagePolicyFactory(min_advance_hours=12)  # Monday 21:00: after working hours
    signed_in(client, organizer)
    html = client.get(BOOK).content.decode()
    assert 'name="date" value="2026-12-08"' in html
    assert 'name="start" value="08:00"' in html


def test_calendar_free_slot_opens_the_form_filled_in(client, organizer):
    rooms = RoomFactory.create_batch(3)
    chosen = rooms[1]
    signed_in(client, organizer)
    response = client.get(
        BOOK, {"room": chosen.pk, "date": "2026-12-10", "start": "14:00", "end": "15:30"}
    )
    html = response.content.decode()
    assert 'name="date" value="2026-12-10"' in html
    assert 'name="start" value="14:00"' in html
    assert re.search(r'<option value="90" selected>', html)
    assert re.search(rf'id="room-{chosen.pk}" value="{chosen.pk}" checked', html)
    assert html.count(" checked") >= 1
    assert not re.search(rf'id="room-{rooms[0].pk}" value="{rooms[0].pk}" checked', html)


def test_calendar_slot_of_an_odd_length_keeps_its_end_time(client, organizer, room):
    signed_in(client, organizer)
    html = client.get(BOOK, {"date": "2026-12-10", "start": "14:00", "end": "14:50"}).content
    html = html.decode()
    assert re.search(r'<option value="end" selected>', html)
    assert 'name="end" value="14:50"' in html


def test_unreadable_calendar_parameters_are_ignored(client, organizer, room):
    signed_in(client, organizer)
    response = client.get(BOOK, {"room": "x", "date": "tomorrow", "start": "25:99"})
    assert response.status_code == 200
    assert 'name="date" value="2026-12-08"' in response.content.decode()


@pytest.mark.parametrize("count", [5, 40])
def test_page_queries_do_not_grow_with_the_rooms(
    client, organizer, count, django_assert_max_num_queries
):
    RoomFactory.create_batch(count)
    for taken in RoomFactory.create_batch(3):
        book(UserFactory(), taken, start=at(1, "09:00"), end=at(1, "10:00"))
    signed_in(client, organizer)
    with django_assert_max_num_queries(8):
        response = client.get(BOOK)
    assert response.content.decode().count('name="room"') == min(count, ROOMS_SHOWN)


# -- POST: success -------------------------------------------------------------------------


def test_booking_is_requested_and_lands_on_its_page_saying_it_is_pending(
    client, organizer, room, django_assert_max_num_queries
):
    colleague = UserFactory(email="li.na@example.com", name="Li Na")
    signed_in(client, organizer)
    data = form_data(
        room,
        attendees="Li Na <li.na@example.com>",
        password_required="on",
        confidential="on",
        mode="voice",
    )
    with django_assert_max_num_queries(20):
        response = client.post(BOOK, data)
    booking = Booking.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("bookings:meeting", args=[booking.pk])
    assert booking.organizer == organizer
    assert booking.room == room
    assert booking.topic == "Budget 2027"
    assert booking.agenda == "Numbers\nand more numbers"
    assert booking.mode == "voice"
    assert booking.password_required
    assert booking.confidential
    assert booking.chat_allowed
    assert not booking.recording_allowed
    occurrence = booking.occurrences.get()
    assert (occurrence.start, occurrence.end) == (at(2, "10:00"), at(2, "11:00"))
    assert occurrence.status == Occurrence.Status.PENDING
    assert [a.user for a in booking.attendees.all()] == [colleague]
    assert AuditEvent.objects.filter(action="booking.requested").count() == 1
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "pending" in message
    assert "approver" in message


def test_times_are_read_in_the_users_own_time_zone(client, room):
    london = UserFactory(time_zone="Europe/London")
    signed_in(client, london)
    assert "Times are in your time zone, Europe/London." in client.get(BOOK).content.decode()
    client.post(BOOK, form_data(room, start="03:00", duration="90"))
    occurrence = Occurrence.objects.get()
    # 03:00 in London is 11:00 in Shanghai (UTC+8, London UTC+0 in December).
    assert occurrence.start == at(2, "11:00")
    assert occurrence.end == at(2, "12:30")


def test_an_end_time_instead_of_a_duration(client, organizer, room):
    signed_in(client, organizer)
    client.post(BOOK, form_data(room, duration="end", end="11:20"))
    assert Occurrence.objects.get().end == at(2, "11:20")


def test_auto_approved_booking_says_so(client, organizer, room):
    UsagePolicyFactory(auto_approving=True)
    signed_in(client, organizer)
    response = client.post(BOOK, form_data(room))
    assert Occurrence.objects.get().status == Occurrence.Status.APPROVED
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "approved it automatically" in message


def test_external_guest_in_a_room_that_admits_guests(client, organizer):
    room = RoomFactory(allows_external_guests=True)
    signed_in(client, organizer)
    response = client.post(
        BOOK, form_data(room, attendees="guest@partner.example, Guest2@Partner.example")
    )
    assert response.status_code == 303
    assert sorted(Attendee.objects.values_list("email", flat=True)) == [
        "guest2@partner.example",
        "guest@partner.example",
    ]


def test_weekly_series_is_requested(client, organizer, room):
    signed_in(client, organizer)
    response = client.post(BOOK, form_data(room, repeat="weekly", repeat_count="3"))
    assert response.status_code == 303
    booking = Booking.objects.get()
    assert booking.recurrence["freq"] == "weekly"
    assert booking.recurrence["count"] == 3
    assert [o.start for o in booking.occurrences.order_by("start")] == [
        at(2, "10:00"),
        at(9, "10:00"),
        at(16, "10:00"),
    ]
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "3 meetings" in message


def test_series_books_only_the_free_meetings_when_asked(client, organizer, room):
    book(UserFactory(), room, start=at(9, "10:00"), end=at(9, "11:00"))
    signed_in(client, organizer)
    response = client.post(
        BOOK, form_data(room, repeat="weekly", repeat_count="3", skip_unavailable="on")
    )
    assert response.status_code == 303
    mine = Booking.objects.get(organizer=organizer)
    assert [o.start for o in mine.occurrences.order_by("start")] == [
        at(2, "10:00"),
        at(16, "10:00"),
    ]


# -- POST: refusals at their fields ---------------------------------------------------------


def _refused(client, user, data, field: str) -> str:
    """POSTs `data`, checks nothing was written and every value typed is kept, and
    returns the error shown at `field`."""
    before = Booking.objects.count()
    response = client.post(BOOK, data)
    html = response.content.decode()
    assert response.status_code == 422
    assert Booking.objects.count() == before
    assert "Numbers\nand more numbers" in html  # the agenda, as typed
    assert f'name="expected_headcount" value="{data["expected_headcount"]}"' in html
    assert f'value="{data["date"]}"' in html
    # The field points at its error (Django marks an input aria-invalid; the room
    # list's fieldset, whose room may not be listed any more, points at it too).
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error', html)
    if field != "room":
        assert 'aria-invalid="true"' in html
    return field_error(html, field)


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"topic": "   "}, "topic", "Give the meeting a topic."),
        ({"topic": "Bad\u202etopic"}, "topic", "changes the direction"),
        ({"date": "2026-12-07", "start": "15:00"}, "date", "Book at least 24 hours ahead."),
        ({"date": "2026-12-12"}, "date", "weekdays"),
        ({"start": "19:30"}, "start", "working hours"),
        ({"duration": "end", "end": "09:00"}, "end", "must end after it starts"),
        ({"duration": "end", "end": ""}, "end", "Give the end time"),
        ({"expected_headcount": "40"}, "expected_headcount", "holds at most 10 people"),
        ({"expected_headcount": "0"}, "expected_headcount", "at least one person"),
        ({"attendees": "not-an-address"}, "attendees", "is not an email address"),
        ({"recording_allowed": "on"}, "recording_allowed", "cannot record"),
        ({"date": "31.12.2026"}, "date", "YYYY-MM-DD"),
        ({"repeat": "weekly", "repeat_count": "500"}, "repeat_count", "at most 200"),
        (
            {"repeat": "weekly", "repeat_ends": "until", "repeat_until": ""},
            "repeat_until",
            "last day",
        ),
        ({"room": ""}, "room", "Choose a room"),
    ],
)
def test_each_refusal_is_shown_at_its_field_with_what_was_typed_kept(
    client, organizer, room, change, field, says
):
    signed_in(client, organizer)
    error = _refused(client, organizer, form_data(room, **change), field)
    assert says in error


def test_a_taken_slot_is_refused_at_the_room_saying_what_to_do(client, organizer, room):
    book(UserFactory(), room)
    signed_in(client, organizer)
    error = _refused(client, organizer, form_data(room), "room")
    assert "is already booked from 10:00 to 11:00" in error
    assert "Choose another room or time" in error


def test_a_blackout_is_refused_at_the_room(client, organizer, room):
    BlackoutFactory(room=room, start=at(2, "09:00"), end=at(2, "12:00"), reason="Upgrade")
    signed_in(client, organizer)
    error = _refused(client, organizer, form_data(room), "room")
    assert "cannot be booked" in error
    assert "Upgrade" in error


def test_external_guests_are_refused_at_the_attendees_for_a_room_without_guests(
    client, organizer, room
):
    assert not room.allows_external_guests
    signed_in(client, organizer)
    error = _refused(
        client, organizer, form_data(room, attendees="guest@partner.example"), "attendees"
    )
    assert "does not admit external guests" in error
    assert "External guests" in error  # the filter to use
    html = client.post(BOOK, form_data(room, attendees="guest@partner.example")).content.decode()
    assert "guest@partner.example" in html  # kept as typed


def test_a_closed_account_is_refused_at_the_attendees(client, organizer, room):
    UserFactory(email="gone@example.com", name="Gone Person", is_active=False)
    signed_in(client, organizer)
    error = _refused(client, organizer, form_data(room, attendees="gone@example.com"), "attendees")
    assert "Gone Person can no longer be invited" in error


def test_several_broken_rules_are_each_shown_at_their_own_field(client, organizer, room):
    signed_in(client, organizer)
    html = client.post(
        BOOK, form_data(room, start="19:30", expected_headcount="40")
    ).content.decode()
    assert "working hours" in field_error(html, "start")
    assert "holds at most 10 people" in field_error(html, "expected_headcount")


def test_a_suspended_organizer_is_told_above_the_form(client, organizer, room):
    SuspensionFactory(user=organizer)
    signed_in(client, organizer)
    response = client.post(BOOK, form_data(room))
    html = response.content.decode()
    assert response.status_code == 422
    assert not Booking.objects.exists()
    assert re.search(r'role="alert"[^>]*>\s*<p>Your right to book meetings is suspended', html)


def test_a_retired_room_is_refused_at_the_room(client, organizer):
    retired = RoomFactory(status="retired")
    signed_in(client, organizer)
    error = _refused(client, organizer, form_data(retired), "room")
    assert "cannot be booked" in error


def test_refusals_are_in_the_users_language(client, organizer, room):
    signed_in(client, organizer, language="zh-hans")
    response = client.post(BOOK, form_data(room, topic=""))
    assert response.status_code == 422
    assert '<html lang="zh-hans">' in response.content.decode()


# -- the no-JavaScript flow -------------------------------------------------------------------


def test_find_rooms_re_renders_the_form_with_the_free_rooms_and_writes_nothing(
    client, organizer, room
):
    big = RoomFactory(name="Big room", capacity=50, allows_external_guests=True)
    book(UserFactory(), room, start=at(3, "14:00"), end=at(3, "15:00"))
    signed_in(client, organizer)
    data = {**form_data(None, date="2026-12-10", start="14:00", topic=""), "action": "find_rooms"}
    response = client.post(BOOK, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Booking.objects.filter(organizer=organizer).exists()
    assert f'id="room-{big.pk}"' in html
    assert f'id="room-{room.pk}"' not in html  # taken then
    assert "aria-invalid" not in html  # nothing was submitted: no error yet
    assert 'name="date" value="2026-12-10"' in html
    # ... then the request, from the page the button gave.
    response = client.post(BOOK, form_data(big, date="2026-12-10", start="14:00"))
    assert response.status_code == 303
    assert Booking.objects.get(organizer=organizer).room == big


def test_find_rooms_shows_the_series_preview_too(client, organizer, room):
    book(UserFactory(), room, start=at(9, "10:00"), end=at(9, "11:00"))
    signed_in(client, organizer)
    data = {**form_data(room, repeat="weekly", repeat_count="3"), "action": "find_rooms"}
    html = client.post(BOOK, data).content.decode()
    assert html.count('data-testid="preview-row"') == 3
    assert 'data-state="taken"' in html


# -- the room list partial --------------------------------------------------------------------


def test_rooms_partial_for_htmx_is_only_the_list(client, organizer, room):
    signed_in(client, organizer)
    response = client.get(ROOMS, form_data(None), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<form" not in html
    assert html.lstrip().startswith("<fieldset")
    assert f'id="room-{room.pk}"' in html


def test_rooms_partial_leaves_out_taken_rooms_and_rooms_too_small(client, organizer, room):
    taken = RoomFactory(name="Taken")
    small = RoomFactory(name="Small", capacity=2)
    book(UserFactory(), taken)
    prepared = RoomFactory(name="Prepared", preparation_minutes=30)
    book(UserFactory(), prepared, start=at(2, "09:00"), end=at(2, "09:45"))
    signed_in(client, organizer)
    html = client.get(ROOMS, form_data(None, expected_headcount="5"), **HTMX).content.decode()
    assert f'id="room-{room.pk}"' in html
    for missing in (taken, small, prepared):
        assert f'id="room-{missing.pk}"' not in html


@pytest.mark.parametrize(
    ("need", "feature"),
    [
        ("need_recording", "supports_recording"),
        ("need_large_meeting", "supports_large_meeting"),
        ("need_external_guests", "allows_external_guests"),
    ],
)
def test_rooms_partial_filters_by_feature(client, organizer, room, need, feature):
    having = RoomFactory(**{feature: True})
    signed_in(client, organizer)
    html = client.get(ROOMS, form_data(None, **{need: "on"}), **HTMX).content.decode()
    assert f'id="room-{having.pk}"' in html
    assert f'id="room-{room.pk}"' not in html


def test_rooms_partial_shows_capacity_features_and_provider(client, organizer):
    RoomFactory(name="Studio", capacity=12, supports_recording=True, allows_external_guests=True)
    signed_in(client, organizer)
    html = client.get(ROOMS, form_data(None), **HTMX).content.decode()
    assert "Studio" in html
    assert "up to 12 people" in html
    assert "Jitsi" in html
    assert "Can record" in html
    assert "External guests" in html


def test_rooms_partial_says_when_the_chosen_room_is_not_free(client, organizer, room):
    book(UserFactory(), room)
    RoomFactory()
    signed_in(client, organizer)
    html = client.get(ROOMS, form_data(room), **HTMX).content.decode()
    assert 'data-testid="room-not-free"' in html
    assert " checked" not in html


def test_rooms_partial_reads_the_calendars_slot_with_its_end(client, organizer, room):
    taken = RoomFactory()
    book(UserFactory(), taken, start=at(2, "14:30"), end=at(2, "15:00"))
    signed_in(client, organizer)
    query = {"date": "2026-12-09", "start": "14:00", "end": "15:00"}
    html = client.get(ROOMS, query, **HTMX).content.decode()
    assert f'id="room-{room.pk}"' in html
    assert f'id="room-{taken.pk}"' not in html


def test_rooms_partial_says_what_is_missing(client, organizer, room):
    signed_in(client, organizer)
    html = client.get(ROOMS, form_data(None, start=""), **HTMX).content.decode()
    assert "Give a date, a start and a duration" in html


@pytest.mark.parametrize("count", [3, 60])
def test_rooms_partial_queries_are_bounded(client, organizer, count, django_assert_max_num_queries):
    RoomFactory.create_batch(count)
    signed_in(client, organizer)
    with django_assert_max_num_queries(6):
        response = client.get(ROOMS, form_data(None), **HTMX)
    assert response.content.decode().count('name="room"') == min(count, ROOMS_SHOWN)
    with django_assert_max_num_queries(6):
        response = client.get(ROOMS, {**form_data(None), "rooms_all": "1"}, **HTMX)
    assert response.content.decode().count('name="room"') == count


def test_the_room_list_shows_the_best_fitting_rooms_first_and_the_chosen_one(client, organizer):
    """With many free rooms the list starts with the smallest that fit, keeps the one
    chosen even when it is bigger, and offers to show them all."""
    rooms = [RoomFactory(name=f"Room {seats:03d}", capacity=seats) for seats in range(10, 40)]
    signed_in(client, organizer)
    chosen = rooms[-1]
    html = client.get(ROOMS, form_data(chosen), HTTP_ACCEPT_LANGUAGE="en", **HTMX).content
    html = html.decode()
    listed = re.findall(r'name="room" id="room-(\d+)"', html)
    assert listed == [str(r.pk) for r in rooms[:ROOMS_SHOWN]] + [str(chosen.pk)]
    assert f"Show all {len(rooms)} free rooms" in html


# -- the series preview partial ------------------------------------------------------------------


def test_series_preview_shows_the_conflicting_meeting_and_why(
    client, organizer, room, django_assert_max_num_queries
):
    book(UserFactory(), room, start=at(9, "10:30"), end=at(9, "11:30"))
    BlackoutFactory(room=room, start=at(16, "08:00"), end=at(16, "12:00"), reason="Upgrade")
    signed_in(client, organizer)
    data = form_data(room, repeat="weekly", repeat_count="5")
    with django_assert_max_num_queries(8):
        response = client.get(PREVIEW, data, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    rows = re.findall(r'<tr data-testid="preview-row" data-state="(\w+)">(.*?)</tr>', html, re.S)
    assert [state for state, _row in rows] == ["free", "taken", "blackout", "free", "free"]
    assert "2026-12-16" in rows[1][1]
    assert "Taken" in rows[1][1]
    assert "is already booked from 10:30 to 11:30" in rows[1][1]
    assert "Upgrade" in rows[2][1]
    assert "2 of 5 meetings cannot be booked" in html


def test_series_preview_names_a_broken_rule(client, organizer, room):
    signed_in(client, organizer)
    # Daily from Thursday: Saturday and Sunday are not booking days.
    data = form_data(room, date="2026-12-10", repeat="daily", repeat_count="4")
    html = client.get(PREVIEW, data, **HTMX).content.decode()
    states = re.findall(r'data-state="(\w+)"', html)
    assert states == ["free", "free", "rule", "rule"]
    assert "Against the rules" in html
    assert "weekdays" in html


def test_series_preview_says_what_to_fix_in_a_bad_rule(client, organizer, room):
    signed_in(client, organizer)
    data = form_data(room, repeat="weekly", repeat_count="900")
    html = client.get(PREVIEW, data, **HTMX).content.decode()
    assert "at most 200 meetings" in html


def test_no_preview_for_a_single_meeting(client, organizer, room):
    signed_in(client, organizer)
    html = client.get(PREVIEW, form_data(room), **HTMX).content.decode()
    assert "preview-row" not in html


# -- the colleagues' type-ahead --------------------------------------------------------------------


@pytest.fixture
def colleagues(db):
    return {
        "li": UserFactory(name="Li Na", email="li.na@example.com"),
        "wang": UserFactory(name="Wang Fang", email="fang.wang@example.com"),
        "closed": UserFactory(name="Li Closed", email="li.closed@example.com", is_active=False),
    }


def test_people_search_finds_by_name_and_by_email(client, organizer, colleagues):
    signed_in(client, organizer)
    by_name = client.get(PEOPLE, {"q": "li n"}, **HTMX).content.decode()
    assert "li.na@example.com" in by_name
    assert "fang.wang" not in by_name
    by_email = client.get(PEOPLE, {"q": "FANG.W"}, **HTMX).content.decode()
    assert 'value="Wang Fang &lt;fang.wang@example.com&gt;"' in by_email
    assert by_email.lstrip().startswith('<datalist id="people-options">')


def test_people_search_leaves_out_closed_accounts_and_me(client, colleagues):
    me = UserFactory(name="Li Me", email="li.me@example.com")
    signed_in(client, me)
    html = client.get(PEOPLE, {"q": "li"}, **HTMX).content.decode()
    assert "li.na@example.com" in html
    assert "li.closed@example.com" not in html
    assert "li.me@example.com" not in html


def test_people_search_without_a_query_finds_nobody(client, organizer, colleagues):
    signed_in(client, organizer)
    html = client.get(PEOPLE, {"q": "  "}, **HTMX).content.decode()
    assert "<option" not in html


@pytest.mark.parametrize("count", [3, 40])
def test_people_search_is_one_query_and_at_most_ten_people(
    client, organizer, count, django_assert_max_num_queries
):
    for n in range(count):
        UserFactory(name=f"Zhang {n:02}", email=f"zhang{n}@example.com")
    signed_in(client, organizer)
    with django_assert_max_num_queries(3):  # session, user, the search
        html = client.get(PEOPLE, {"q": "zhang"}, **HTMX).content.decode()
    assert html.count("<option") == min(count, 10)


def test_people_search_requires_sign_in(client, colleagues):
    response = client.get(PEOPLE, {"q": "li"})
    assert response.status_code == 302
    assert "li.na" not in response.content.decode()
