"""BK-2: blackout periods are written by their services: validated, audited with the
acting user, old/new values and the meetings already booked within them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from bookings.models import Blackout
from bookings.services import blackout_create, blackout_update
from bookings.validation import BookingInputError
from meetingops.updates import ModelInvalid
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book

pytestmark = pytest.mark.django_db


def test_blackout_create_records_who_set_it_and_the_meetings_it_covers(
    approver, organizer, room, policy
):
    book(organizer, room)  # Wednesday 10:00-11:00

    blackout = blackout_create(
        actor=approver, start=at(2, "09:00"), end=at(2, "12:00"), reason=" Network upgrade "
    )

    saved = Blackout.objects.get(pk=blackout.pk)
    assert (saved.created_by, saved.reason, saved.room) == (approver, "Network upgrade", None)
    event = AuditEvent.objects.get(action="blackout.created")
    assert (event.actor, event.target_id) == (approver, str(blackout.pk))
    assert event.data["values"]["reason"] == "Network upgrade"
    assert event.data["booked_meetings"] == 1


@pytest.mark.parametrize(
    ("start", "end", "reason", "error"),
    [
        (at(2, "12:00"), at(2, "09:00"), "Upgrade", ModelInvalid),  # ends before it starts
        (at(2, "09:00"), at(2, "12:00"), "  ", ModelInvalid),  # no reason
        (dt.datetime(2026, 12, 9, 9), at(2, "12:00"), "Upgrade", BookingInputError),  # noqa: DTZ001 (naive on purpose)
    ],
)
def test_blackout_create_refuses_bad_input_and_writes_nothing(
    approver, room, start, end, reason, error
):
    with pytest.raises(error):
        blackout_create(actor=approver, room=room, start=start, end=end, reason=reason)

    assert not Blackout.objects.exists()
    assert not AuditEvent.objects.filter(action="blackout.created").exists()


def test_ending_a_blackout_early_is_audited_with_old_and_new(approver, room):
    blackout = blackout_create(
        actor=approver, room=room, start=at(2, "09:00"), end=at(2, "12:00"), reason="Upgrade"
    )

    ended = blackout_update(blackout=blackout, actor=approver, data={"is_active": False})

    assert ended.is_active is False
    assert Blackout.objects.get(pk=blackout.pk).is_active is False
    event = AuditEvent.objects.get(action="blackout.changed")
    assert event.actor == approver
    assert event.data["changes"] == {"is_active": {"old": True, "new": False}}


def test_a_blackout_moved_to_end_before_it_starts_is_refused_and_unchanged(approver, room):
    blackout = blackout_create(
        actor=approver, room=room, start=at(2, "09:00"), end=at(2, "12:00"), reason="Upgrade"
    )

    with translation.override("en"), pytest.raises(ModelInvalid) as refused:
        blackout_update(blackout=blackout, actor=approver, data={"end": at(2, "08:00")})

    assert refused.value.detail == "A blackout must start before it ends."
    assert Blackout.objects.get(pk=blackout.pk).end == at(2, "12:00")
    assert not AuditEvent.objects.filter(action="blackout.changed").exists()
