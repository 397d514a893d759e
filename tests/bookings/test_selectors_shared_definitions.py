"""What a booking and its meetings share is stated once: the statuses, the statuses that
hold a room, and the approvers' queue order that the queue index holds."""

from __future__ import annotations

from bookings import conflicts, selectors
from bookings.models import BOOKING_QUEUE_ORDER, Booking, Occurrence


def test_a_meeting_has_every_status_of_a_booking_with_the_same_label_and_one_of_its_own():
    booking = dict(Booking.Status.choices)
    meeting = dict(Occurrence.Status.choices)

    assert {k: v for k, v in meeting.items() if k in booking} == booking
    assert set(meeting) - set(booking) == {"superseded"}
    assert Occurrence.Status.PENDING == Booking.Status.PENDING


def test_what_holds_a_room_is_counted_alike_by_conflicts_and_the_free_room_search():
    query = str(conflicts.occupying_between(*_slot()).query)

    assert Occurrence.OCCUPYING == (Occurrence.Status.PENDING, Occurrence.Status.APPROVED)
    assert "IN (pending, approved)" in query.replace("'", "")


def test_the_queue_is_sorted_as_its_index_holds_it(db):
    (index,) = [i for i in Booking._meta.indexes if i.name == "booking_queue_idx"]
    queue = selectors.booking_list_for_review(actor=_approver())

    assert tuple(index.expressions) == BOOKING_QUEUE_ORDER
    assert tuple(queue.query.order_by) == BOOKING_QUEUE_ORDER
    assert selectors.REVIEW_ORDERING is BOOKING_QUEUE_ORDER


def _slot():
    from tests.bookings.conftest import at

    return at(2, "10:00"), at(2, "11:00")


def _approver():
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, groups=["Approvers"])
