"""The factories write rows as the services do, so a test that starts from one starts
from a state the product can be in: a booking with its meetings and their copies, a
policy version after the one in force, a suspension imposed and lifted by a supervisor."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings import rules, selectors
from bookings.conflicts import BookingConflict
from bookings.models import Booking, Occurrence
from oversight.models import AuditEvent
from tests.bookings.conftest import NOW, at
from tests.factories import (
    BlackoutFactory,
    BookingFactory,
    SuspensionFactory,
    UsagePolicyFactory,
)

pytestmark = pytest.mark.django_db
S = Occurrence.Status


def _free(start: dt.datetime, end: dt.datetime) -> set[int]:
    return {room.pk for room in selectors.room_list_free_for_slot(start=start, end=end)}


def test_a_booking_is_a_pending_request_with_its_meeting_and_the_copies_on_it():
    booking = BookingFactory(topic="Budget 2027", confidential=True)

    occurrence = booking.occurrences.get()
    assert booking.status == Booking.Status.PENDING
    assert (occurrence.start, occurrence.end) == (at(2, "10:00"), at(2, "11:00"))
    assert (occurrence.topic, occurrence.confidential, occurrence.organizer) == (
        "Budget 2027",
        True,
        booking.organizer,
    )
    assert (booking.first_start, booking.first_pending_start) == (at(2, "10:00"),) * 2
    assert booking.policy_version == rules.policy_current().version
    assert AuditEvent.objects.filter(action="booking.requested", target_id=str(booking.pk)).exists()


def test_an_approved_booking_has_its_join_link_and_no_pending_start():
    booking = BookingFactory(approved=True)

    assert booking.status == Booking.Status.APPROVED
    assert booking.occurrences.get().status == S.APPROVED
    assert booking.join_url
    assert booking.first_pending_start is None


def test_a_series_has_four_weekly_meetings_and_an_invitee_is_invited():
    booking = BookingFactory(series=True, with_invitee=True)

    starts = list(booking.occurrences.order_by("start").values_list("start", flat=True))
    assert starts == [at(2 + 7 * week, "10:00") for week in range(4)]
    invitee = booking.attendees.get().user
    assert invitee is not None
    assert invitee != booking.organizer


def test_factory_bookings_of_one_room_conflict_as_requests_do():
    first = BookingFactory()

    with pytest.raises(BookingConflict):
        BookingFactory(room=first.room)


@pytest.mark.parametrize(
    ("trait", "blocks_other_rooms"), [({}, False), ({"all_rooms": True}, True)]
)
def test_a_blackout_closes_its_room_or_every_room(room, trait, blocks_other_rooms):
    blackout = BlackoutFactory(**trait)
    closed = blackout.room or room

    assert closed.pk not in _free(at(2, "10:00"), at(2, "11:00"))
    assert (room.pk not in _free(at(2, "10:00"), at(2, "11:00"))) is blocks_other_rooms


def test_an_ended_blackout_closes_nothing(room):
    BlackoutFactory(room=room, ended=True)

    assert room.pk in _free(at(2, "10:00"), at(2, "11:00"))


def test_a_policy_is_the_next_version_with_the_traits_values_and_the_rest_unchanged(policy):
    strict = UsagePolicyFactory(strict=True, with_quotas=True, auto_approving=True)

    assert rules.policy_current() == strict
    assert strict.version == policy.version + 1
    assert (strict.min_advance_hours, strict.max_duration_minutes, strict.horizon_days) == (
        48,
        60,
        14,
    )
    assert strict.has_quotas
    assert strict.auto_approve
    assert strict.reminder_lead_minutes == policy.reminder_lead_minutes
    event = AuditEvent.objects.get(action="usagepolicy.created")
    assert event.data["changes"]["min_advance_hours"] == {"old": 24, "new": 48}


def test_a_suspension_is_imposed_by_a_supervisor_for_a_week():
    suspension = SuspensionFactory()

    assert suspension.in_force_at(NOW)
    assert suspension.end == NOW + dt.timedelta(days=7)
    assert suspension.imposed_by.has_perm("bookings.add_bookingsuspension")
    assert AuditEvent.objects.filter(action="bookingsuspension.imposed").count() == 1


def test_a_removal_has_no_end_and_a_lifted_suspension_is_over():
    removal = SuspensionFactory(removal=True)
    lifted = SuspensionFactory(lifted=True)

    assert removal.end is None
    assert removal.in_force_at(NOW + dt.timedelta(days=3650))
    assert lifted.lifted_at == NOW
    assert lifted.lifted_by == lifted.imposed_by
    assert not lifted.in_force_at(NOW)
