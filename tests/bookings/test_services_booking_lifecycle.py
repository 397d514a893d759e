"""BK-4 to BK-7: the status machine, approval and rejection, cancellation, change,
and the records they leave."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from bookings import services
from bookings.conflicts import BookingConflict
from bookings.models import Booking, BookingChange, Occurrence
from bookings.services.status import occurrence_transition
from meetingops.errors import ApplicationError, InvalidTransition, PermissionDeniedError
from oversight.models import AuditEvent
from tests.bookings.conftest import NOW, at, book
from tests.factories import BookingFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Occurrence.Status


def statuses(booking) -> list[str]:
    return list(booking.occurrences.order_by("start", "pk").values_list("status", flat=True))


# -- transitions -------------------------------------------------------------------------


def test_a_request_starts_pending_and_holds_its_slot(organizer, room):
    booking = book(organizer, room)

    assert booking.status == Booking.Status.PENDING
    with pytest.raises(BookingConflict):
        book(UserFactory(), room, at(2, "10:30"), at(2, "11:30"))


def test_approval_confirms_gives_a_join_link_audits_and_notifies(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    booking = book(organizer, room)

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(booking=booking, actor=approver, note="ok")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert booking.join_url.startswith("https://meet.example.com/MeetingOps-")
    occurrence = booking.occurrences.get()
    assert (occurrence.decided_by, occurrence.decided_at) == (approver, NOW)
    assert AuditEvent.objects.get(action="booking.approved").actor == approver
    assert mail.outbox[-1].to == [organizer.email]
    assert booking.join_url in mail.outbox[-1].body


def test_notifications_are_queued_only_when_the_change_commits(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    booking = book(organizer, room)

    # Tasks run eagerly: a task queued inside the transaction would send its email here.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.booking_approve(booking=booking, actor=approver)

    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()  # the commit
    assert [m.to for m in mail.outbox] == [[organizer.email]]
    assert booking.topic in mail.outbox[0].subject


def test_join_links_are_unguessable_and_differ_per_meeting(organizer, room, approver):
    first = book(organizer, room, at(2, "10:00"), at(2, "11:00"))
    second = book(organizer, room, at(2, "11:00"), at(2, "12:00"))
    for booking in (first, second):
        services.booking_approve(booking=booking, actor=approver)
        booking.refresh_from_db()

    assert first.join_url != second.join_url
    assert len(first.meeting_code) > 24


def test_a_manual_room_gives_its_fixed_link(organizer, approver):
    room = RoomFactory(
        manual=True,
        join_url="https://meeting.tencent.com/dm/abc",
        meeting_code="123 456 789",
        meeting_password="4321",
    )
    booking = book(organizer, room)

    services.booking_approve(booking=booking, actor=approver)

    booking.refresh_from_db()
    assert (booking.join_url, booking.meeting_code, booking.meeting_password) == (
        "https://meeting.tencent.com/dm/abc",
        "123 456 789",
        "4321",
    )


def test_a_confidential_meeting_gets_a_password(organizer, room, approver):
    booking = book(organizer, room, confidential=True)

    services.booking_approve(booking=booking, actor=approver)

    booking.refresh_from_db()
    assert booking.meeting_password.isdigit()
    assert len(booking.meeting_password) == 6


def test_rejection_needs_a_reason_and_frees_the_slot(organizer, room, approver):
    booking = book(organizer, room)

    with pytest.raises(ApplicationError) as error:
        services.booking_reject(booking=booking, actor=approver, reason="  ")
    assert error.value.code == "reason_required"
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.PENDING

    services.booking_reject(booking=booking, actor=approver, reason="Room reserved for the board")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.REJECTED
    assert booking.occurrences.get().reason == "Room reserved for the board"
    assert book(UserFactory(), room).status == Booking.Status.PENDING


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("reject", "approve"),
        ("reject", "reject"),
        ("cancel", "approve"),
        ("approve", "approve"),
    ],
)
def test_a_decided_booking_cannot_be_decided_again(organizer, room, approver, first, then):
    booking = book(organizer, room)
    act = {
        "approve": lambda: services.booking_approve(booking=booking, actor=approver),
        "reject": lambda: services.booking_reject(booking=booking, actor=approver, reason="no"),
        "cancel": lambda: services.booking_cancel(booking=booking, actor=organizer),
    }
    act[first]()
    events = AuditEvent.objects.count()

    with pytest.raises(InvalidTransition):
        act[then]()

    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("status", "to", "allowed"),
    [
        (S.PENDING, S.APPROVED, True),
        (S.PENDING, S.REJECTED, True),
        (S.PENDING, S.CANCELLED, True),
        (S.PENDING, S.COMPLETED, False),
        (S.PENDING, S.NO_SHOW, False),
        (S.APPROVED, S.COMPLETED, True),
        (S.APPROVED, S.CANCELLED, True),
        (S.APPROVED, S.NO_SHOW, True),
        (S.APPROVED, S.REJECTED, False),
        (S.APPROVED, S.PENDING, False),
        (S.REJECTED, S.APPROVED, False),
        (S.CANCELLED, S.APPROVED, False),
        (S.COMPLETED, S.CANCELLED, False),
        (S.NO_SHOW, S.COMPLETED, False),
    ],
)
def test_the_status_table_allows_only_its_moves(status, to, allowed):
    occurrence = Occurrence(status=status)

    if allowed:
        assert occurrence_transition(occurrence, to=to, actor=None) is True
        assert occurrence.status == to
    else:
        with pytest.raises(InvalidTransition):
            occurrence_transition(occurrence, to=to, actor=None)
        assert occurrence.status == status


def test_the_same_status_again_is_a_no_op():
    occurrence = Occurrence(status=S.APPROVED)

    assert occurrence_transition(occurrence, to=S.APPROVED, actor=None) is False


# -- who may decide ----------------------------------------------------------------------------


def test_an_employee_cannot_approve(organizer, room):
    booking = book(organizer, room)

    with pytest.raises(PermissionDeniedError):
        services.booking_approve(booking=booking, actor=UserFactory())


def test_an_approver_cannot_approve_their_own_request(room, approver):
    booking = book(approver, room)

    with pytest.raises(PermissionDeniedError):
        services.booking_approve(booking=booking, actor=approver)


def test_a_superuser_may_decide_their_own_request_in_an_emergency(room):
    chief = UserFactory(is_superuser=True, is_staff=True)
    booking = book(chief, room)

    services.booking_approve(booking=booking, actor=chief)

    assert statuses(booking) == [S.APPROVED]


def test_a_room_administrator_changes_a_booking_for_its_organizer(organizer, room, approver):
    booking = book(organizer, room)

    services.booking_change(booking=booking, actor=approver, topic="Retitled by the desk")
    with pytest.raises(PermissionDeniedError):
        services.booking_change(booking=booking, actor=UserFactory(), topic="Hijacked")

    booking.refresh_from_db()
    assert booking.topic == "Retitled by the desk"


def test_only_the_organizer_cancels(organizer, room):
    booking = book(organizer, room)

    with pytest.raises(PermissionDeniedError):
        services.booking_cancel(booking=booking, actor=UserFactory())


# -- cancel (BK-6) ---------------------------------------------------------------------------------


def test_cancelling_in_time_is_not_late_and_tells_attendees(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    guest = UserFactory()
    booking = book(organizer, room, attendee_users=[guest])
    services.booking_approve(booking=booking, actor=approver)

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer, reason="Moved online")

    occurrence = booking.occurrences.get()
    assert (occurrence.status, occurrence.late_cancellation) == (S.CANCELLED, False)
    assert {guest.email, organizer.email} <= {a for m in mail.outbox for a in m.to}


def test_cancelling_after_the_deadline_counts_as_late(organizer, room, approver):
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)

    with time_machine.travel(at(2, "08:30"), tick=False):
        services.booking_cancel(booking=booking, actor=organizer)

    assert booking.occurrences.get().late_cancellation is True
    assert AuditEvent.objects.get(action="booking.cancelled").data["late"] == [
        booking.occurrences.get().pk
    ]


def test_a_request_not_yet_approved_is_never_cancelled_late(organizer, room):
    booking = book(organizer, room)

    with time_machine.travel(at(2, "08:30"), tick=False):
        services.booking_cancel(booking=booking, actor=organizer)

    occurrence = booking.occurrences.get()
    assert (occurrence.status, occurrence.late_cancellation) == (S.CANCELLED, False)


def test_a_meeting_that_has_started_cannot_be_cancelled(organizer, room, approver):
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)

    with time_machine.travel(at(2, "10:05"), tick=False), pytest.raises(InvalidTransition):
        services.booking_cancel(booking=booking, actor=organizer)


def test_bookings_are_never_deleted(organizer, room):
    booking = book(organizer, room)

    with pytest.raises(Exception, match="protected"):
        Booking.objects.filter(pk=booking.pk).delete()


# -- change (BK-5) ---------------------------------------------------------------------------------


def test_changing_a_pending_booking_applies_at_once(organizer, room):
    booking = book(organizer, room)

    services.booking_change(
        booking=booking, actor=organizer, start=at(3, "10:00"), end=at(3, "11:00")
    )

    occurrence = booking.occurrences.get()
    assert (occurrence.start, occurrence.end, occurrence.status) == (
        at(3, "10:00"),
        at(3, "11:00"),
        S.PENDING,
    )
    assert not BookingChange.objects.exists()


def test_change_of_approved_booking_keeps_old_slot_until_decided(organizer, room, approver):
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)

    services.booking_change(
        booking=booking, actor=organizer, start=at(3, "10:00"), end=at(3, "11:00")
    )

    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert statuses(booking) == [S.APPROVED, S.PENDING]
    for slot in [(at(2, "10:00"), at(2, "11:00")), (at(3, "10:00"), at(3, "11:00"))]:
        with pytest.raises(BookingConflict):
            book(UserFactory(), room, *slot)


def test_approving_the_change_moves_the_meeting_and_frees_the_old_slot(organizer, room, approver):
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)
    services.booking_change(
        booking=booking, actor=organizer, start=at(3, "10:00"), end=at(3, "11:00")
    )

    services.booking_approve(booking=booking, actor=approver)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert statuses(booking) == [S.SUPERSEDED, S.APPROVED]
    assert BookingChange.objects.get().status == BookingChange.Status.APPROVED
    assert book(UserFactory(), room).status == Booking.Status.PENDING


def test_rejecting_the_change_keeps_the_original_meeting(organizer, room, approver):
    booking = book(organizer, room, expected_headcount=3)
    services.booking_approve(booking=booking, actor=approver)
    services.booking_change(
        booking=booking,
        actor=organizer,
        start=at(3, "10:00"),
        end=at(3, "11:00"),
        expected_headcount=8,
    )

    services.booking_reject(booking=booking, actor=approver, reason="Board meeting then")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert booking.expected_headcount == 3
    assert statuses(booking) == [S.APPROVED, S.REJECTED]
    assert book(UserFactory(), room, at(3, "10:00"), at(3, "11:00"))


def test_after_a_rejected_change_the_organizer_can_ask_again(organizer, room, approver):
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)
    services.booking_change(
        booking=booking, actor=organizer, start=at(3, "10:00"), end=at(3, "11:00")
    )
    services.booking_reject(booking=booking, actor=approver, reason="Board meeting then")

    services.booking_change(
        booking=booking, actor=organizer, start=at(4, "10:00"), end=at(4, "11:00")
    )
    services.booking_approve(booking=booking, actor=approver)

    assert statuses(booking) == [S.SUPERSEDED, S.REJECTED, S.APPROVED]
    moved = booking.occurrences.get(status=S.APPROVED)
    assert (moved.start, moved.replaces.start) == (at(4, "10:00"), at(2, "10:00"))


def test_an_approved_slot_has_one_live_replacement_at_most(organizer, room, approver):
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)
    services.booking_change(
        booking=booking, actor=organizer, start=at(3, "10:00"), end=at(3, "11:00")
    )
    proposal = booking.occurrences.get(status=S.PENDING)

    proposal.pk = None
    proposal.start, proposal.end = at(4, "10:00"), at(4, "11:00")
    proposal.occupied_from = proposal.start
    with pytest.raises(IntegrityError), transaction.atomic():
        proposal.save()


def test_a_headcount_change_of_an_approved_booking_waits_for_approval(organizer, room, approver):
    booking = book(organizer, room, expected_headcount=3)
    services.booking_approve(booking=booking, actor=approver)

    services.booking_change(booking=booking, actor=organizer, expected_headcount=9)

    booking.refresh_from_db()
    assert (booking.status, booking.expected_headcount) == (Booking.Status.PENDING, 3)
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    assert (booking.status, booking.expected_headcount) == (Booking.Status.APPROVED, 9)


def test_a_topic_change_of_an_approved_booking_applies_without_approval(organizer, room, approver):
    booking = BookingFactory(
        organizer=organizer, room=room, approved_by=approver, topic="Quarterly review"
    )

    services.booking_change(booking=booking, actor=organizer, topic="Quarterly review (Q4)")

    booking.refresh_from_db()
    assert (booking.status, booking.topic) == (Booking.Status.APPROVED, "Quarterly review (Q4)")
    event = AuditEvent.objects.get(action="booking.changed")
    assert event.data["changes"]["topic"] == {
        "old": "Quarterly review",
        "new": "Quarterly review (Q4)",
    }


def _copies(booking) -> set[tuple]:
    """What each occurrence holds of its booking, and what the booking says."""
    booking.refresh_from_db()
    expected = (booking.topic, booking.confidential, booking.organizer_id)
    return {(o.topic, o.confidential, o.organizer_id) for o in booking.occurrences.all()} | {
        expected
    }


def test_occurrences_copies_of_topic_and_confidentiality_follow_every_change(
    organizer, room, approver
):
    """The week's calendar reads the occurrences' copies (models.Occurrence): no path
    that changes a booking may leave them behind."""
    pending = book(organizer, room, recurrence_rule={"freq": "daily", "count": 2})
    assert len(_copies(pending)) == 1
    services.booking_change(booking=pending, actor=organizer, confidential=True, topic="Moved")
    assert _copies(pending) == {("Moved", True, organizer.pk)}

    approved = book(organizer, room, at(3, "14:00"), at(3, "15:00"))
    services.booking_approve(booking=approved, actor=approver)
    services.booking_change(booking=approved, actor=organizer, topic="Renamed")
    assert _copies(approved) == {("Renamed", False, organizer.pk)}
    services.booking_change(
        booking=approved,
        actor=organizer,
        confidential=True,
        start=at(3, "16:00"),
        end=at(3, "17:00"),
    )
    assert _copies(approved) == {("Renamed", False, organizer.pk)}  # until decided
    services.booking_approve(booking=approved, actor=approver)
    assert _copies(approved) == {("Renamed", True, organizer.pk)}


def _queue_fields(booking) -> tuple:
    booking.refresh_from_db()
    live = booking.occurrences.exclude(status=S.SUPERSEDED)
    first = min(o.start for o in live)
    expected = (
        first,
        min(
            (o.start for o in live if o.status == S.PENDING),
            default=first if booking.status == Booking.Status.PENDING else None,
        ),
    )
    assert (booking.first_start, booking.first_pending_start) == expected
    return expected


def test_the_queue_order_fields_follow_every_change(organizer, room, approver):
    """The approvers' queue is read in the order of the booking's own copies of its
    first meeting and first pending meeting: every path that moves or decides a
    meeting must keep them."""
    series = book(organizer, room, recurrence_rule={"freq": "daily", "count": 3})
    assert _queue_fields(series) == (at(2, "10:00"), at(2, "10:00"))
    first, second, third = series.occurrences.order_by("start")
    services.booking_approve(booking=series, actor=approver, occurrence=first)
    assert _queue_fields(series) == (at(2, "10:00"), at(3, "10:00"))
    services.booking_reject(booking=series, actor=approver, occurrence=second, reason="Busy")
    assert _queue_fields(series) == (at(2, "10:00"), at(4, "10:00"))
    services.booking_cancel(booking=series, actor=organizer, occurrence=third)
    assert _queue_fields(series) == (at(2, "10:00"), None)

    single = book(organizer, room, at(3, "14:00"), at(3, "15:00"))
    services.booking_change(
        booking=single, actor=organizer, start=at(3, "13:00"), end=at(3, "14:00")
    )
    assert _queue_fields(single) == (at(3, "13:00"), at(3, "13:00"))  # pending: in place
    services.booking_approve(booking=single, actor=approver)
    assert _queue_fields(single) == (at(3, "13:00"), None)
    services.booking_change(
        booking=single, actor=organizer, start=at(4, "16:00"), end=at(4, "17:00")
    )
    assert _queue_fields(single) == (at(3, "13:00"), at(4, "16:00"))  # held beside the old
    services.booking_approve(booking=single, actor=approver)
    assert _queue_fields(single) == (at(4, "16:00"), None)
    services.booking_change(booking=single, actor=organizer, expected_headcount=9)
    assert _queue_fields(single) == (at(4, "16:00"), at(4, "16:00"))  # waits, moves nothing
    services.booking_reject(booking=single, actor=approver, reason="Too many")
    assert _queue_fields(single) == (at(4, "16:00"), None)


def test_a_change_into_a_taken_slot_is_refused_and_changes_nothing(organizer, room, approver):
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)
    book(UserFactory(), room, at(3, "10:00"), at(3, "11:00"))

    with pytest.raises(BookingConflict):
        services.booking_change(
            booking=booking, actor=organizer, start=at(3, "10:30"), end=at(3, "11:30")
        )

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert statuses(booking) == [S.APPROVED]


def test_a_changes_held_slot_beside_the_old_one_is_no_double_booking(organizer, room, approver):
    from bookings.overlaps import overlaps_find

    booking = book(organizer, room, at(2, "10:00"), at(2, "11:00"))
    services.booking_approve(booking=booking, actor=approver)
    services.booking_change(
        booking=booking, actor=organizer, start=at(2, "10:30"), end=at(2, "11:30")
    )

    held = list(booking.occurrences.order_by("start").values_list("start", "end", "status"))

    # The old slot 10:00-11:00 and the new 10:30-11:30 overlap in one room, yet they
    # are one booking's, so the audit reports nothing.
    assert held == [
        (at(2, "10:00"), at(2, "11:00"), S.APPROVED),
        (at(2, "10:30"), at(2, "11:30"), S.PENDING),
    ]
    assert list(overlaps_find()) == []


def test_a_second_change_waits_for_the_first(organizer, room, approver):
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)
    services.booking_change(booking=booking, actor=organizer, expected_headcount=5)

    with pytest.raises(InvalidTransition):
        services.booking_change(booking=booking, actor=organizer, expected_headcount=6)


def test_moving_to_another_room_gets_that_rooms_link(organizer, room, approver):
    other = RoomFactory(manual=True, join_url="https://zoom.example/j/1")
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)

    services.booking_change(booking=booking, actor=organizer, room=other)
    services.booking_approve(booking=booking, actor=approver)

    booking.refresh_from_db()
    assert (booking.room, booking.join_url) == (other, "https://zoom.example/j/1")


def test_every_step_of_a_booking_is_in_its_history(organizer, room, approver):
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)
    services.booking_change(booking=booking, actor=organizer, expected_headcount=5)
    services.booking_approve(booking=booking, actor=approver)
    services.booking_cancel(booking=booking, actor=organizer)

    history = AuditEvent.objects.filter(target_type="bookings.booking", target_id=str(booking.pk))
    assert list(history.order_by("seq").values_list("action", flat=True)) == [
        "booking.requested",
        "booking.approved",
        "booking.change_requested",
        "booking.change_approved",
        "booking.cancelled",
    ]


# -- input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (at(2, "11:00"), at(2, "10:00"), "end_before_start"),
        (at(2, "10:00"), at(2, "10:00"), "end_before_start"),
        (
            dt.datetime(2026, 12, 9, 10),  # noqa: DTZ001 - naive on purpose
            dt.datetime(2026, 12, 9, 11),  # noqa: DTZ001
            "naive_datetime",
        ),
    ],
    ids=["end-before-start", "zero-length", "naive"],
)
def test_bad_times_are_refused_with_a_clear_code(organizer, room, start, end, code):
    with pytest.raises(ApplicationError) as error:
        book(organizer, room, start, end)

    assert error.value.code == code
    assert not Booking.objects.exists()


def test_a_bad_guest_address_is_refused(organizer, room):
    room.allows_external_guests = True
    room.save()

    with pytest.raises(ApplicationError) as error:
        book(organizer, room, attendee_emails=["not-an-address"])

    assert error.value.code == "invalid_email"


def test_a_closed_account_cannot_be_invited(organizer, room):
    former = UserFactory(name="Fay Former", is_active=False)

    with pytest.raises(ApplicationError) as error:
        book(organizer, room, attendee_users=[UserFactory(), former])

    assert error.value.code == "inactive_invitee"
    assert "Fay Former" in error.value.detail
    assert not Booking.objects.exists()


@pytest.mark.parametrize("topic", ["", "   "])
def test_a_change_cannot_blank_the_topic(organizer, room, topic):
    booking = book(organizer, room, topic="Quarterly review")

    with pytest.raises(ApplicationError) as error:
        services.booking_change(booking=booking, actor=organizer, topic=topic)

    assert error.value.code == "topic_required"
    booking.refresh_from_db()
    assert booking.topic == "Quarterly review"


def test_a_request_accepts_the_lazy_signed_in_user_of_a_web_request(room):
    from django.utils.functional import SimpleLazyObject

    person = UserFactory()

    booking = book(SimpleLazyObject(lambda: person), room)

    assert booking.organizer == person


def test_a_partly_approved_series_cannot_change_its_room_until_all_are_decided(
    organizer, room, approver
):
    series = book(organizer, room, recurrence_rule={"freq": "daily", "count": 2})
    first = series.occurrences.order_by("start").first()
    services.booking_approve(booking=series, actor=approver, occurrence=first)
    other = RoomFactory(name="Other")

    with pytest.raises(InvalidTransition) as refused:
        services.booking_change(booking=series, actor=organizer, room=other)

    assert refused.value.code == "series_partly_decided"
    assert set(series.occurrences.values_list("room__name", flat=True)) == {room.name}
    services.booking_change(booking=series, actor=organizer, topic="Renamed")  # not material
    assert series.occurrences.filter(topic="Renamed").count() == 2


# -- cancelling around a pending change --------------------------------------------------------


def _moved_series(organizer, room, approver):
    """An approved daily series of three whose room change waits for approval."""
    series = book(organizer, room, recurrence_rule={"freq": "daily", "count": 3})
    services.booking_approve(booking=series, actor=approver)
    services.booking_change(booking=series, actor=organizer, room=RoomFactory(name="Other"))
    return series


def _by_start(booking) -> list[tuple]:
    return list(
        booking.occurrences.order_by("start", "pk").values_list("start", "room__name", "status")
    )


def test_cancelling_one_meeting_of_a_moving_series_keeps_the_move_for_the_others(
    organizer, room, approver
):
    series = _moved_series(organizer, room, approver)
    first = series.occurrences.get(start=at(2, "10:00"), status=S.APPROVED)

    services.booking_cancel(booking=series, actor=organizer, occurrence=first)

    assert series.changes.get().status == BookingChange.Status.PENDING
    services.booking_approve(booking=series, actor=approver)
    assert [(s, r, st) for s, r, st in _by_start(series) if st == S.APPROVED] == [
        (at(3, "10:00"), "Other", S.APPROVED),
        (at(4, "10:00"), "Other", S.APPROVED),
    ]
    assert [st for s, r, st in _by_start(series) if s == at(2, "10:00")] == [S.CANCELLED] * 2


def test_cancelling_a_proposed_slot_withdraws_the_whole_move(organizer, room, approver):
    series = _moved_series(organizer, room, approver)
    proposal = series.occurrences.filter(status=S.PENDING).order_by("start")[1]

    services.booking_cancel(booking=series, actor=organizer, occurrence=proposal)

    series.refresh_from_db()
    assert series.status == Booking.Status.APPROVED
    assert series.changes.get().status == BookingChange.Status.WITHDRAWN
    assert not series.occurrences.filter(status=S.PENDING).exists()
    assert series.occurrences.filter(status=S.APPROVED, room=room).count() == 3


def test_a_replaced_meetings_old_id_does_not_cancel_the_meeting_now_standing(
    organizer, room, approver
):
    booking = BookingFactory(organizer=organizer, room=room, approved_by=approver)
    old = booking.occurrences.get()
    services.booking_change(
        booking=booking, actor=organizer, start=at(3, "10:00"), end=at(3, "11:00")
    )
    services.booking_approve(booking=booking, actor=approver)

    with pytest.raises(InvalidTransition):
        services.booking_cancel(booking=booking, actor=organizer, occurrence=old)

    assert booking.occurrences.get(status=S.APPROVED).start == at(3, "10:00")


def test_a_change_with_nothing_left_to_apply_to_is_withdrawn(organizer, room, approver):
    series = book(organizer, room, recurrence_rule={"freq": "daily", "count": 2})
    services.booking_approve(booking=series, actor=approver)
    services.booking_change(booking=series, actor=organizer, expected_headcount=9)
    second = series.occurrences.get(start=at(3, "10:00"))

    with time_machine.travel(at(2, "10:05"), tick=False):  # the first is under way
        services.booking_cancel(booking=series, actor=organizer, occurrence=second)

    series.refresh_from_db()
    assert series.changes.get().status == BookingChange.Status.WITHDRAWN
    assert series.status == Booking.Status.APPROVED
    assert series.first_pending_start is None


def test_a_change_moving_nothing_waits_in_the_queue_from_the_next_meeting(
    organizer, room, approver
):
    series = book(organizer, room, recurrence_rule={"freq": "daily", "count": 3})
    services.booking_approve(booking=series, actor=approver)
    first = series.occurrences.get(start=at(2, "10:00"))
    services.booking_cancel(booking=series, actor=organizer, occurrence=first)

    services.booking_change(booking=series, actor=organizer, expected_headcount=9)

    series.refresh_from_db()
    assert series.first_pending_start == at(3, "10:00")


def test_past_undecided_meetings_do_not_block_a_change_of_the_approved_ones(
    organizer, room, approver
):
    series = book(
        organizer,
        room,
        at(1, "10:00"),
        at(1, "11:00"),
        recurrence_rule={"freq": "daily", "interval": 2, "count": 2},
    )
    last = series.occurrences.get(start=at(3, "10:00"))
    services.booking_approve(booking=series, actor=approver, occurrence=last)

    with time_machine.travel(at(1, "12:00"), tick=False):  # the first, never decided, is over
        services.booking_change(booking=series, actor=organizer, room=RoomFactory(name="Other"))

    assert series.changes.get().status == BookingChange.Status.PENDING
    assert series.occurrences.get(start=at(3, "10:00"), status=S.APPROVED).room == room


def test_a_change_counts_the_invitees_as_a_request_does(organizer, room, approver):
    """The room must hold the organizer and every invitee, whatever headcount is given."""
    booking = book(
        organizer, room, expected_headcount=2, attendee_users=UserFactory.create_batch(3)
    )
    small = RoomFactory(name="Phone booth", capacity=3)

    with pytest.raises(ApplicationError) as refused:
        services.booking_change(booking=booking, actor=organizer, room=small)

    assert refused.value.code == "capacity"
    assert booking.occurrences.get().room == room
