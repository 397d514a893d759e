"""BK-17 / BK-2: a room cannot be booked above its provider's licensed participant
cap, whatever the room's own capacity says: a violation with its own code and value, in
both languages; on a request, a change, an invitation, and in the approvers' check."""

from __future__ import annotations

import pytest

from bookings import rules, selectors, services
from bookings.models import Booking, Provider
from bookings.rules import UsageRuleViolation
from bookings.validation import BookingInputError
from tests.bookings.conftest import book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def capped_room(db):
    room = RoomFactory(name="Hall", capacity=50)
    # The cap lowered after the room was set up (the database allows it; admin refuses).
    Provider.objects.filter(pk=room.provider_id).update(participant_cap=8)
    room.provider.refresh_from_db()
    return room


def test_a_request_above_the_cap_is_refused_with_its_own_code(organizer, capped_room, policy):
    with pytest.raises(UsageRuleViolation) as refused:
        book(organizer, capped_room, expected_headcount=9)
    violation = refused.value.extra["violations"][0]
    assert (violation["code"], violation["value"]) == ("participant_cap", 8)
    assert violation["messages"]["en"] == "Hall: the Jitsi licence admits at most 8 people."
    assert set(violation["messages"]) == {"en", "zh-hans"}
    assert not Booking.objects.exists()


def test_up_to_the_cap_is_accepted(organizer, capped_room, policy):
    assert book(organizer, capped_room, expected_headcount=8).pk


def test_no_cap_means_only_the_rooms_capacity(organizer, room, policy):
    assert room.provider.participant_cap is None
    assert not rules.check_room(room=room, headcount=10, recording_allowed=False, external_guests=0)


def test_a_change_above_the_cap_is_refused(organizer, capped_room, policy):
    booking = book(organizer, capped_room, expected_headcount=4)
    with pytest.raises(UsageRuleViolation) as refused:
        services.booking_change(booking=booking, actor=organizer, expected_headcount=20)
    assert refused.value.code == "participant_cap"


def test_inviting_people_beyond_the_cap_is_refused(organizer, capped_room, policy):
    booking = book(organizer, capped_room, expected_headcount=1)
    people = [UserFactory() for _ in range(8)]
    with pytest.raises(BookingInputError) as refused:
        services.booking_attendees_add(booking=booking, actor=organizer, users=people)
    assert refused.value.code == "participant_cap"
    assert booking.attendees.count() == 0


def test_the_approvers_check_shows_a_cap_lowered_since_the_request(organizer, room, policy):
    booking = book(organizer, room, expected_headcount=9)
    Provider.objects.filter(pk=room.provider_id).update(participant_cap=5)
    booking = Booking.objects.get(pk=booking.pk)
    check = selectors.booking_pending_rule_check(booking=booking)
    assert "participant_cap" in [v.code for v in check.violations]
