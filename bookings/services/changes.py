"""BK-5: changes of a booking; those of an approved one wait for the approver while
the old slot stays held."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import rules, selectors
from bookings.models import (
    Booking,
    BookingChange,
    Occurrence,
    Room,
)
from bookings.permissions import can_change
from bookings.services import lifecycle
from bookings.services.rows import (
    booking_locked,
    booking_save,
    is_overlap_violation,
    join_info_give,
    notify_on_commit,
    occurrences_create,
    raise_if_taken,
)
from bookings.services.status import (
    booking_summary_refresh,
    occurrence_transition,
    occurrences_save,
)
from bookings.validation import BookingInputError, booking_input_checked
from meetingops.errors import InvalidTransition, PermissionDeniedError
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

S = Occurrence.Status
Slots = list[tuple[dt.datetime, dt.datetime]]

# Fields whose change sends an approved booking back to the approver (BK-5).
MATERIAL_FIELDS = ("room", "start", "end", "expected_headcount", "confidential")
PLAIN_FIELDS = (
    "topic",
    "agenda",
    "mode",
    "recording_allowed",
    "chat_allowed",
    "password_required",
    "reminder_lead_minutes",
)
# The fields a request's input checks hold (bookings.validation.booking_input_checked).
INPUT_FIELDS = ("topic", "agenda", "expected_headcount", "mode", "reminder_lead_minutes")


def _field_value(value: Any) -> Any:
    if isinstance(value, Room):
        return value.pk
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def booking_change(*, booking: Booking, actor: User, **changes: Any) -> Booking:
    """BK-5: change a booking. Topic, agenda and settings change at once. A change of
    room, time, headcount or confidentiality goes to the approver when the booking was
    approved: the new slot is held beside the old one, which stays the organizer's
    until the change is decided. Time changes apply to single meetings."""
    _changes_checked(changes=changes)
    if not can_change(actor, booking):
        raise PermissionDeniedError(
            _("Only the organizer can change this booking."), code="not_organizer"
        )
    with transaction.atomic():
        booking = booking_locked(booking)
        current = _current_meetings(booking=booking)
        old = _old_values(booking=booking, current=current, changes=changes)
        changes = _inputs_checked(changes=changes, old=old)
        changed = {f: v for f, v in changes.items() if f in old and v != old[f]}
        if not changed:
            return booking
        plain = {f: v for f, v in changed.items() if f in PLAIN_FIELDS}
        material = {f: v for f, v in changed.items() if f in MATERIAL_FIELDS}
        room, slots = booking.room, []
        if material:
            room, slots = _material_checked(
                booking=booking, material=material, plain=plain, old=old, current=current
            )
        requested = _change_written(
            booking=booking,
            actor=actor,
            plain=plain,
            material=material,
            old=old,
            current=current,
            room=room,
            slots=slots,
        )
        if "reminder_lead_minutes" in plain:
            lifecycle.reminder_leads_changed(booking=booking)
        audit.record(
            actor=actor,
            action="booking.change_requested" if requested else "booking.changed",
            target=booking,
            data={
                "changes": {
                    f: {"old": _field_value(old[f]), "new": _field_value(v)}
                    for f, v in changed.items()
                }
            },
        )
        if plain:
            lifecycle.details_changed(booking=booking, fields=list(plain))  # BK-10
        if material:
            notify_on_commit("changed", booking)
    return booking


def _changes_checked(*, changes: dict[str, Any]) -> None:
    """BookingInputError unless every field named can be changed. Reads nothing."""
    unknown = set(changes) - set(MATERIAL_FIELDS) - set(PLAIN_FIELDS)
    if unknown:
        raise BookingInputError(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )


def _current_meetings(*, booking: Booking) -> list[Occurrence]:
    """The meetings a change applies to: those that occupy the room and have not
    started. InvalidTransition when the booking is not pending or approved, a change
    already waits, or every meeting has started. Caller holds the booking's lock."""
    if booking.status not in (Booking.Status.PENDING, Booking.Status.APPROVED):
        raise InvalidTransition(
            _("Only pending or approved bookings can be changed."), code="not_changeable"
        )
    if selectors.booking_pending_change(booking=booking) is not None:
        raise InvalidTransition(
            _("A change of this booking is already waiting for approval."),
            code="change_pending",
        )
    current = list(
        booking.occurrences.filter(status__in=Occurrence.OCCUPYING, start__gt=timezone.now())
    )
    if not current:
        raise InvalidTransition(
            _("Only meetings that have not started can be changed."), code="already_started"
        )
    return current


def _old_values(
    *, booking: Booking, current: list[Occurrence], changes: dict[str, Any]
) -> dict[str, Any]:
    """What the changeable fields hold now: the time only for a single meeting, whose
    time a change may move (BookingInputError `series_time_change` for a series).
    Caller holds the booking's lock; `current` is from `_current_meetings`."""
    old = {f: getattr(booking, f) for f in (*PLAIN_FIELDS, "expected_headcount", "confidential")}
    old["room"] = booking.room
    if len(current) == 1:
        old["start"], old["end"] = current[0].start, current[0].end
    elif "start" in changes or "end" in changes:
        raise BookingInputError(
            _("Change the time of one meeting of a series at a time, or cancel and book anew."),
            code="series_time_change",
        )
    return old


def _inputs_checked(*, changes: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """The changes through the checks a request passes (`booking_input_checked`), the
    times as the meeting would have them; returned cleaned. Precondition: `old` comes
    from `_old_values` (so a time change is for a single meeting). Reads nothing."""
    fields = {f: v for f, v in changes.items() if f in INPUT_FIELDS}
    if "start" in changes or "end" in changes:
        fields["start"] = changes.get("start", old["start"])
        fields["end"] = changes.get("end", old["end"])
    return {**changes, **booking_input_checked(fields)}


def _material_checked(
    *,
    booking: Booking,
    material: dict[str, Any],
    plain: dict[str, Any],
    old: dict[str, Any],
    current: list[Occurrence],
) -> tuple[Room, Slots]:
    """The room and the slots a material change asks for, checked as a request is:
    inputs, usage rules (the booking's own meetings left out of the quotas) and what
    else holds the room. InvalidTransition while a series is partly decided;
    BookingInputError, UsageRuleViolation or BookingConflict when a check fails.
    Caller holds the booking's lock; `material` is not empty."""
    if {S.PENDING, S.APPROVED} <= {o.status for o in current}:
        # A change in place would move approved meetings without approval, and a
        # change request would replace pending ones: wait for the decisions.
        raise InvalidTransition(
            _(
                "Some meetings of this series are approved and others still wait for "
                "a decision: change the room, headcount or confidentiality once all "
                "are decided."
            ),
            code="series_partly_decided",
        )
    room = Room.objects.select_related("provider").get(pk=material.get("room", booking.room).pk)
    headcount = material.get("expected_headcount", booking.expected_headcount)
    if len(current) == 1:
        slots = [(material.get("start", old["start"]), material.get("end", old["end"]))]
    else:
        slots = [(o.start, o.end) for o in current]
    colleagues, external = selectors.booking_invitee_counts(booking=booking)
    violations = rules.check_request(
        policy=rules.policy_current(),
        organizer=booking.organizer,
        department=booking.organizer.department,
        rooms=[room],
        slots=slots,
        headcount=rules.headcount_counted(headcount, colleagues + external),
        recording_allowed=plain.get("recording_allowed", booking.recording_allowed),
        external_guests=external,
        exclude_booking=booking,
    )
    if violations:
        raise rules.UsageRuleViolation(violations)
    raise_if_taken(room, slots, exclude_booking=booking)
    return room, slots


def _change_written(
    *,
    booking: Booking,
    actor: User,
    plain: dict[str, Any],
    material: dict[str, Any],
    old: dict[str, Any],
    current: list[Occurrence],
    room: Room,
    slots: Slots,
) -> bool:
    """Write a checked change: plain fields at once; a material change in place for a
    pending booking, or as a change request beside the approved meetings. Returns
    whether a change request now waits for the approver. Caller holds the booking's
    lock and has checked `material` with `_material_checked` (giving `room`, `slots`)."""
    for f, v in plain.items():
        setattr(booking, f, v)
    requested = bool(material) and any(o.status == S.APPROVED for o in current)
    try:
        with transaction.atomic():
            if requested:
                _change_request(
                    booking=booking,
                    actor=actor,
                    material=material,
                    old=old,
                    current=current,
                    room=room,
                    slots=slots,
                )
            elif material:
                _change_in_place(
                    booking=booking, material=material, current=current, room=room, slots=slots
                )
            booking_save(booking)
            if material:
                booking_summary_refresh(booking)
    except IntegrityError as error:
        if not is_overlap_violation(error):
            raise
        raise_if_taken(room, slots, exclude_booking=booking)
        raise
    return requested


def _change_in_place(
    *,
    booking: Booking,
    material: dict[str, Any],
    current: list[Occurrence],
    room: Room,
    slots: Slots,
) -> None:
    """A pending booking: nothing was confirmed, so it simply changes. Caller holds the
    booking's lock."""
    for f in ("expected_headcount", "confidential"):
        if f in material:
            setattr(booking, f, material[f])
    booking.room = room
    for o, (start, end) in zip(current, slots, strict=True):
        o.room, o.start, o.end, o.occupied_from = room, start, end, start - room.preparation
    Occurrence.objects.bulk_update(current, ["room", "start", "end", "occupied_from"])


def _change_request(
    *,
    booking: Booking,
    actor: User,
    material: dict[str, Any],
    old: dict[str, Any],
    current: list[Occurrence],
    room: Room,
    slots: Slots,
) -> None:
    """An approved booking: the change waits for the approver, its new slots held
    beside the approved ones. Caller holds the booking's lock."""
    proposed = {f: _field_value(v) for f, v in material.items()}
    BookingChange.objects.create(
        booking=booking,
        requested_by=actor,
        proposed=proposed,
        previous={f: _field_value(old[f]) for f in material},
    )
    if {"room", "start", "end"} & set(material):
        occurrences_create(booking, room, slots, replaces=current)
    booking.status = Booking.Status.PENDING


def change_decide(
    *,
    booking: Booking,
    change: BookingChange,
    approve: bool,
    actor: User,
    reason: str,
    override: dict | None = None,
    meeting_password: str = "",
) -> None:
    """BK-5: the approver's decision on the pending change `change` of `booking`:
    approved, its new slots replace the old ones and its fields apply; rejected, its
    new slots are released. `override` (an approval over problems, with the
    approver's reason) is audited. Caller holds the booking's lock."""
    now = timezone.now()
    new = list(
        booking.occurrences.filter(status=S.PENDING, replaces__isnull=False).select_related(
            "replaces"
        )
    )
    if approve:
        for f in ("expected_headcount", "confidential"):
            if f in change.proposed:
                setattr(booking, f, change.proposed[f])
        if "room" in change.proposed and change.proposed["room"] != booking.room_id:
            booking.room = Room.objects.select_related("provider").get(pk=change.proposed["room"])
            booking.join_url = booking.meeting_code = booking.meeting_password = ""
        old = [o.replaces for o in new]
        for o in old:
            occurrence_transition(o, to=S.SUPERSEDED, actor=actor, now=now)
        occurrences_save(old)
        # The old rows leave the occupying statuses first, so the new ones never overlap them.
        for o in new:
            occurrence_transition(o, to=S.APPROVED, actor=actor, reason=reason, now=now)
        occurrences_save(new)
        booking_save(booking)
        join_info_give(booking)
        if meeting_password:  # the approver's, for a confidential meeting in a manual room
            booking.meeting_password = meeting_password
            booking.save(update_fields=["meeting_password", "updated_at"])
        lifecycle.meetings_moved(
            booking=booking,
            moves=[(o.replaces, o) for o in new],
            time_moved=any((o.start, o.end) != (o.replaces.start, o.replaces.end) for o in new),
            now=now,
        )
    else:
        for o in new:
            occurrence_transition(o, to=S.REJECTED, actor=actor, reason=reason, now=now)
        occurrences_save(new)
    change.status = BookingChange.Status.APPROVED if approve else BookingChange.Status.REJECTED
    change.decided_by, change.decided_at, change.reason = actor, now, reason
    change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    booking_summary_refresh(booking)
    audit.record(
        actor=actor,
        action="booking.change_approved" if approve else "booking.change_rejected",
        target=booking,
        data={
            "change": change.pk,
            "proposed": change.proposed,
            "reason": reason,
            **({"override": override} if override is not None else {}),
        },
    )
    notify_on_commit(
        "change_approved" if approve else "change_rejected",
        booking,
        reason=reason,
        moved=bool({"room", "start", "end"} & set(change.proposed)),
    )
