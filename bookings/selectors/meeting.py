"""What a meeting's page shows besides the booking `visibility.booking_get_visible`
fetched: every invitee (guests included, for the organizer) and the history of its
status, who asked, who decided, when and why. Three queries whatever the number of
meetings, changes and events. What the viewer may read of it is
`bookings.secrecy.booking_access`'s to say; the page asks it before showing any of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from bookings.models import Booking, BookingChange, Occurrence, Room
from oversight.models import AuditEvent

S = Occurrence.Status

# The audit events of a booking that neither its meetings nor its changes record: what
# changed at once (topic, settings), the cancellations (who cancelled) and the people
# added or removed. The label is the model's (audit.record's `target_type`).
AUDITED_ONLY = (
    "booking.changed",
    "booking.cancelled",
    "booking.attendees_added",
    "booking.attendee_removed",
)
BOOKING_LABEL = Booking._meta.label_lower
# The order in which the page names a booking's fields.
FIELD_ORDER = (
    "room",
    "start",
    "end",
    "expected_headcount",
    "confidential",
    "topic",
    "agenda",
    "mode",
    "recording_allowed",
    "chat_allowed",
    "password_required",
)


def _in_order(fields) -> list[str]:
    return sorted(
        fields, key=lambda f: FIELD_ORDER.index(f) if f in FIELD_ORDER else len(FIELD_ORDER)
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a meeting's history. `kind` names what happened (the page words
    it): requested, approved, approved_automatically, rejected, change_requested,
    change_approved, change_rejected, change_withdrawn, changed, cancelled,
    attendees_added, attendee_removed."""

    at: dt.datetime
    kind: str
    actor: object | None = None
    reason: str = ""
    # The meetings concerned (their starts), when not all of them.
    meetings: list[dt.datetime] = field(default_factory=list)
    # A change: the fields' names, with what was and what is asked, as stored.
    fields: list[str] = field(default_factory=list)
    change: BookingChange | None = None
    count: int = 0


def _decisions(meetings: list[Occurrence], total: int) -> list[HistoryEntry]:
    """The decisions on the meetings requested (not those a change proposed: their
    change records them), one entry per decision: an approver deciding a series at once
    decides its meetings in one moment, with one reason."""
    groups: dict[tuple, list[Occurrence]] = {}
    for o in meetings:
        if o.decided_at is None or o.replaces_id is not None:
            continue
        # A meeting replaced or cancelled since keeps its approval's decider and time.
        verdict = "rejected" if o.status == S.REJECTED else "approved"
        groups.setdefault((verdict, o.decided_at, o.decided_by_id, o.reason), []).append(o)
    entries = []
    for (verdict, at, decider, reason), decided in groups.items():
        kind = "approved_automatically" if verdict == "approved" and decider is None else verdict
        entries.append(
            HistoryEntry(
                at=at,
                kind=kind,
                actor=decided[0].decided_by,
                reason=reason,
                meetings=[o.start for o in decided] if len(decided) < total else [],
            )
        )
    return entries


def _change_entries(changes: list[BookingChange]) -> list[HistoryEntry]:
    entries = []
    for c in changes:
        entries.append(
            HistoryEntry(
                at=c.requested_at,
                kind="change_requested",
                actor=c.requested_by,
                fields=_in_order(c.proposed),
                change=c,
            )
        )
        if c.decided_at is not None:
            entries.append(
                HistoryEntry(
                    at=c.decided_at,
                    kind=f"change_{c.status}",
                    actor=c.decided_by,
                    reason=c.reason,
                    change=c,
                )
            )
    return entries


def _audited_entries(events: list[AuditEvent], starts: dict[int, dt.datetime], total: int):
    entries = []
    for e in events:
        kind = e.action.removeprefix("booking.")
        data = e.data or {}
        if kind == "cancelled":
            ids = data.get("occurrences", [])
            entries.append(
                HistoryEntry(
                    at=e.created_at,
                    kind=kind,
                    actor=e.actor,
                    reason=data.get("reason", ""),
                    meetings=sorted(starts[i] for i in ids if i in starts)
                    if len(ids) < total
                    else [],
                )
            )
        elif kind == "changed":
            entries.append(
                HistoryEntry(
                    at=e.created_at,
                    kind=kind,
                    actor=e.actor,
                    fields=_in_order(data.get("changes", {})),
                )
            )
        elif kind == "attendees_added":
            count = len(data.get("users", [])) + int(data.get("external", 0))
            entries.append(HistoryEntry(at=e.created_at, kind=kind, actor=e.actor, count=count))
        else:
            entries.append(HistoryEntry(at=e.created_at, kind=kind, actor=e.actor))
    return entries


def booking_history(*, booking: Booking) -> list[HistoryEntry]:
    """The booking's history, oldest first: its request, the decisions on its meetings,
    its changes and their decisions, and what only the audit log records (changes made
    at once, cancellations, people added or removed). Three queries."""
    meetings = list(
        Occurrence.objects.filter(booking=booking).select_related("decided_by").order_by("start")
    )
    changes = list(
        BookingChange.objects.filter(booking=booking)
        .select_related("requested_by", "decided_by")
        .order_by("requested_at", "pk")
    )
    events = list(
        AuditEvent.objects.filter(
            target_type=BOOKING_LABEL, target_id=str(booking.pk), action__in=AUDITED_ONLY
        )
        .select_related("actor")
        .order_by("seq")
    )
    requested = [o for o in meetings if o.replaces_id is None]
    starts = {o.pk: o.start for o in meetings}
    entries = [HistoryEntry(at=booking.created_at, kind="requested", actor=booking.organizer)]
    entries += _decisions(meetings, len(requested))
    entries += _change_entries(changes)
    entries += _audited_entries(events, starts, len(requested))
    return sorted(entries, key=lambda e: e.at)


@dataclass(frozen=True)
class ProposedValue:
    """One field of a pending change (BK-5): what it is now and what is asked, ready to
    show (a room by its name, a time as an aware datetime)."""

    field: str
    old: object
    new: object


def _shown(field: str, value, rooms: dict[int, Room]):
    if value is None:
        return None
    if field == "room":
        return rooms.get(value)
    if field in ("start", "end"):
        return dt.datetime.fromisoformat(value)
    return value


def change_proposal(*, change: BookingChange) -> list[ProposedValue]:
    """What `change` asks, field by field, in the order a booking's page lists them.
    One query when it moves the meeting to another room, none otherwise."""
    fields = _in_order(change.proposed)
    room_ids = {change.proposed.get("room"), change.previous.get("room")} - {None}
    rooms = Room.objects.in_bulk(room_ids) if "room" in change.proposed else {}
    return [
        ProposedValue(
            field=f,
            old=_shown(f, change.previous.get(f), rooms),
            new=_shown(f, change.proposed[f], rooms),
        )
        for f in fields
    ]


def colleagues_by_email(*, emails: list[str]) -> dict[str, object]:
    """The accounts with these addresses (compared without case), by the address as
    given lowercased. One query."""
    wanted = {e.strip().lower() for e in emails if e.strip()}
    if not wanted:
        return {}
    users = get_user_model().objects.annotate(email_lower=Lower("email"))
    return {u.email_lower: u for u in users.filter(email_lower__in=wanted)}
