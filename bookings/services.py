"""Every write of the booking domain (BK-1, BK-3 to BK-8). Pages, the API, admin and
tasks call these functions; none of them repeats a rule.

Status machine (DESIGN): pending → approved → completed; pending → rejected;
pending|approved → cancelled; approved → no_show; and approved → superseded when an
approved change (BK-5) moves the meeting to its new slot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import conflicts, recurrence, rules, selectors
from bookings.models import (
    Attendee,
    Booking,
    BookingChange,
    BookingSuspension,
    Occurrence,
    Room,
    UsagePolicy,
)
from bookings.permissions import can_approve, can_cancel, can_change, is_approver
from bookings.providers import provider_for
from meetingops.errors import ApplicationError, InvalidTransition, PermissionDeniedError
from oversight import audit

S = Occurrence.Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.COMPLETED, S.CANCELLED, S.NO_SHOW, S.SUPERSEDED}),
}
EXCLUSION_CONSTRAINT = "occurrence_no_overlap"
# Fields whose change sends an approved booking back to the approver (BK-5).
MATERIAL_FIELDS = ("room", "start", "end", "expected_headcount", "confidential")
PLAIN_FIELDS = ("topic", "agenda", "mode", "recording_allowed", "chat_allowed", "password_required")


class BookingInputError(ApplicationError):
    code = "invalid_input"


# -- helpers -----------------------------------------------------------------------------


def _transition(occurrence: Occurrence, *, to: str, actor, reason: str = "", now=None) -> bool:
    """Move one occurrence along the table. Same status: no-op (False). A move the table
    does not allow raises InvalidTransition. Caller holds the booking's row lock."""
    if occurrence.status == to:
        return False
    if to not in TRANSITIONS.get(occurrence.status, frozenset()):
        raise InvalidTransition(
            _("A %(from)s meeting cannot become %(to)s.")
            % {"from": S(occurrence.status).label.lower(), "to": S(to).label.lower()},
            extra={"from": occurrence.status, "to": to},
        )
    now = now or timezone.now()
    occurrence.status = to
    if to in (S.APPROVED, S.REJECTED):
        occurrence.decided_by = actor if actor is not None and actor.is_authenticated else None
        occurrence.decided_at = now
    if reason:
        occurrence.reason = reason
    if to == S.CANCELLED:
        occurrence.cancelled_at = now
    return True


def _save_occurrences(occurrences: Iterable[Occurrence]) -> None:
    Occurrence.objects.bulk_update(
        list(occurrences),
        ["status", "decided_by", "decided_at", "reason", "cancelled_at", "late_cancellation"],
    )


def booking_summary_refresh(booking: Booking) -> str:
    """What the booking row says of its occurrences, brought up to date after they
    changed: its status (a series mixes them), its first meeting not replaced by a
    change and its first meeting awaiting a decision (the approvers' queue order).
    Returns the status."""
    meetings = list(booking.occurrences.exclude(status=S.SUPERSEDED).values_list("status", "start"))
    statuses = {status for status, _start in meetings}
    if (
        S.PENDING in statuses
        or booking.changes.filter(status=BookingChange.Status.PENDING).exists()
    ):
        status = Booking.Status.PENDING
    elif S.APPROVED in statuses:
        status = Booking.Status.APPROVED
    elif S.COMPLETED in statuses:
        status = Booking.Status.COMPLETED
    elif S.NO_SHOW in statuses:
        status = Booking.Status.NO_SHOW
    elif statuses == {S.REJECTED}:
        status = Booking.Status.REJECTED
    else:
        status = Booking.Status.CANCELLED
    first_start = min((start for _s, start in meetings), default=booking.first_start)
    # A change that moves no meeting waits in the queue from the next meeting it concerns.
    now = timezone.now()
    upcoming = [start for s, start in meetings if s in Occurrence.OCCUPYING and start > now]
    summary = {
        "status": status,
        "first_start": first_start,
        # Set exactly when the booking is pending: the queue orders no empty values.
        "first_pending_start": min(
            (start for s, start in meetings if s == S.PENDING),
            default=min(upcoming, default=first_start)
            if status == Booking.Status.PENDING
            else None,
        ),
    }
    changed = [f for f, value in summary.items() if getattr(booking, f) != value]
    if changed:
        for f in changed:
            setattr(booking, f, summary[f])
        booking.save(update_fields=[*changed, "updated_at"])
    return status


def _require_aware(name: str, value: dt.datetime) -> None:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise BookingInputError(
            _("Give %(field)s with its time zone, e.g. 2026-12-01T09:00:00+08:00.")
            % {"field": name},
            code="naive_datetime",
            fields=[name],
        )


@dataclass(frozen=True)
class WrittenParts:
    occurrences: list[Occurrence]
    attendees: list[Attendee]


def _validate_basics(*, start, end, topic: str, headcount: int) -> None:
    _require_aware("start", start)
    _require_aware("end", end)
    if start >= end:
        raise BookingInputError(
            _("A meeting must end after it starts."),
            code="end_before_start",
            fields=["end"],
        )
    _clean_topic(topic)
    if headcount < 1:
        raise BookingInputError(
            _("A meeting has at least one person."),
            code="headcount_invalid",
            fields=["expected_headcount"],
        )


def _clean_topic(topic: str | None) -> str:
    topic = (topic or "").strip()
    if not topic:
        raise BookingInputError(
            _("Give the meeting a topic."), code="topic_required", fields=["topic"]
        )
    return topic


def _required_reason(reason: str | None, *, message: str, field: str = "reason") -> str:
    """The reason a decision must give, stripped; BookingInputError (`reason_required`,
    with `message` saying what to write) when it is empty or blank."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingInputError(message, code="reason_required", fields=[field])
    return reason


def _active_invitees(users: Iterable, *, organizer) -> list:
    """The colleagues invited, each once and not the organizer; an account that has
    been closed cannot be invited (BookingInputError `inactive_invitee`)."""
    invitees = [u for u in dict.fromkeys(users) if u.pk != organizer.pk]
    closed = [u for u in invitees if not u.is_active]
    if closed:
        raise BookingInputError(
            _(
                "%(names)s can no longer be invited: the account is closed. Remove them, "
                "or invite them by email."
            )
            % {"names": ", ".join(u.get_full_name() for u in closed)},
            code="inactive_invitee",
            fields=["attendee_user_ids"],
        )
    return invitees


def _clean_emails(emails: Iterable[str]) -> list[str]:
    cleaned = []
    for email in emails:
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise BookingInputError(
                _("%(email)s is not an email address.") % {"email": email},
                code="invalid_email",
                fields=["attendee_emails"],
            ) from None
        if email not in cleaned:
            cleaned.append(email)
    return cleaned


def _raise_if_taken(room: Room, slots, exclude_booking: Booking | None = None) -> None:
    taken = conflicts.slot_conflicts(room=room, slots=slots, exclude_booking=exclude_booking)
    if taken:
        raise conflicts.BookingConflict([c for hits in taken.values() for c in hits])


def _is_overlap_violation(error: IntegrityError) -> bool:
    return EXCLUSION_CONSTRAINT in str(error)


def _new_occurrences(booking: Booking, room: Room, slots, *, replaces=()) -> list[Occurrence]:
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


def _booking_save(booking: Booking) -> None:
    """Save the booking and bring its occurrences' copies of the topic and the
    confidentiality (models.Occurrence) in step."""
    booking.save()
    booking.occurrences.exclude(topic=booking.topic, confidential=booking.confidential).update(
        topic=booking.topic, confidential=booking.confidential
    )


def _give_join_info(booking: Booking) -> None:
    if booking.join_url or booking.meeting_code:
        return
    info = provider_for(booking.room.provider).create_meeting(booking)
    booking.join_url, booking.meeting_code, booking.meeting_password = (
        info.url,
        info.code,
        info.password,
    )
    booking.save(update_fields=["join_url", "meeting_code", "meeting_password", "updated_at"])


def _notify(kind: str, booking: Booking, **data: Any) -> None:
    from bookings.tasks import booking_notify_task

    transaction.on_commit(
        lambda: booking_notify_task.delay(booking_id=booking.pk, kind=kind, **data)
    )


def _slot_json(occurrences: Iterable[Occurrence]) -> list[dict]:
    return [
        {"id": o.pk, "start": o.start.isoformat(), "end": o.end.isoformat()} for o in occurrences
    ]


# -- request -------------------------------------------------------------------------------


def series_preview(
    *,
    organizer,
    room: Room,
    start: dt.datetime,
    end: dt.datetime,
    recurrence_rule: dict | None,
    expected_headcount: int = 1,
) -> list[dict]:
    """BK-8: every occurrence of the series with whether it is free, and why not."""
    _validate_basics(start=start, end=end, topic="preview", headcount=expected_headcount)
    rule = recurrence.rule_from(recurrence_rule) if recurrence_rule else None
    slots = recurrence.occurrence_slots(start=start, end=end, rule=rule, tz=settings.TIME_ZONE)
    policy = rules.policy_current()
    now = timezone.now()
    taken = conflicts.slot_conflicts(room=room, slots=slots)
    preview = []
    for index, (slot_start, slot_end) in enumerate(slots):
        problems = [
            v.as_dict()
            for v in rules.check_slot(policy=policy, start=slot_start, end=slot_end, now=now)
        ]
        problems += [{"code": "conflict", **c.as_dict()} for c in taken.get(index, [])]
        preview.append(
            {"start": slot_start, "end": slot_end, "free": not problems, "problems": problems}
        )
    return preview


def booking_request(
    *,
    organizer,
    room: Room,
    start: dt.datetime,
    end: dt.datetime,
    topic: str,
    expected_headcount: int,
    agenda: str = "",
    mode: str = Booking.Mode.VIDEO,
    recording_allowed: bool = False,
    chat_allowed: bool = True,
    password_required: bool = False,
    confidential: bool = False,
    attendee_users: Sequence = (),
    attendee_emails: Sequence[str] = (),
    recurrence_rule: dict | None = None,
    skip_unavailable: bool = False,
) -> Booking:
    """BK-1/BK-2/BK-3/BK-8: an employee asks for a room. Raises UsageRuleViolation,
    BookingConflict or BookingInputError and then changes nothing.

    For a series, `skip_unavailable` books the free occurrences and leaves out those
    the preview showed as taken or against the rules (at least one must be free).
    The booking returned carries the rows written in `written_parts`."""
    _validate_basics(start=start, end=end, topic=topic, headcount=expected_headcount)
    if mode not in Booking.Mode.values:
        raise BookingInputError(_("Choose video, voice or screen sharing."), code="invalid_mode")
    emails = _clean_emails(attendee_emails)
    users = _active_invitees(attendee_users, organizer=organizer)
    rule = recurrence.rule_from(recurrence_rule) if recurrence_rule else None
    slots = recurrence.occurrence_slots(start=start, end=end, rule=rule, tz=settings.TIME_ZONE)
    if rule and skip_unavailable:
        slots = [
            (p["start"], p["end"])
            for p in series_preview(
                organizer=organizer,
                room=room,
                start=start,
                end=end,
                recurrence_rule=recurrence_rule,
            )
            if p["free"]
        ]
        if not slots:
            raise BookingInputError(
                _("None of the series' meetings can be booked."), code="series_unavailable"
            )
    headcount = rules.headcount_counted(expected_headcount, len(users) + len(emails))
    try:
        with transaction.atomic():
            policy = rules.policy_current()
            if policy.has_quotas:
                # Quotas count the organizer's other bookings: take them one at a time.
                get_user_model().objects.select_for_update().filter(pk=organizer.pk).first()
            violations = rules.check_request(
                policy=policy,
                organizer=organizer,
                department=organizer.department,
                rooms=[room],
                slots=slots,
                headcount=headcount,
                recording_allowed=recording_allowed,
                external_guests=len(emails),
            )
            if violations:
                raise rules.UsageRuleViolation(violations)
            _raise_if_taken(room, slots)
            booking = Booking.objects.create(
                organizer=organizer,
                department=organizer.department,
                room=room,
                topic=_clean_topic(topic),
                agenda=agenda,
                mode=mode,
                expected_headcount=expected_headcount,
                recording_allowed=recording_allowed,
                chat_allowed=chat_allowed,
                password_required=password_required,
                confidential=confidential,
                recurrence=rule.as_json() if rule else {},
                policy_version=policy.version,
                first_start=min(start for start, _end in slots),
                first_pending_start=min(start for start, _end in slots),
            )
            occurrences = _new_occurrences(booking, room, slots)
            attendees = Attendee.objects.bulk_create(
                [Attendee(booking=booking, user=u) for u in users]
                + [Attendee(booking=booking, email=e) for e in emails]
            )
            audit.record(
                actor=organizer,
                action="booking.requested",
                target=booking,
                data={
                    "room": room.pk,
                    "occurrences": _slot_json(occurrences),
                    "headcount": expected_headcount,
                    "confidential": confidential,
                    "recurrence": booking.recurrence,
                    "attendees": {"users": [u.pk for u in users], "external": len(emails)},
                    "policy_version": policy.version,
                },
            )
            if rules.auto_approvable(policy=policy, booking=booking, slots=slots):
                _approve(
                    booking,
                    occurrences,
                    actor=None,
                    note=_("Approved automatically by the usage policy."),
                )
    except IntegrityError as error:
        if not _is_overlap_violation(error):
            raise
        # Another request took the slot between our check and our insert (BK-3).
        _raise_if_taken(room, slots)
        raise conflicts.BookingConflict(
            [conflicts.Conflict("booking", room.pk, room.name, slots[0][0], slots[0][1])]
        ) from None
    _notify("requested", booking)
    # What was just written, for a caller that shows the new booking without reading it
    # again (the API). A plain attribute: the booking's own managers still read afresh.
    booking.written_parts = WrittenParts(occurrences=occurrences, attendees=attendees)
    return booking


# -- decisions -------------------------------------------------------------------------------


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update()
        .select_related("room__provider", "organizer")
        .get(pk=booking.pk)
    )


def _awaiting_decision(booking: Booking, occurrence: Occurrence | None) -> list[Occurrence]:
    """The pending meetings of the request itself (not a change's new slots), or the one
    named; InvalidTransition when there is none. Caller holds the booking's lock."""
    pending = booking.occurrences.filter(status=S.PENDING, replaces__isnull=True)
    if occurrence is not None:
        pending = pending.filter(pk=occurrence.pk)
    targets = list(pending)
    if not targets:
        raise InvalidTransition(
            _("Nothing in this booking is waiting for a decision."), code="nothing_pending"
        )
    return targets


def _approve(
    booking: Booking, occurrences: Sequence[Occurrence], *, actor, note: str = ""
) -> list[Occurrence]:
    now = timezone.now()
    moved = [
        o for o in occurrences if _transition(o, to=S.APPROVED, actor=actor, reason=note, now=now)
    ]
    _save_occurrences(moved)
    if moved:
        _give_join_info(booking)
        booking_summary_refresh(booking)
        audit.record(
            actor=actor,
            action="booking.approved",
            target=booking,
            data={"occurrences": [o.pk for o in moved], "note": note, "automatic": actor is None},
        )
        _notify("approved", booking, occurrence_ids=[o.pk for o in moved])
    return moved


def _require_decider(actor, booking: Booking) -> None:
    """PermissionDeniedError (`not_approver`) unless `actor` may decide `booking`,
    saying why and who can."""
    if can_approve(actor, booking):
        return
    if is_approver(actor):
        message = _("You requested this booking: ask another approver to decide it.")
    else:
        message = _("Only approvers decide booking requests.")
    raise PermissionDeniedError(message, code="not_approver")


def booking_approve(
    *, booking: Booking, actor, occurrence: Occurrence | None = None, note: str = ""
) -> Booking:
    """BK-4: approve the pending request (or its pending change), or one occurrence."""
    _require_decider(actor, booking)
    with transaction.atomic():
        booking = _locked(booking)
        change = selectors.booking_pending_change(booking=booking)
        if change is not None and occurrence is None:
            _change_decide(booking, change, approve=True, actor=actor, reason=note)
            return booking
        _approve(booking, _awaiting_decision(booking, occurrence), actor=actor, note=note)
    return booking


def booking_reject(
    *, booking: Booking, actor, reason: str, occurrence: Occurrence | None = None
) -> Booking:
    """BK-4: reject with a reason (required), the whole request or one occurrence."""
    _require_decider(actor, booking)
    reason = _required_reason(reason, message=_("Say why the request is rejected."))
    with transaction.atomic():
        booking = _locked(booking)
        change = selectors.booking_pending_change(booking=booking)
        if change is not None and occurrence is None:
            _change_decide(booking, change, approve=False, actor=actor, reason=reason)
            return booking
        targets = _awaiting_decision(booking, occurrence)
        now = timezone.now()
        for o in targets:
            _transition(o, to=S.REJECTED, actor=actor, reason=reason, now=now)
        _save_occurrences(targets)
        booking_summary_refresh(booking)
        audit.record(
            actor=actor,
            action="booking.rejected",
            target=booking,
            data={"occurrences": [o.pk for o in targets], "reason": reason},
        )
        _notify("rejected", booking, occurrence_ids=[o.pk for o in targets], reason=reason)
    return booking


# -- cancel ----------------------------------------------------------------------------------


def booking_cancel(
    *, booking: Booking, actor, reason: str = "", occurrence: Occurrence | None = None
) -> Booking:
    """BK-6: cancel before the start, the whole booking (its future meetings) or one
    occurrence. After the policy's deadline it counts as a late cancellation."""
    if not can_cancel(actor, booking):
        raise PermissionDeniedError(
            _("Only the organizer can cancel this booking."), code="not_organizer"
        )
    with transaction.atomic():
        booking = _locked(booking)
        now = timezone.now()
        policy = rules.policy_current()
        occupying = list(booking.occurrences.filter(status__in=Occurrence.OCCUPYING))
        change = selectors.booking_pending_change(booking=booking)
        # A pending change's proposed slots, never agreed: they go with their change.
        proposed = [o for o in occupying if o.replaces_id and o.status == S.PENDING]
        if occurrence is None:
            targets = occupying
        elif occurrence in proposed:
            # One proposed slot cancelled: the organizer no longer wants the move.
            targets = proposed
        else:
            # One meeting, with the slot a pending change proposes for it.
            targets = [o for o in occupying if o == occurrence or o.replaces_id == occurrence.pk]
            targets = [o for o in targets if o == occurrence or o in proposed]
        future = [o for o in targets if o.start > now]
        if not future:
            raise InvalidTransition(
                _("Only meetings that have not started can be cancelled."), code="already_started"
            )
        rest = [o for o in occupying if o not in future]
        withdrawn = change is not None and (
            occurrence is None
            or occurrence in proposed
            # Every slot the change proposed is cancelled, or no meeting it could still
            # apply to is left.
            or (proposed and not [o for o in rest if o in proposed])
            or not [o for o in rest if o not in proposed and o.start > now]
        )
        if withdrawn:
            future += [o for o in rest if o in proposed]  # its other proposed slots
        deadline = dt.timedelta(hours=policy.cancellation_deadline_hours)
        # The meetings as people know them: not a change's proposed slot.
        told = [o.pk for o in future if o not in proposed]
        for o in future:
            _transition(o, to=S.CANCELLED, actor=actor, reason=reason, now=now)
            # Only a meeting that was confirmed can be cancelled late (001 §2.5).
            o.late_cancellation = o.decided_at is not None and now > o.start - deadline
        _save_occurrences(future)
        if withdrawn:
            change.status = BookingChange.Status.WITHDRAWN
            change.decided_at = now
            change.save(update_fields=["status", "decided_at"])
        booking_summary_refresh(booking)
        audit.record(
            actor=actor,
            action="booking.cancelled",
            target=booking,
            data={
                "occurrences": [o.pk for o in future],
                "late": [o.pk for o in future if o.late_cancellation],
                "reason": reason,
                "change_withdrawn": change.pk if withdrawn else None,
                "policy_version": policy.version,
            },
        )
        if told:  # withdrawing a change's proposed slot cancels no meeting anyone knew of
            _notify("cancelled", booking, occurrence_ids=told, reason=reason)
    return booking


# -- change ----------------------------------------------------------------------------------


def _field_value(value: Any) -> Any:
    if isinstance(value, Room):
        return value.pk
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def booking_change(*, booking: Booking, actor, **changes: Any) -> Booking:
    """BK-5: change a booking. Topic, agenda and settings change at once. A change of
    room, time, headcount or confidentiality goes to the approver when the booking was
    approved: the new slot is held beside the old one, which stays the organizer's
    until the change is decided. Time changes apply to single meetings."""
    unknown = set(changes) - set(MATERIAL_FIELDS) - set(PLAIN_FIELDS)
    if unknown:
        raise BookingInputError(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    if not can_change(actor, booking):
        raise PermissionDeniedError(
            _("Only the organizer can change this booking."), code="not_organizer"
        )
    with transaction.atomic():
        booking = _locked(booking)
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
        old = {
            f: getattr(booking, f) for f in (*PLAIN_FIELDS, "expected_headcount", "confidential")
        }
        old["room"] = booking.room
        if len(current) == 1:
            old["start"], old["end"] = current[0].start, current[0].end
        elif "start" in changes or "end" in changes:
            raise BookingInputError(
                _("Change the time of one meeting of a series at a time, or cancel and book anew."),
                code="series_time_change",
            )
        if "topic" in changes:
            changes["topic"] = _clean_topic(changes["topic"])
        changed = {f: v for f, v in changes.items() if f in old and v != old[f]}
        if not changed:
            return booking
        plain = {f: v for f, v in changed.items() if f in PLAIN_FIELDS}
        material = {f: v for f, v in changed.items() if f in MATERIAL_FIELDS}
        if material and {S.PENDING, S.APPROVED} <= {o.status for o in current}:
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
        room = material.get("room", booking.room)
        room = Room.objects.select_related("provider").get(pk=room.pk)
        if material:
            start = material.get("start", old.get("start"))
            end = material.get("end", old.get("end"))
            headcount = material.get("expected_headcount", booking.expected_headcount)
            if len(current) == 1:
                _validate_basics(
                    start=start,
                    end=end,
                    topic=plain.get("topic", booking.topic),
                    headcount=headcount,
                )
                slots = [(start, end)]
            else:
                slots = [(o.start, o.end) for o in current]
            policy = rules.policy_current()
            colleagues, external = selectors.booking_invitee_counts(booking=booking)
            violations = rules.check_request(
                policy=policy,
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
            _raise_if_taken(room, slots, exclude_booking=booking)
        for f, v in plain.items():
            setattr(booking, f, v)
        history = {
            f: {"old": _field_value(old[f]), "new": _field_value(v)} for f, v in changed.items()
        }
        try:
            with transaction.atomic():
                if material and any(o.status == S.APPROVED for o in current):
                    _change_request(booking, actor, material, old, current, room, slots)
                elif material:
                    _change_in_place(booking, material, current, room, slots)
                _booking_save(booking)
                if material:
                    booking_summary_refresh(booking)
        except IntegrityError as error:
            if not _is_overlap_violation(error):
                raise
            _raise_if_taken(room, slots, exclude_booking=booking)
            raise
        audit.record(
            actor=actor,
            action="booking.change_requested"
            if booking.status == Booking.Status.PENDING
            and material
            and selectors.booking_pending_change(booking=booking)
            else "booking.changed",
            target=booking,
            data={"changes": history},
        )
        if material:
            _notify("changed", booking)
    return booking


def _change_in_place(booking, material, current, room, slots) -> None:
    """A pending booking: nothing was confirmed, so it simply changes."""
    for f in ("expected_headcount", "confidential"):
        if f in material:
            setattr(booking, f, material[f])
    booking.room = room
    for o, (start, end) in zip(current, slots, strict=True):
        o.room, o.start, o.end, o.occupied_from = room, start, end, start - room.preparation
    Occurrence.objects.bulk_update(current, ["room", "start", "end", "occupied_from"])


def _change_request(booking, actor, material, old, current, room, slots) -> None:
    proposed = {f: _field_value(v) for f, v in material.items()}
    BookingChange.objects.create(
        booking=booking,
        requested_by=actor,
        proposed=proposed,
        previous={f: _field_value(old[f]) for f in material},
    )
    if {"room", "start", "end"} & set(material):
        _new_occurrences(booking, room, slots, replaces=current)
    booking.status = Booking.Status.PENDING


def _change_decide(
    booking: Booking, change: BookingChange, *, approve: bool, actor, reason: str
) -> None:
    """Caller holds the booking's lock."""
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
            _transition(o, to=S.SUPERSEDED, actor=actor, now=now)
        _save_occurrences(old)
        # The old rows leave the occupying statuses first, so the new ones never overlap them.
        for o in new:
            _transition(o, to=S.APPROVED, actor=actor, reason=reason, now=now)
        _save_occurrences(new)
        _booking_save(booking)
        _give_join_info(booking)
    else:
        for o in new:
            _transition(o, to=S.REJECTED, actor=actor, reason=reason, now=now)
        _save_occurrences(new)
    change.status = BookingChange.Status.APPROVED if approve else BookingChange.Status.REJECTED
    change.decided_by, change.decided_at, change.reason = actor, now, reason
    change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    booking_summary_refresh(booking)
    audit.record(
        actor=actor,
        action="booking.change_approved" if approve else "booking.change_rejected",
        target=booking,
        data={"change": change.pk, "proposed": change.proposed, "reason": reason},
    )
    _notify(
        "change_approved" if approve else "change_rejected",
        booking,
        reason=reason,
        moved=bool({"room", "start", "end"} & set(change.proposed)),
    )


# -- usage policy ----------------------------------------------------------------------------


POLICY_FIELDS = tuple(f.name for f in UsagePolicy._meta.fields if f.editable and not f.primary_key)


def usage_policy_create(*, actor, values: dict, changes: dict) -> UsagePolicy:
    """BK-2: a new version of the usage policy; earlier versions are never updated.
    Two admins saving at once get consecutive versions (the latest row is locked)."""
    with transaction.atomic():
        list(UsagePolicy.objects.select_for_update().order_by("-version")[:1])
        previous = UsagePolicy.objects.aggregate(latest=Max("version"))["latest"] or 0
        policy = UsagePolicy(**values, version=previous + 1, created_by=actor)
        policy.save(force_insert=True)
        audit.record(
            actor=actor,
            action="usagepolicy.created",
            target=policy,
            data={
                "version": policy.version,
                "previous_version": previous or None,
                "values": {name: getattr(policy, name) for name in POLICY_FIELDS},
                "changes": changes,
            },
        )
    return policy


# -- suspended booking rights (BK-2, OV-5) ----------------------------------------------


def booking_suspension_check(
    *,
    user,
    actor,
    reason: str,
    end: dt.datetime | None,
    start: dt.datetime | None = None,
) -> tuple[str, dt.datetime]:
    """What `booking_suspension_impose` refuses, checked without writing (a form asks it
    before saving); returns the cleaned reason and the start."""
    if not actor.has_perm("bookings.add_bookingsuspension"):
        raise PermissionDeniedError(
            _("Suspending booking rights is for the supervision team."), code="not_supervisor"
        )
    if user.pk == actor.pk:
        raise PermissionDeniedError(
            _(
                "You cannot suspend your own booking rights: ask another member of the "
                "supervision team."
            ),
            code="own_suspension",
            fields=["user"],
        )
    reason = _required_reason(reason, message=_("Say why the booking rights are suspended."))
    start = start or timezone.now()
    for name, value in (("start", start), ("end", end)):
        if value is not None:
            _require_aware(name, value)
    if end is not None and end <= start:
        raise BookingInputError(
            _("A suspension must start before it ends."),
            code="end_before_start",
            fields=["end"],
        )
    return reason, start


def booking_suspension_impose(
    *,
    user,
    actor,
    reason: str,
    end: dt.datetime | None,
    start: dt.datetime | None = None,
) -> BookingSuspension:
    """OV-5: suspend `user`'s right to book from `start` (now when not given) until
    `end`, or remove it (`end` None). The supervision team decides
    (`bookings.add_bookingsuspension`); no one suspends themselves."""
    reason, start = booking_suspension_check(
        user=user, actor=actor, reason=reason, end=end, start=start
    )
    with transaction.atomic():
        suspension = BookingSuspension.objects.create(
            user=user, start=start, end=end, reason=reason[:255], imposed_by=actor
        )
        audit.record(
            actor=actor,
            action="bookingsuspension.imposed",
            target=suspension,
            data={
                "user": user.pk,
                "start": start.isoformat(),
                "end": end.isoformat() if end else None,
                "reason": suspension.reason,
            },
        )
    return suspension


def booking_suspension_lift(
    *, suspension: BookingSuspension, actor, reason: str
) -> BookingSuspension:
    """OV-5: end a suspension early, with a reason (`bookings.change_bookingsuspension`).
    Lifting a lifted one changes nothing."""
    if not actor.has_perm("bookings.change_bookingsuspension"):
        raise PermissionDeniedError(
            _("Lifting suspensions of booking rights is for the supervision team."),
            code="not_supervisor",
        )
    reason = _required_reason(
        reason, message=_("Say why the suspension is lifted."), field="lift_reason"
    )
    with transaction.atomic():
        suspension = BookingSuspension.objects.select_for_update().get(pk=suspension.pk)
        if suspension.lifted_at is not None:
            return suspension
        suspension.lifted_at = timezone.now()
        suspension.lifted_by = actor
        suspension.lift_reason = reason[:255]
        suspension.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit.record(
            actor=actor,
            action="bookingsuspension.lifted",
            target=suspension,
            data={"user": suspension.user_id, "reason": suspension.lift_reason},
        )
    return suspension
