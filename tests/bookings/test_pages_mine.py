"""BK-7: My meetings: upcoming and past, pending, rejected and cancelled, searched among
the meetings I may read, a page at a time, a series as one item that opens to its
meetings; a bounded number of queries whatever the number of meetings."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from bookings import services
from tests.bookings.conftest import at, book
from tests.conftest import signed_in
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

MINE = reverse("bookings:mine")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def topics(response) -> list[str]:
    return re.findall(r'<h3><a href="/meetings/\d+/">([^<]*)</a></h3>', response.content.decode())


@pytest.fixture
def meetings(organizer, room, approver, policy):
    """One of each: pending, approved (upcoming), rejected, cancelled; and one invited."""
    pending = book(organizer, room, topic="Pending plan", start=at(2, "10:00"), end=at(2, "11:00"))
    approved = book(
        organizer, room, topic="Approved sync", start=at(3, "10:00"), end=at(3, "11:00")
    )
    services.booking_approve(booking=approved, actor=approver)
    rejected = book(
        organizer, room, topic="Rejected idea", start=at(4, "10:00"), end=at(4, "11:00")
    )
    services.booking_reject(booking=rejected, actor=approver, reason="No")
    cancelled = book(
        organizer, room, topic="Cancelled chat", start=at(2, "14:00"), end=at(2, "15:00")
    )
    services.booking_cancel(booking=cancelled, actor=organizer, reason="Off")
    host = UserFactory()
    invited = book(
        host,
        room,
        topic="Invited review",
        start=at(3, "14:00"),
        end=at(3, "15:00"),
        attendee_users=[organizer],
    )
    return {"pending": pending, "approved": approved, "invited": invited}


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("upcoming", ["Pending plan", "Approved sync", "Invited review"]),
        ("pending", ["Pending plan", "Invited review"]),
        ("rejected", ["Rejected idea"]),
        ("cancelled", ["Cancelled chat"]),
        ("past", []),
    ],
)
def test_each_list_holds_its_meetings_in_order(client, organizer, meetings, tab, expected):
    response = signed_in(client, organizer).get(MINE, {"tab": tab})

    assert response.status_code == 200
    assert topics(response) == expected


def test_the_default_list_is_upcoming_and_an_unknown_one_too(client, organizer, meetings):
    client = signed_in(client, organizer)

    assert topics(client.get(MINE)) == topics(client.get(MINE, {"tab": "upcoming"}))
    assert topics(client.get(MINE, {"tab": "nonsense"})) == topics(client.get(MINE))


def test_a_meeting_that_took_place_is_past(client, organizer, meetings):
    with time_machine.travel(at(5, "09:00"), tick=False):
        response = signed_in(client, organizer).get(MINE, {"tab": "past"})

    assert topics(response) == ["Approved sync"]


def test_search_finds_topics(client, organizer, meetings):
    response = signed_in(client, organizer).get(MINE, {"tab": "all", "q": "SYNC"})

    assert topics(response) == ["Approved sync"]
    assert 'value="SYNC"' in text(response)


def test_search_never_finds_a_confidential_meeting_one_may_not_read(
    client, organizer, room, policy
):
    # SE-5: an invitee removed from a confidential meeting is no longer one of its people.
    host = UserFactory()
    secret = book(host, room, topic="Secret merger", confidential=True, attendee_users=[organizer])
    services.booking_attendee_remove(
        booking=secret, actor=host, attendee=secret.attendees.get(user=organizer)
    )

    response = signed_in(client, organizer).get(MINE, {"tab": "all", "q": "merger"})

    assert topics(response) == []
    assert "Secret merger" not in response.content.decode()


def test_another_persons_meetings_are_not_listed(client, meetings):
    response = signed_in(client, UserFactory()).get(MINE, {"tab": "all"})

    assert topics(response) == []
    assert "No meetings here." in text(response)


def test_a_series_is_one_item_that_opens_to_its_meetings(client, organizer, room, policy):
    book(organizer, room, topic="Weekly", recurrence_rule={"freq": "weekly", "count": 3})

    body = text(signed_in(client, organizer).get(MINE))

    assert body.count('data-testid="mine-item"') == 1
    assert "<summary>3 meetings</summary>" in body
    for day in ("2026-12-09", "2026-12-16", "2026-12-23"):
        assert f"{day} 10:00" in body


def test_times_are_in_my_zone(client, organizer, meetings):
    organizer.time_zone = "Europe/London"
    organizer.save(update_fields=["time_zone"])

    body = text(signed_in(client, organizer).get(MINE, {"tab": "pending"}))

    assert "2026-12-09 02:00" in body  # 10:00 in Shanghai
    assert "Europe/London" in body


def test_pages_of_twenty_keep_the_list_and_the_search(client, organizer, policy):
    room = RoomFactory(capacity=10)
    for i in range(23):
        day, hour = divmod(i, 8)
        book(
            organizer,
            room,
            topic=f"Standup {i:02d}",
            start=at(2 + day, f"{9 + hour:02d}:00"),
            end=at(2 + day, f"{9 + hour:02d}:30"),
        )
    client = signed_in(client, organizer)

    first = client.get(MINE, {"tab": "pending", "q": "standup"})
    second = client.get(MINE, {"tab": "pending", "q": "standup", "page": 2})

    assert len(topics(first)) == 20
    assert topics(second) == ["Standup 20", "Standup 21", "Standup 22"]
    assert "tab=pending&amp;q=standup&amp;page=2" in first.content.decode()
    assert "Page 2 of 2" in text(second)


@pytest.mark.parametrize("size", [2, 30])
def test_the_page_asks_a_bounded_number_of_queries(
    client, organizer, policy, django_assert_max_num_queries, size
):
    room = RoomFactory(capacity=50)
    for i in range(size):
        day, hour = divmod(i, 10)
        book(
            organizer,
            room,
            topic=f"M{i}",
            start=at(2 + day, f"{8 + hour:02d}:00"),
            end=at(2 + day, f"{8 + hour:02d}:30"),
            attendee_users=[UserFactory()],
        )
    book(
        organizer,
        room,
        topic="Series",
        start=at(7 + 2, "10:00"),
        end=at(9, "11:00"),
        recurrence_rule={"freq": "weekly", "count": 4},
    )
    client = signed_in(client, organizer)
    client.get(MINE)

    with django_assert_max_num_queries(8):
        response = client.get(MINE, {"tab": "all"})

    assert response.status_code == 200
