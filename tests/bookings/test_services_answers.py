"""BK-11: an invitee answers accept, tentative or decline with a reason, for one meeting
or the rest of a series; a decline voids their reminders and a yes after it plans them
again; the organizer cannot answer; bad input changes nothing; every answer is audited
and joins the booking's open digest."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bookings import services
from bookings.models import AnswerDigest, Participant, Reminder
from bookings.services.answers import DIGEST_DELAY
from meetingops.errors import ApplicationError
from oversight.models import AuditEvent
from tests.bookings.conftest import NOW, at, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_room(db):
    return RoomFactory(capacity=20, allows_external_guests=True)


@pytest.fixture
def colleague(db):
    return UserFactory(email="colleague@example.com", name="Carl Colleague")


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


@pytest.fixture
def series(organizer, guest_room, approver, colleague, policy):
    booking = book(
        organizer,
        guest_room,
        attendee_users=[colleague],
        recurrence_rule={"freq": "weekly", "count": 3},
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def row(booking, email) -> Participant:
    return Participant.objects.select_related("occurrence", "booking").get(
        booking=booking, email=email, occurrence__start=at(2, "10:00")
    )


def answer(participant, response, reason="", **extra):
    extra.setdefault("actor", participant.user)
    extra.setdefault("via", "page" if participant.user else "link")
    return services.participant_answer(
        participant=participant, response=response, reason=reason, **extra
    )


def pending_reminders(participant) -> int:
    return Reminder.objects.filter(participant=participant, sent_at=None, voided_at=None).count()


def test_a_colleague_accepts_and_it_is_recorded_and_audited(approved, colleague):
    p = row(approved, "colleague@example.com")

    answered = answer(p, "accepted", reason="ignored for a yes")

    p.refresh_from_db()
    assert (p.response, p.response_reason, p.responded_at) == ("accepted", "", NOW)
    assert [x.pk for x in answered.changed] == [p.pk]
    event = AuditEvent.objects.get(action="participant.answered")
    assert event.actor == colleague
    assert event.target_label == f"booking #{approved.pk}"
    assert approved.topic not in event.target_label
    assert event.data["via"] == "page"
    assert event.data["participants"] == [p.pk]


def test_a_decline_needs_a_reason_and_without_one_changes_nothing(approved):
    p = row(approved, "colleague@example.com")

    with pytest.raises(ApplicationError) as refused:
        answer(p, "declined", reason="   ")

    assert refused.value.code == "reason_required"
    assert refused.value.fields == {"reason": [refused.value.detail]}
    p.refresh_from_db()
    assert p.response == "needs_action"
    assert pending_reminders(p) == 2
    assert not AuditEvent.objects.filter(action="participant.answered").exists()
    assert not AnswerDigest.objects.exists()


def test_a_decline_voids_the_persons_reminders_only(approved):
    p = row(approved, "colleague@example.com")

    answer(p, "declined", reason="On leave that week")

    p.refresh_from_db()
    assert (p.response, p.response_reason) == ("declined", "On leave that week")
    assert pending_reminders(p) == 0
    assert pending_reminders(row(approved, "guest@partner.example")) == 2
    assert AuditEvent.objects.get(action="participant.answered").data["reason"] == (
        "On leave that week"
    )


@pytest.mark.parametrize("again", ["accepted", "tentative"])
def test_a_yes_or_maybe_after_a_decline_plans_the_reminders_again(approved, again):
    p = row(approved, "colleague@example.com")
    answer(p, "declined", reason="Ill")

    answer(p, again, reason="")

    assert pending_reminders(p) == 2
    assert Reminder.objects.filter(participant=p).count() == 4  # the voided ones stay


def test_a_guest_answers_through_the_link_with_no_actor(approved):
    p = row(approved, "guest@partner.example")

    answer(p, "tentative", reason="May be late", actor=None, via="link")

    p.refresh_from_db()
    assert (p.response, p.response_reason) == ("tentative", "May be late")
    event = AuditEvent.objects.get(action="participant.answered")
    assert event.actor is None
    assert event.data["via"] == "link"


@pytest.mark.parametrize("via", ["page", "api"])
def test_nobody_else_answers_for_a_participant(approved, organizer, via):
    p = row(approved, "colleague@example.com")

    for actor in (organizer, UserFactory(), None):
        with pytest.raises(ApplicationError) as refused:
            answer(p, "accepted", actor=actor, via=via)
        assert refused.value.code == "not_participant"
    p.refresh_from_db()
    assert p.response == "needs_action"


def test_the_organizer_comes_and_cannot_answer(approved, organizer):
    p = row(approved, "organizer@example.com")

    with pytest.raises(ApplicationError) as refused:
        answer(p, "declined", reason="Busy")

    assert refused.value.code == "organizer_attends"
    p.refresh_from_db()
    assert p.response == "accepted"


def test_a_meeting_that_has_started_cannot_be_answered(approved):
    p = row(approved, "colleague@example.com")

    with time_machine.travel(at(2, "10:01"), tick=False), pytest.raises(ApplicationError) as e:
        answer(p, "accepted")

    assert e.value.code == "already_started"
    p.refresh_from_db()
    assert p.response == "needs_action"


def test_a_cancelled_meeting_cannot_be_answered(approved, organizer):
    services.booking_cancel(booking=approved, actor=organizer, reason="Off")
    p = row(approved, "colleague@example.com")

    with pytest.raises(ApplicationError) as refused:
        answer(p, "accepted")

    assert refused.value.code == "meeting_not_approved"


def test_someone_removed_cannot_answer(approved, organizer, colleague):
    attendee = approved.attendees.get(user=colleague)
    services.booking_attendee_remove(booking=approved, actor=organizer, attendee=attendee)
    p = row(approved, "colleague@example.com")

    with pytest.raises(ApplicationError) as refused:
        answer(p, "accepted")

    assert refused.value.code == "not_invited"


@pytest.mark.parametrize(
    ("response", "reason", "code"),
    [
        ("maybe", "", "response_invalid"),
        ("needs_action", "", "response_invalid"),
        ("declined", "x" * 2001, "reason_too_long"),
        ("declined", "Ill\u202e", "reason_invalid"),
    ],
)
def test_bad_input_is_refused_with_its_code(approved, response, reason, code):
    p = row(approved, "colleague@example.com")

    with pytest.raises(ApplicationError) as refused:
        answer(p, response, reason=reason)

    assert refused.value.code == code
    assert not AuditEvent.objects.filter(action="participant.answered").exists()


def test_the_same_answer_again_changes_and_audits_nothing(approved):
    p = row(approved, "colleague@example.com")
    answer(p, "accepted")

    again = answer(p, "accepted")

    assert again.changed == []
    assert AuditEvent.objects.filter(action="participant.answered").count() == 1


def test_an_answer_for_the_rest_of_the_series_covers_the_meetings_after_it(series, colleague):
    rows = list(
        Participant.objects.select_related("occurrence", "booking")
        .filter(booking=series, user=colleague)
        .order_by("occurrence__start")
    )
    assert len(rows) == 3

    answered = answer(rows[1], "declined", reason="Training course", scope="following")

    assert [p.pk for p in answered.participants] == [rows[1].pk, rows[2].pk]
    states = {p.pk: p.response for p in Participant.objects.filter(booking=series, user=colleague)}
    assert states == {rows[0].pk: "needs_action", rows[1].pk: "declined", rows[2].pk: "declined"}
    assert pending_reminders(rows[0]) == 2
    assert pending_reminders(rows[1]) == pending_reminders(rows[2]) == 0


def test_an_answer_for_one_meeting_of_a_series_leaves_the_others(series, colleague):
    rows = list(
        Participant.objects.select_related("occurrence", "booking")
        .filter(booking=series, user=colleague)
        .order_by("occurrence__start")
    )

    answer(rows[0], "accepted")

    assert list(
        Participant.objects.filter(booking=series, user=colleague)
        .order_by("occurrence__start")
        .values_list("response", flat=True)
    ) == ["accepted", "needs_action", "needs_action"]


def test_answers_in_the_window_share_one_digest_and_a_later_one_opens_another(approved):
    colleague_row = row(approved, "colleague@example.com")
    guest_row = row(approved, "guest@partner.example")

    answer(colleague_row, "accepted")
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        answer(guest_row, "declined", reason="Abroad", actor=None, via="link")

    digest = AnswerDigest.objects.get()
    assert digest.due_at == NOW + DIGEST_DELAY  # the first answer's window
    assert digest.occurrence_ids == [colleague_row.occurrence_id]

    digest.sent_at = NOW + DIGEST_DELAY
    digest.save()
    with time_machine.travel(NOW + dt.timedelta(minutes=6), tick=False):
        answer(colleague_row, "tentative")

    assert AnswerDigest.objects.filter(sent_at=None).get().due_at == (
        NOW + dt.timedelta(minutes=6) + DIGEST_DELAY
    )
