"""BK-13 / OV-3: no-shows noted for oversight.

A meeting that became a no-show (`bookings.services.attendance`) is noted here, in the
same transaction as the no-show itself, by `no_show_noted`: the one entry point the
violations work (OV-3: violations recorded automatically, the person notified; OV-5
sanctions) builds on. Today it records what that work needs, as an audit event
`occurrence.no_show_noted` on the meeting: whose no-show it is (the organizer), when the
meeting started, the grace period it was judged by, the policy version, and on what
evidence (the organizer's sign-in alone, or also the provider's participant list, or
the sign-in alone because the provider could not be reached). `no_shows_noted_for`
reads them back per person over a period, as the rule "so many no-shows in so many days"
will.

When the violations land, `no_show_noted` creates the violation (and notifies the
person) in place of, or beside, the event; its callers do not change. Like the audit
log, this module imports nothing from the other apps: its callers pass plain values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from oversight import audit
from oversight.models import AuditEvent

ACTION = "occurrence.no_show_noted"
# How the no-show was established.
BASES = frozenset({"sign_in", "sign_in_and_provider", "sign_in_provider_failed"})


@dataclass(frozen=True)
class NoShowNote:
    """A no-show as oversight holds it."""

    occurrence_id: int
    booking_id: int
    organizer_id: int
    start: dt.datetime
    grace_minutes: int
    basis: str
    event_id: int


def no_show_noted(
    *,
    occurrence: Model,
    organizer: Any,
    booking_id: int,
    start: dt.datetime,
    grace_minutes: int,
    policy_version: int | None,
    basis: str,
) -> NoShowNote:
    """Note that `organizer`'s meeting `occurrence` was a no-show. Call it inside the
    transaction that made the meeting a no-show (the event exists only if the no-show
    does). The event's label is the meeting's model and id, its data ids and times,
    never the topic (OV-1)."""
    if basis not in BASES:
        raise ValueError(f"Unknown no-show basis: {basis!r}")
    event = audit.record(
        actor=None,
        action=ACTION,
        target=occurrence,
        data={
            "organizer": organizer.pk,
            "booking": booking_id,
            "start": start,
            "grace_minutes": grace_minutes,
            "policy_version": policy_version,
            "basis": basis,
        },
    )
    return NoShowNote(
        occurrence_id=occurrence.pk,
        booking_id=booking_id,
        organizer_id=organizer.pk,
        start=start,
        grace_minutes=grace_minutes,
        basis=basis,
        event_id=event.pk,
    )


def no_shows_noted_for(*, organizer: Any, since: dt.datetime) -> list[NoShowNote]:
    """The no-shows noted for `organizer` of meetings that started at `since` or later,
    oldest first."""
    events = AuditEvent.objects.filter(action=ACTION, data__organizer=organizer.pk).order_by("seq")
    notes = []
    for event in events:
        start = dt.datetime.fromisoformat(event.data["start"])
        if start < since:
            continue
        notes.append(
            NoShowNote(
                occurrence_id=int(event.target_id),
                booking_id=event.data["booking"],
                organizer_id=organizer.pk,
                start=start,
                grace_minutes=event.data["grace_minutes"],
                basis=event.data["basis"],
                event_id=event.pk,
            )
        )
    return notes
