"""BK-1 / BK-5: the organizer adds people to a meeting and removes them: checked as a
request's invitees are, against the room, never deleted, audited without names."""

from __future__ import annotations

import pytest

from bookings import services
from bookings.models import Attendee
from bookings.validation import MAX_ATTENDEES, BookingInputError
from meetingops.errors import InvalidTransition, NotFoundError, PermissionDeniedError
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_room(db):
    return RoomFactory(capacity=20, allows_external_guests=True)


@pytest.fixture
def booking(organizer, guest_room, policy):
    return book(organizer, guest_room, expected_headcount=1)


def test_the_organizer_invites_colleagues_and_guests(organizer, booking):
    colleague = UserFactory()

    added = services.booking_attendees_add(
        booking=booking, actor=organizer, users=[colleague], emails=[" Hal@Partner.example "]
    )

    assert {(a.user_id, a.email) for a in added.added} == {
        (colleague.pk, ""),
        (None, "hal@partner.example"),
    }
    event = AuditEvent.objects.filter(action="booking.attendees_added").get()
    assert event.data == {"users": [colleague.pk], "external": 1}
    assert "partner" not in event.target_label
    assert booking.topic not in event.target_label


def test_someone_removed_is_invited_again_on_the_same_row(organizer, booking):
    colleague = UserFactory()
    first = services.booking_attendees_add(booking=booking, actor=organizer, users=[colleague])
    services.booking_attendee_remove(booking=booking, actor=organizer, attendee=first.added[0])

    again = services.booking_attendees_add(booking=booking, actor=organizer, users=[colleague])

    assert [a.pk for a in again.added] == [first.added[0].pk]
    assert Attendee.objects.filter(booking=booking).count() == 1
    assert Attendee.objects.get(booking=booking).is_active


def test_someone_already_invited_is_left_as_is_and_nothing_is_audited(organizer, booking):
    colleague = UserFactory()
    services.booking_attendees_add(booking=booking, actor=organizer, users=[colleague])
    events = AuditEvent.objects.count()

    again = services.booking_attendees_add(booking=booking, actor=organizer, users=[colleague])

    assert again.added == []
    assert AuditEvent.objects.count() == events


def test_removing_turns_the_row_off_and_audits_it(organizer, booking):
    added = services.booking_attendees_add(
        booking=booking, actor=organizer, emails=["hal@partner.example"]
    )

    removed = services.booking_attendee_remove(
        booking=booking, actor=organizer, attendee=added.added[0]
    )

    assert removed.is_active is False
    assert Attendee.objects.filter(pk=removed.pk).exists()
    event = AuditEvent.objects.filter(action="booking.attendee_removed").get()
    assert event.data == {"attendee": removed.pk, "user": None, "external": True}
    assert "hal@" not in str(event.data)


@pytest.mark.parametrize(
    ("users", "emails", "code"),
    [
        (lambda: [], lambda: [], "attendees_required"),
        (lambda: [], lambda: ["not an address"], "invalid_email"),
        (lambda: [UserFactory(is_active=False)], lambda: [], "inactive_invitee"),
        (
            lambda: [],
            lambda: [f"g{i}@partner.example" for i in range(MAX_ATTENDEES + 1)],
            "too_many_attendees",
        ),
        (lambda: UserFactory.create_batch(20), lambda: [], "capacity"),
    ],
)
def test_bad_invitees_are_refused_and_nothing_is_written(organizer, booking, users, emails, code):
    events = AuditEvent.objects.count()

    with pytest.raises(BookingInputError) as refused:
        services.booking_attendees_add(
            booking=booking, actor=organizer, users=users(), emails=emails()
        )

    assert refused.value.code == code
    assert refused.value.fields
    assert not booking.attendees.exists()
    assert AuditEvent.objects.count() == events


def test_a_room_that_admits_no_guests_refuses_an_address(organizer, room, policy):
    booking = book(organizer, room)

    with pytest.raises(BookingInputError) as refused:
        services.booking_attendees_add(
            booking=booking, actor=organizer, emails=["hal@partner.example"]
        )

    assert refused.value.code == "external_guests_not_allowed"
    assert list(refused.value.fields) == ["attendee_emails"]
    assert not booking.attendees.exists()


def test_the_limit_counts_those_already_invited(organizer, booking, monkeypatch):
    monkeypatch.setattr("bookings.validation.MAX_ATTENDEES", 2)
    services.booking_attendees_add(
        booking=booking, actor=organizer, emails=["a@partner.example", "b@partner.example"]
    )

    with pytest.raises(BookingInputError) as refused:
        services.booking_attendees_add(
            booking=booking, actor=organizer, emails=["c@partner.example"]
        )

    assert refused.value.code == "too_many_attendees"
    assert booking.attendees.count() == 2


def test_only_the_organizer_changes_who_is_invited(organizer, booking):
    colleague = UserFactory()
    added = services.booking_attendees_add(booking=booking, actor=organizer, users=[colleague])
    stranger = UserFactory()

    with pytest.raises(PermissionDeniedError):
        services.booking_attendees_add(booking=booking, actor=stranger, users=[stranger])
    with pytest.raises(PermissionDeniedError):
        services.booking_attendee_remove(booking=booking, actor=colleague, attendee=added.added[0])

    assert list(booking.attendees.values_list("user_id", "is_active")) == [(colleague.pk, True)]


def test_a_cancelled_meeting_takes_no_new_people(organizer, booking):
    services.booking_cancel(booking=booking, actor=organizer, reason="Off")

    with pytest.raises(InvalidTransition):
        services.booking_attendees_add(booking=booking, actor=organizer, users=[UserFactory()])


def test_an_attendee_of_another_booking_cannot_be_removed(organizer, booking, guest_room):
    other = book(organizer, guest_room, start=at(3, "10:00"), end=at(3, "11:00"))
    added = services.booking_attendees_add(booking=other, actor=organizer, users=[UserFactory()])

    with pytest.raises(NotFoundError):
        services.booking_attendee_remove(booking=booking, actor=organizer, attendee=added.added[0])

    assert Attendee.objects.get(pk=added.added[0].pk).is_active
