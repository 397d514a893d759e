"""BK-5 to BK-7, SE-5: a meeting's page and its organizer's actions, through the test
client: who may open it and what each sees, each action's success and refusal (a refusal
changes nothing and keeps what was typed), and a bounded number of queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bookings import services
from bookings.models import Attendee, Booking, BookingChange, Occurrence
from bookings.permissions import can_change
from bookings.secrecy import BookingAccess
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.conftest import api_client, signed_in
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Occurrence.Status


@pytest.fixture
def guest_room(db):
    return RoomFactory(name="Guest room", capacity=20, allows_external_guests=True)


@pytest.fixture
def invitee(db):
    return UserFactory(email="ivan@example.com", name="Ivan Invitee")


@pytest.fixture
def meeting(organizer, invitee, guest_room, approver, policy):
    """An approved confidential meeting with a colleague and an external guest."""
    booking = book(
        organizer,
        guest_room,
        confidential=True,
        attendee_users=[invitee],
        attendee_emails=["gina@partner.example"],
        topic="Merger talks",
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def url(booking, name="bookings:meeting", **kwargs):
    return reverse(name, kwargs={"booking_id": booking.pk, **kwargs})


def page(client, user, booking, name="bookings:meeting", **kwargs):
    return signed_in(client, user).get(url(booking, name, **kwargs))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# -- who may open it, and what each sees -------------------------------------------------


def test_the_organizer_sees_everything_guests_addresses_included(client, organizer, meeting):
    body = text(page(client, organizer, meeting))

    assert "Merger talks" in body
    assert "Ivan Invitee" in body
    assert "gina@partner.example" in body
    assert meeting.join_url
    assert meeting.join_url in body
    assert "Change the meeting" in body


def test_an_invitee_sees_the_join_link_but_no_guest_address(client, invitee, meeting):
    body = text(page(client, invitee, meeting))

    assert "Merger talks" in body
    assert meeting.join_url in body
    assert "gina@partner.example" not in body
    assert "and 1 external guest" in body
    assert "Change the meeting" not in body


@pytest.mark.parametrize(("who", "acts"), [("approver", True), ("supervisor", False)])
def test_those_who_oversee_bookings_read_it_without_link_or_guest_addresses(
    client, request, meeting, who, acts
):
    # The actions follow bookings.permissions.can_change: an approver holds the room
    # administrators' change permission, the supervision team only reads.
    viewer = request.getfixturevalue(who)
    body = text(page(client, viewer, meeting))

    assert "Merger talks" in body
    assert meeting.join_url not in body
    assert "gina@partner.example" not in body
    assert ("Change the meeting" in body) is acts
    assert can_change(viewer, meeting) is acts


def test_another_employee_cannot_open_a_confidential_meeting(client, meeting):
    response = page(client, UserFactory(), meeting)

    assert response.status_code == 404
    assert "Merger talks" not in response.content.decode()


def test_another_employee_cannot_open_an_ordinary_meeting_either(client, organizer, room, policy):
    # As the API's BookingResourceApi: a booking is opened only by its people.
    booking = book(organizer, room)

    assert page(client, UserFactory(), booking).status_code == 404


def test_a_removed_invitee_can_no_longer_open_the_meeting(client, organizer, invitee, meeting):
    attendee = meeting.attendees.get(user=invitee)
    services.booking_attendee_remove(booking=meeting, actor=organizer, attendee=attendee)

    assert page(client, invitee, meeting).status_code == 404


def test_a_guest_address_is_never_listed_to_another_invitee_on_any_meeting_page(
    client, invitee, meeting
):
    for name in ("bookings:meeting",):
        assert "gina@partner.example" not in page(client, invitee, meeting, name).content.decode()
    for name in ("bookings:meeting_change", "bookings:meeting_cancel"):
        assert page(client, invitee, meeting, name).status_code == 403


def test_the_page_shows_times_in_the_viewers_own_zone(client, organizer, room, policy):
    booking = book(organizer, room)  # Wednesday 10:00 in Shanghai
    organizer.time_zone = "Europe/Berlin"
    organizer.save(update_fields=["time_zone"])

    body = text(page(client, organizer, booking))

    assert "2026-12-09 03:00" in body
    assert "Europe/Berlin" in body


def test_anyone_not_signed_in_is_sent_to_sign_in(client, meeting):
    response = client.get(url(meeting))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# -- history ------------------------------------------------------------------------------


def test_history_shows_who_rejected_and_why(client, organizer, room, approver, policy):
    booking = book(organizer, room)
    services.booking_reject(booking=booking, actor=approver, reason="Room needed for the audit")

    body = text(page(client, organizer, booking))

    assert "Olga Organizer asked for the room." in body
    assert f"{approver.get_full_name()} rejected." in body
    assert "Room needed for the audit" in body
    assert 'class="status status-rejected"' in body


def test_history_shows_the_approval_and_a_cancellation_with_its_reason(
    client, organizer, meeting, approver
):
    services.booking_cancel(booking=meeting, actor=organizer, reason="Deal fell through")

    body = text(page(client, organizer, meeting))

    assert f"{approver.get_full_name()} approved." in body
    assert "Olga Organizer cancelled." in body
    assert "Deal fell through" in body


# -- change -------------------------------------------------------------------------------


def change_data(booking, **extra):
    data = {
        "topic": booking.topic,
        "agenda": booking.agenda,
        "room": booking.room_id,
        "date": "2026-12-09",
        "start_time": "10:00",
        "end_time": "11:00",
        "expected_headcount": booking.expected_headcount,
        "mode": booking.mode,
        "chat_allowed": "on",
    }
    if booking.confidential:
        data["confidential"] = "on"
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_the_change_page_says_the_old_slot_stays_held_before_the_change(client, organizer, meeting):
    body = text(page(client, organizer, meeting, "bookings:meeting_change"))

    assert "Until it is decided, your meeting keeps its current slot:" in body
    assert "2026-12-09 10:00" in body


def test_a_new_time_of_an_approved_meeting_waits_and_the_old_slot_stays_held(
    client, organizer, meeting
):
    client = signed_in(client, organizer)
    response = client.post(
        url(meeting, "bookings:meeting_change"),
        change_data(meeting, start_time="14:00", end_time="15:00"),
        follow=True,
    )

    body = text(response)
    assert "Your change waits for an approver." in body
    assert "your meeting keeps its current slot: 2026-12-09 10:00–11:00 (Guest room)" in body
    assert 'data-testid="pending-change"' in body
    assert "2026-12-09 14:00" in body  # what the change asks
    # The badges say both: the meeting is still approved, and a change waits.
    html = response.content.decode()
    assert '<span class="status status-approved">Approved</span>' in html
    assert 'data-testid="change-waiting">Change waiting for an approver<' in html
    change = BookingChange.objects.get(booking=meeting)
    assert change.status == BookingChange.Status.PENDING
    held = meeting.occurrences.get(replaces__isnull=True)
    assert held.status == S.APPROVED
    assert at(2, "10:00") == held.start


def test_a_new_topic_changes_at_once(client, organizer, meeting):
    client = signed_in(client, organizer)
    response = client.post(
        url(meeting, "bookings:meeting_change"), change_data(meeting, topic="Merger, round 2")
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.topic == "Merger, round 2"
    assert meeting.status == Booking.Status.APPROVED
    assert not BookingChange.objects.filter(booking=meeting).exists()


def test_a_refused_change_shows_the_error_at_its_field_and_keeps_what_was_typed(
    client, organizer, meeting
):
    client = signed_in(client, organizer)
    events = AuditEvent.objects.count()

    response = client.post(
        url(meeting, "bookings:meeting_change"),
        change_data(meeting, topic="A new topic", start_time="06:00", end_time="07:00"),
    )

    assert response.status_code == 200
    body = text(response)
    assert 'aria-invalid="true"' in body
    assert 'id="id_start_time_error"' in body
    assert 'value="A new topic"' in body
    assert 'value="06:00"' in body
    meeting.refresh_from_db()
    assert meeting.topic == "Merger talks"
    assert AuditEvent.objects.count() == events


def test_an_empty_topic_is_refused_next_to_the_topic(client, organizer, meeting):
    client = signed_in(client, organizer)

    response = client.post(url(meeting, "bookings:meeting_change"), change_data(meeting, topic=""))

    body = text(response)
    assert 'id="id_topic_error"' in body
    assert "Give the meeting a topic." in body


def test_an_invitee_cannot_change_the_meeting(client, invitee, meeting):
    client = signed_in(client, invitee)

    response = client.post(
        url(meeting, "bookings:meeting_change"), change_data(meeting, topic="Hijacked")
    )

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.topic == "Merger talks"


# -- cancel -------------------------------------------------------------------------------


def test_the_organizer_cancels_with_a_reason_after_confirming(client, organizer, meeting):
    client = signed_in(client, organizer)
    confirm = text(client.get(url(meeting, "bookings:meeting_cancel")))
    assert "This cannot be undone." in confirm

    response = client.post(url(meeting, "bookings:meeting_cancel"), {"reason": "Postponed"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Booking.Status.CANCELLED
    assert meeting.occurrences.get().reason == "Postponed"


def test_one_meeting_of_a_series_is_cancelled_and_the_others_stay(
    client, organizer, room, approver, policy
):
    series = book(organizer, room, recurrence_rule={"freq": "weekly", "count": 3})
    services.booking_approve(booking=series, actor=approver)
    second = series.occurrences.order_by("start")[1]
    client = signed_in(client, organizer)
    body = text(client.get(url(series, "bookings:meeting")))
    assert body.count("Cancel this meeting") == 3

    confirm = text(client.get(url(series, "bookings:meeting_cancel") + f"?occurrence={second.pk}"))
    assert "the others of the series stay as they are" in confirm
    response = client.post(
        url(series, "bookings:meeting_cancel"), {"occurrence": second.pk, "reason": "Holiday"}
    )

    assert response.status_code == 302
    statuses = list(series.occurrences.order_by("start").values_list("status", flat=True))
    assert statuses == [S.APPROVED, S.CANCELLED, S.APPROVED]
    body = text(client.get(url(series)))
    assert "This meeting of the series is cancelled." in body
    assert body.count('class="status status-cancelled"') == 1


def test_a_meeting_of_another_booking_cannot_be_named(client, organizer, meeting, room, policy):
    other = book(organizer, room, start=at(3, "10:00"), end=at(3, "11:00"))
    client = signed_in(client, organizer)

    response = client.post(
        url(meeting, "bookings:meeting_cancel"), {"occurrence": other.occurrences.get().pk}
    )

    assert response.status_code == 404
    assert other.occurrences.get().status == S.PENDING


def test_cancelling_a_meeting_already_cancelled_is_refused_and_said(client, organizer, meeting):
    services.booking_cancel(booking=meeting, actor=organizer, reason="Off")
    client = signed_in(client, organizer)

    response = client.post(url(meeting, "bookings:meeting_cancel"), {"reason": "Again"})

    assert response.status_code == 200
    assert "Only meetings that have not started can be cancelled." in text(response)
    assert meeting.occurrences.get().reason == "Off"


def test_an_invitee_cannot_cancel(client, invitee, meeting):
    response = signed_in(client, invitee).post(url(meeting, "bookings:meeting_cancel"), {})

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Booking.Status.APPROVED


# -- people -------------------------------------------------------------------------------


def test_the_organizer_adds_a_colleague_and_a_guest(client, organizer, meeting):
    colleague = UserFactory(email="Cora@Example.com", name="Cora Colleague")
    client = signed_in(client, organizer)

    response = client.post(
        url(meeting, "bookings:meeting_attendees_add"),
        {"colleagues": "cora@example.com", "guests": "hal@partner.example"},
        follow=True,
    )

    body = text(response)
    assert "2 people are invited." in body
    assert "Cora Colleague" in body
    assert "hal@partner.example" in body
    assert meeting.attendees.filter(user=colleague, is_active=True).exists()


def test_an_unknown_colleague_address_is_refused_at_its_field_keeping_the_input(
    client, organizer, meeting
):
    client = signed_in(client, organizer)
    before = Attendee.objects.count()

    response = client.post(
        url(meeting, "bookings:meeting_attendees_add"),
        {"colleagues": "nobody@example.com", "guests": "hal@partner.example"},
    )

    body = text(response)
    assert 'id="id_colleagues_error"' in body
    assert "No colleague has the address nobody@example.com" in body
    assert "hal@partner.example</textarea>" in body
    assert Attendee.objects.count() == before


def test_a_room_without_guests_refuses_a_guest_next_to_the_field(client, organizer, room, policy):
    booking = book(organizer, room)
    client = signed_in(client, organizer)

    response = client.post(
        url(booking, "bookings:meeting_attendees_add"), {"guests": "hal@partner.example"}
    )

    body = text(response)
    assert "does not admit external guests" in body
    assert not booking.attendees.exists()


def test_the_organizer_removes_an_invitee_after_confirming(client, organizer, invitee, meeting):
    attendee = meeting.attendees.get(user=invitee)
    client = signed_in(client, organizer)
    remove = url(meeting, "bookings:meeting_attendee_remove", attendee_id=attendee.pk)
    assert "Ivan Invitee will no longer be invited" in text(client.get(remove))

    response = client.post(remove, follow=True)

    assert "Ivan Invitee is no longer invited." in text(response)
    attendee.refresh_from_db()
    assert attendee.is_active is False  # kept, never deleted


def test_an_invitee_cannot_remove_anyone(client, invitee, meeting):
    guest = meeting.attendees.get(user__isnull=True)
    client = signed_in(client, invitee)

    response = client.post(url(meeting, "bookings:meeting_attendee_remove", attendee_id=guest.pk))

    assert response.status_code == 403
    guest.refresh_from_db()
    assert guest.is_active


# -- queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 12])
def test_the_page_asks_a_bounded_number_of_queries(
    client, organizer, guest_room, approver, policy, django_assert_max_num_queries, size
):
    room = guest_room
    series = book(
        organizer,
        room,
        recurrence_rule={"freq": "weekly", "count": size},
        attendee_users=UserFactory.create_batch(size),
        expected_headcount=size + 1,
    )
    services.booking_approve(booking=series, actor=approver)
    services.booking_change(booking=series, actor=organizer, topic="Renamed")
    if size > 1:
        series.refresh_from_db()
        services.booking_cancel(
            booking=series, actor=organizer, occurrence=series.occurrences.order_by("start")[1]
        )
    client = signed_in(client, organizer)
    client.get(url(series))  # the session and the permission caches, once

    # BK-11's who comes is one query; BK-13's sign-in part (the policy, its window, and
    # the attendance list) two; BK-10: the reader's calendar feed (the Calendar section),
    # one.
    with django_assert_max_num_queries(15):
        response = client.get(url(series))

    assert response.status_code == 200


@pytest.mark.parametrize("who", ["organizer", "invitee", "approver", "supervisor", "stranger"])
def test_the_page_opens_for_exactly_those_the_api_shows_it_to(client, request, meeting, who):
    viewer = UserFactory() if who == "stranger" else request.getfixturevalue(who)
    api = api_client(viewer).get(f"/api/v1/bookings/{meeting.pk}/")

    response = page(client, viewer, meeting)

    assert response.status_code == api.status_code
    assert (api.status_code == 200) is (who != "stranger")
    if api.status_code == 200:
        join = api.json()["join"]
        assert (meeting.join_url in response.content.decode()) is (join is not None)
        guests = api.json()["attendees"]["guest_emails"]
        assert ("gina@partner.example" in response.content.decode()) is bool(guests)


def test_history_shows_a_rejected_change_who_decided_and_why(client, organizer, meeting, approver):
    services.booking_change(
        booking=meeting, actor=organizer, start=at(2, "14:00"), end=at(2, "15:00")
    )
    services.booking_reject(booking=meeting, actor=approver, reason="The afternoon is full")

    body = text(page(client, organizer, meeting))

    assert "Olga Organizer asked for a change: start, end." in body
    assert f"{approver.get_full_name()} rejected the change; the meeting kept its slot." in body
    assert "The afternoon is full" in body
    assert 'data-testid="pending-change"' not in body
    meeting.refresh_from_db()
    assert meeting.status == Booking.Status.APPROVED


def test_a_pending_request_changes_its_time_at_once(client, organizer, room, policy):
    booking = book(organizer, room)
    client = signed_in(client, organizer)

    response = client.post(
        url(booking, "bookings:meeting_change"),
        change_data(booking, start_time="15:00", end_time="16:00"),
        follow=True,
    )

    assert "The meeting is changed." in text(response)
    assert booking.occurrences.get().start == at(2, "15:00")
    assert not BookingChange.objects.filter(booking=booking).exists()


def test_a_series_change_page_has_no_time_fields(client, organizer, room, policy):
    series = book(organizer, room, recurrence_rule={"freq": "weekly", "count": 3})

    body = text(page(client, organizer, series, "bookings:meeting_change"))

    assert 'name="start_time"' not in body
    assert "cancel it and book a new meeting" in body


def test_every_broken_rule_is_shown_each_at_its_field(client, organizer, meeting):
    client = signed_in(client, organizer)

    response = client.post(
        url(meeting, "bookings:meeting_change"),
        change_data(meeting, start_time="06:00", end_time="07:00", expected_headcount=500),
    )

    body = text(response)
    assert 'id="id_start_time_error"' in body  # working hours
    assert 'id="id_expected_headcount_error"' in body  # the room's capacity
    assert "holds at most 20 people" in body
    assert 'value="500"' in body
    meeting.refresh_from_db()
    assert meeting.expected_headcount == 3


def test_when_the_secrecy_module_says_busy_the_page_shows_only_the_slot(
    client, invitee, meeting, monkeypatch
):
    # The page asks bookings.secrecy and shows what it allows, nothing of its own.
    monkeypatch.setattr(
        "bookings.secrecy.booking_access",
        lambda **kwargs: BookingAccess(details=False, join=False, guest_emails=False),
    )

    body = text(page(client, invitee, meeting))

    assert "Busy" in body
    assert "Guest room" in body
    assert "2026-12-09 10:00" in body
    for secret in ("Merger talks", "Olga Organizer", "gina@partner.example", meeting.join_url):
        assert secret not in body
