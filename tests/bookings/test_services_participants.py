"""BK-10 to BK-13: an approved meeting's participants and their reminders follow its
life: written on approval, moved by an approved change, voided by a cancellation, a
person invited or removed joining or leaving the meetings still to come."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings import services
from bookings.models import Occurrence, Participant, Reminder
from bookings.services.participants import lead_times, reminders_void
from tests.bookings.conftest import NOW, at, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_room(db):
    return RoomFactory(capacity=20, allows_external_guests=True)


@pytest.fixture
def colleague(db):
    return UserFactory(email="colleague@example.com")


@pytest.fixture
def approved(organizer, guest_room, approver, colleague, policy):
    booking = book(
        organizer,
        guest_room,
        attendee_users=[colleague],
        attendee_emails=["guest@partner.example"],
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def _reminders(**filters) -> set[tuple[str, int, dt.datetime]]:
    return set(
        Reminder.objects.filter(**filters).values_list(
            "participant__email", "lead_minutes", "due_at"
        )
    )


def test_approval_makes_the_organizer_and_every_invitee_participants(approved, colleague):
    rows = Participant.objects.filter(booking=approved).order_by("pk")

    assert [(p.email, p.role, p.response) for p in rows] == [
        ("organizer@example.com", "organizer", "accepted"),
        ("colleague@example.com", "colleague", "needs_action"),
        ("guest@partner.example", "guest", "needs_action"),
    ]
    assert {p.occurrence.status for p in rows} == {"approved"}


def test_approval_plans_each_lead_time_of_the_policy_for_everyone(approved, policy):
    start = at(2, "10:00")

    assert policy.reminder_lead_minutes == "1440,15"
    assert _reminders(sent_at=None, voided_at=None) == {
        (email, lead, start - dt.timedelta(minutes=lead))
        for email in ("organizer@example.com", "colleague@example.com", "guest@partner.example")
        for lead in (1440, 15)
    }


def test_a_lead_time_already_past_at_approval_is_not_planned(
    organizer, guest_room, approver, policy
):
    # Wednesday 10:00 is 49 hours away: a lead of three days has passed already.
    booking = book(organizer, guest_room)
    booking.reminder_lead_minutes = "4320,60"
    booking.save(update_fields=["reminder_lead_minutes"])
    services.booking_approve(booking=booking, actor=approver)

    assert {lead for _e, lead, _d in _reminders()} == {60}


def test_the_meetings_own_lead_times_replace_the_policys(organizer, guest_room, policy):
    booking = book(organizer, guest_room)
    booking.reminder_lead_minutes = " 30, 5,30,x,0"

    assert lead_times(booking) == [30, 5]
    booking.reminder_lead_minutes = ""
    assert lead_times(booking, policy) == [1440, 15]


def test_a_pending_meeting_has_no_participants_yet(organizer, guest_room, policy):
    booking = book(organizer, guest_room)

    assert not Participant.objects.filter(booking=booking).exists()
    assert not Reminder.objects.exists()


def test_cancelling_voids_the_reminders_and_keeps_who_was_invited(approved, organizer):
    services.booking_cancel(booking=approved, actor=organizer, reason="Moved online")

    assert Participant.objects.filter(booking=approved).count() == 3
    assert not Reminder.objects.filter(voided_at=None).exists()
    assert set(Reminder.objects.values_list("voided_at", flat=True)) == {NOW}


def test_an_approved_change_moves_people_and_their_reminders_to_the_new_time(
    approved, organizer, approver
):
    participant = Participant.objects.get(booking=approved, email="colleague@example.com")
    participant.response = Participant.Response.ACCEPTED
    participant.save()

    services.booking_change(
        booking=approved, actor=organizer, start=at(3, "14:00"), end=at(3, "15:00")
    )
    services.booking_approve(booking=approved, actor=approver)

    new = Occurrence.objects.get(booking=approved, status="approved")
    assert new.start == at(3, "14:00")
    moved = Participant.objects.filter(booking=approved)
    assert {p.occurrence_id for p in moved} == {new.pk}
    # The colleague said yes to another time: asked again. The organizer still comes.
    assert {p.email: p.response for p in moved} == {
        "organizer@example.com": "accepted",
        "colleague@example.com": "needs_action",
        "guest@partner.example": "needs_action",
    }
    assert _reminders(voided_at=None) == {
        (email, lead, at(3, "14:00") - dt.timedelta(minutes=lead))
        for email in ("organizer@example.com", "colleague@example.com", "guest@partner.example")
        for lead in (1440, 15)
    }
    assert Reminder.objects.count() == 6  # moved, not copied


def test_a_reminder_sent_before_a_change_is_planned_again_for_the_new_time(
    approved, organizer, approver
):
    Reminder.objects.filter(lead_minutes=1440).update(sent_at=NOW)

    services.booking_change(
        booking=approved, actor=organizer, start=at(4, "10:00"), end=at(4, "11:00")
    )
    services.booking_approve(booking=approved, actor=approver)

    pending = _reminders(sent_at=None, voided_at=None)
    assert {(lead, due) for _e, lead, due in pending} == {
        (1440, at(3, "10:00")),
        (15, at(4, "09:45")),
    }
    assert Reminder.objects.filter(sent_at=NOW).count() == 3  # the record stays


def test_a_change_of_room_only_keeps_the_answers(approved, organizer, approver):
    Participant.objects.filter(email="colleague@example.com").update(response="declined")
    other = RoomFactory(capacity=20, allows_external_guests=True)

    services.booking_change(booking=approved, actor=organizer, room=other)
    services.booking_approve(booking=approved, actor=approver)

    assert Participant.objects.get(email="colleague@example.com").response == "declined"


def test_someone_invited_later_joins_the_meetings_to_come(approved, organizer):
    late = UserFactory(email="late@example.com")

    services.booking_attendees_add(booking=approved, actor=organizer, users=[late])

    row = Participant.objects.get(booking=approved, user=late)
    assert (row.role, row.is_active) == ("colleague", True)
    assert {lead for _e, lead, _d in _reminders(participant=row)} == {1440, 15}


def test_someone_removed_leaves_and_their_reminders_are_voided(approved, organizer, colleague):
    attendee = approved.attendees.get(user=colleague)

    services.booking_attendee_remove(booking=approved, actor=organizer, attendee=attendee)

    row = Participant.objects.get(booking=approved, user=colleague)
    assert not row.is_active
    assert not Reminder.objects.filter(participant=row, voided_at=None).exists()
    assert Reminder.objects.filter(voided_at=None).count() == 4  # the others keep theirs

    # Invited again: the same row, and reminders again.
    services.booking_attendees_add(booking=approved, actor=organizer, users=[colleague])
    row.refresh_from_db()
    assert row.is_active
    assert Reminder.objects.filter(participant=row, voided_at=None).count() == 2


def test_a_series_approved_one_meeting_at_a_time_gets_participants_per_meeting(
    organizer, guest_room, approver, colleague, policy
):
    booking = book(
        organizer,
        guest_room,
        attendee_users=[colleague],
        recurrence_rule={"freq": "weekly", "count": 3},
    )
    first = booking.occurrences.order_by("start").first()

    services.booking_approve(booking=booking, actor=approver, occurrence=first)

    assert set(Participant.objects.values_list("occurrence_id", flat=True)) == {first.pk}
    services.booking_approve(booking=booking, actor=approver)
    assert Participant.objects.count() == 6
    assert Reminder.objects.count() == 12


def test_voiding_names_its_reminders(approved):
    with pytest.raises(ValueError, match="Name the participants or the meetings"):
        reminders_void()
    colleague_row = Participant.objects.get(email="colleague@example.com")

    assert reminders_void(participants=[colleague_row]) == 2
    assert reminders_void(participants=[colleague_row]) == 0
