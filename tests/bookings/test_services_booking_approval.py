"""BK-3/BK-4: approval checks the rules again, as the approvers' page shows them; an
approver may approve over them only with a reason, audited and told to the organizer. A
blackout period is named as such (`blackout`), not as a generic conflict."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.utils import translation
from rest_framework.test import APIClient

from bookings import services
from bookings.conflicts import BookingConflict
from bookings.models import Blackout, Booking, BookingChange, Occurrence, Room, UsagePolicy
from bookings.services import ApprovalOverrideRequired
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Occurrence.Status
WEEKLY_3 = {"freq": "weekly", "weekdays": [3], "count": 3}


def blackout(room, start="09:00", end="12:00", day=2, **extra) -> Blackout:
    return Blackout.objects.create(
        room=room, start=at(day, start), end=at(day, end), reason="Licence renewal", **extra
    )


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# -- a blackout has its own code ---------------------------------------------------------


def test_a_request_in_a_blackout_is_refused_as_a_blackout_with_409(organizer, room):
    blackout(room)
    body = {
        "room": room.pk,
        "start": at(2, "10:00").isoformat(),
        "end": at(2, "11:00").isoformat(),
        "topic": "Budget",
        "expected_headcount": 3,
    }

    response = client_for(organizer).post("/api/v1/bookings/", body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "blackout"
    assert [c["code"] for c in response.json()["conflicts"]] == ["blackout"]
    assert "Licence renewal" in response.json()["detail"]


def test_a_slot_another_booking_holds_is_still_a_conflict(organizer, room):
    book(organizer, room)

    with pytest.raises(BookingConflict) as error:
        book(UserFactory(), room, at(2, "10:30"), at(2, "11:30"))

    assert error.value.code == "conflict"
    assert error.value.status == 409


def test_a_slot_held_and_blacked_out_is_named_by_its_blackout_first(organizer, room):
    book(organizer, room)
    blackout(room)

    with pytest.raises(BookingConflict) as error:
        book(UserFactory(), room, at(2, "10:30"), at(2, "11:30"))

    assert error.value.code == "blackout"
    assert [c.code for c in error.value.conflicts] == ["blackout", "conflict"]


def test_the_series_preview_names_a_blackout_as_such(organizer, room):
    blackout(room, day=9)
    book(UserFactory(), room, at(16, "10:00"), at(16, "11:00"))

    preview = services.series_preview(
        organizer=organizer,
        room=room,
        start=at(2, "10:00"),
        end=at(2, "11:00"),
        recurrence_rule=WEEKLY_3,
    )

    assert [[p["code"] for p in item["problems"]] for item in preview] == [
        [],
        ["blackout"],
        ["conflict"],
    ]


# -- approval checks again ---------------------------------------------------------------


def test_approving_a_request_a_blackout_now_covers_is_refused_naming_it(organizer, room, approver):
    booking = book(organizer, room)
    blackout(room)

    with translation.override("en"), pytest.raises(ApprovalOverrideRequired) as error:
        services.booking_approve(booking=booking, actor=approver)

    assert error.value.status == 409
    assert error.value.code == "override_required"
    assert [p.code for p in error.value.problems] == ["blackout"]
    assert "Licence renewal" in error.value.detail
    assert "Approve it anyway with a reason" in error.value.detail
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert not AuditEvent.objects.filter(action="booking.approved").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_blank_override_reason_does_not_approve(organizer, room, approver, reason):
    booking = book(organizer, room)
    blackout(room)

    with pytest.raises(ApprovalOverrideRequired):
        services.booking_approve(booking=booking, actor=approver, override_reason=reason)

    assert booking.occurrences.get().status == S.PENDING


def test_an_override_approves_audits_and_keeps_the_problem_and_the_reason(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    booking = book(organizer, room)
    blackout(room)

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(
            booking=booking, actor=approver, override_reason="The provider confirmed it works"
        )

    meeting = booking.occurrences.get()
    assert meeting.status == S.APPROVED
    assert "Licence renewal" in meeting.reason
    assert "The provider confirmed it works" in meeting.reason
    event = AuditEvent.objects.get(action="booking.approved")
    assert event.actor == approver
    assert event.data["override"]["reason"] == "The provider confirmed it works"
    assert [p["code"] for p in event.data["override"]["problems"]] == ["blackout"]
    (confirmation,) = [m for m in mail.outbox if m.to == ["organizer@example.com"]]
    assert "The provider confirmed it works" in confirmation.body
    assert "Licence renewal" in confirmation.body


def test_approving_a_request_whose_room_went_under_maintenance_is_refused(
    organizer, room, approver
):
    booking = book(organizer, room)
    Room.objects.filter(pk=room.pk).update(
        status=Room.Status.MAINTENANCE, maintenance_reason="Provider upgrade"
    )

    with pytest.raises(ApprovalOverrideRequired) as error:
        services.booking_approve(booking=booking, actor=approver)

    assert [p.code for p in error.value.problems] == ["room_unavailable"]


def test_approving_a_request_a_tightened_policy_now_refuses_is_refused(
    organizer, room, approver, policy
):
    booking = book(organizer, room)
    UsagePolicy.objects.create(version=policy.version + 1, max_duration_minutes=30)

    with pytest.raises(ApprovalOverrideRequired) as error:
        services.booking_approve(booking=booking, actor=approver)

    assert [p.code for p in error.value.problems] == ["max_duration"]


def test_approving_one_meeting_checks_that_meeting_only(organizer, room, approver):
    booking = book(organizer, room, recurrence_rule=WEEKLY_3)
    blackout(room, day=9)
    first, second, _third = booking.occurrences.order_by("start")

    services.booking_approve(booking=booking, actor=approver, occurrence=first)
    with pytest.raises(ApprovalOverrideRequired):
        services.booking_approve(booking=booking, actor=approver, occurrence=second)

    assert [o.status for o in booking.occurrences.order_by("start")] == [
        S.APPROVED,
        S.PENDING,
        S.PENDING,
    ]


def test_approving_a_change_into_a_blackout_is_refused_and_overridable(organizer, room, approver):
    booking = services.booking_approve(booking=book(organizer, room), actor=approver)
    services.booking_change(
        booking=booking, actor=organizer, start=at(3, "10:00"), end=at(3, "11:00")
    )
    blackout(room, day=3)

    with pytest.raises(ApprovalOverrideRequired) as error:
        services.booking_approve(booking=booking, actor=approver)
    assert [p.code for p in error.value.problems] == ["blackout"]
    assert BookingChange.objects.get().status == BookingChange.Status.PENDING

    services.booking_approve(booking=booking, actor=approver, override_reason="Agreed with IT")

    assert BookingChange.objects.get().status == BookingChange.Status.APPROVED
    event = AuditEvent.objects.get(action="booking.change_approved")
    assert event.data["override"]["reason"] == "Agreed with IT"


def test_the_api_answers_409_with_the_problems_then_approves_with_a_reason(
    organizer, room, approver
):
    booking = book(organizer, room)
    blackout(room)
    client = client_for(approver)
    url = f"/api/v1/bookings/{booking.pk}/approve/"

    refused = client.post(url, {}, format="json")
    approved = client.post(url, {"override_reason": "Provider confirmed"}, format="json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "override_required"
    assert [p["code"] for p in refused.json()["problems"]] == ["blackout"]
    assert approved.status_code == 200, approved.json()
    assert approved.json()["occurrences"][0]["status"] == "approved"
    assert "Provider confirmed" in approved.json()["occurrences"][0]["reason"]


def test_a_request_that_breaks_nothing_is_approved_without_a_reason(organizer, room, approver):
    booking = book(organizer, room)
    blackout(room, start="12:00", end="13:00")

    services.booking_approve(booking=booking, actor=approver, note="Fine")

    meeting = booking.occurrences.get()
    assert (meeting.status, meeting.reason) == (S.APPROVED, "Fine")
    assert "override" not in AuditEvent.objects.get(action="booking.approved").data


def test_a_request_asked_in_time_is_approved_when_its_notice_has_since_run_short(
    organizer, room, approver
):
    # Asked 49 hours ahead with 24 hours' notice; decided 47 hours later, 2 hours ahead.
    booking = book(organizer, room)
    with time_machine.travel(at(2, "08:00"), tick=False):
        services.booking_approve(booking=booking, actor=approver)

    assert booking.occurrences.get().status == S.APPROVED
    assert "override" not in AuditEvent.objects.get(action="booking.approved").data
