"""The rows every booking service writes the same way: meetings (with their booking's
copies), the booking saved with them, its join information, the booking row locked,
and the email queued on commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, connection, transaction

from bookings import conflicts
from bookings.models import (
    Booking,
    Occurrence,
    Room,
)
from bookings.providers import is_remote, provider_for
from meetingops.db import violated_constraint

S = Occurrence.Status

EXCLUSION_CONSTRAINT = "occurrence_no_overlap"


def raise_if_taken(room: Room, slots, exclude_booking: Booking | None = None) -> None:
    taken = conflicts.slot_conflicts(room=room, slots=slots, exclude_booking=exclude_booking)
    if taken:
        raise conflicts.BookingConflict([c for hits in taken.values() for c in hits])


def raise_if_blocked(room: Room, slots) -> None:
    """Before a request writes its meetings (BK-3): a blackout refuses it everywhere; a
    taken slot is refused here on SQLite, and on PostgreSQL by the exclusion constraint
    at the insert, which the caller turns into the same BookingConflict (raise_if_taken
    after is_overlap_violation). Asking first as well would read the room's meetings
    once more on every request: bench/bookings.py (c)."""
    if connection.vendor != "postgresql":
        raise_if_taken(room, slots)
    elif conflicts.blackout_overlaps(room=room, slots=slots):
        raise_if_taken(room, slots)  # the blackout, and any meeting taken too


def is_overlap_violation(error: IntegrityError) -> bool:
    """BK-3: the write lost the race for a slot to another booking (PostgreSQL only)."""
    return violated_constraint(error) == EXCLUSION_CONSTRAINT


def occurrences_create(booking: Booking, room: Room, slots, *, replaces=()) -> list[Occurrence]:
    prep = room.preparation
    replaced = list(replaces) or [None] * len(slots)
    return Occurrence.objects.bulk_create(
        [
            Occurrence(
                booking=booking,
                room=room,
                start=start,
                end=end,
                occupied_from=start - prep,
                status=S.PENDING,
                replaces=old,
                topic=booking.topic,
                confidential=booking.confidential,
                organizer_id=booking.organizer_id,
            )
            for (start, end), old in zip(slots, replaced, strict=True)
        ]
    )


def booking_save(booking: Booking) -> None:
    """Save the booking and bring its occurrences' copies of the topic and the
    confidentiality (models.Occurrence) in step."""
    booking.save()
    booking.occurrences.exclude(topic=booking.topic, confidential=booking.confidential).update(
        topic=booking.topic, confidential=booking.confidential
    )


def join_info_give(booking: Booking) -> None:
    if booking.join_url or booking.meeting_code:
        return
    if is_remote(booking.room.provider):
        # BK-17: never a call out inside the transaction: the worker brings the link
        # (bookings.services.remote_meetings, wanted through lifecycle).
        return
    info = provider_for(booking.room.provider).create_meeting(booking)
    booking.join_url, booking.meeting_code, booking.meeting_password = (
        info.url,
        info.code,
        info.password,
    )
    booking.save(update_fields=["join_url", "meeting_code", "meeting_password", "updated_at"])


def notify_on_commit(kind: str, booking: Booking, **data: Any) -> None:
    from bookings.tasks import booking_notify_task

    transaction.on_commit(
        lambda: booking_notify_task.delay(booking_id=booking.pk, kind=kind, **data)
    )


def slot_json(occurrences: Iterable[Occurrence]) -> list[dict]:
    return [
        {"id": o.pk, "start": o.start.isoformat(), "end": o.end.isoformat()} for o in occurrences
    ]


def booking_locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update()
        .select_related("room__provider", "organizer")
        .get(pk=booking.pk)
    )
