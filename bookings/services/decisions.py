"""BK-4: approvers decide pending requests, whole or one meeting at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import selectors
from bookings.models import (
    Attendee,
    Booking,
    BookingChange,
    Occurrence,
    Provider,
    Room,
)
from bookings.permissions import can_approve, is_approver
from bookings.services import lifecycle
from bookings.services.changes import change_decide
from bookings.services.rows import booking_locked, join_info_give, notify_on_commit
from bookings.services.status import (
    booking_summary_refresh,
    occurrence_transition,
    occurrences_save,
)
from bookings.validation import required_reason
from meetingops.errors import (
    ApplicationError,
    ConflictError,
    InvalidTransition,
    PermissionDeniedError,
)
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

S = Occurrence.Status


def _awaiting_decision(*, booking: Booking, occurrence: Occurrence | None) -> list[Occurrence]:
    """The pending meetings of the request itself (not a change's new slots), or the one
    named; InvalidTransition when there is none. Caller holds the booking's lock."""
    pending = booking.occurrences.filter(status=S.PENDING, replaces__isnull=True).select_related(
        "room"
    )
    if occurrence is not None:
        pending = pending.filter(pk=occurrence.pk)
    targets = list(pending)
    if not targets:
        raise InvalidTransition(
            _("Nothing in this booking is waiting for a decision."), code="nothing_pending"
        )
    return targets


@dataclass(frozen=True)
class Problem:
    """One rule that what waits for a decision breaks today: a conflict (`blackout`,
    `conflict`) or a usage rule's code."""

    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


class ApprovalOverrideRequired(ConflictError):
    """BK-4: what waits for a decision breaks a rule today (a blackout period added
    since, a room under maintenance, a tightened policy…): it is approved only over the
    problems, with a reason (`override_reason`). `problems` lists each (`code`,
    `detail`)."""

    code = "override_required"

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(
            _(
                "This request breaks these rules now: %(problems)s Approve it anyway with "
                "a reason, which the organizer is told, or reject it."
            )
            % {"problems": " ".join(p.detail for p in problems)},
            extra={"problems": [p.as_dict() for p in problems]},
        )
        self.problems = list(problems)


class MeetingPasswordRequired(ApplicationError):
    """SE-5 / BK-17: a confidential meeting in a manual room, where MeetingOps cannot
    set a password, is approved only with the room's meeting password, entered by the
    approver (`meeting_password`), unless the room has one of its own."""

    code = "meeting_password_required"
    status = 400

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "This confidential meeting is in a manual room without a meeting password: "
                "enter the room's meeting password to approve it."
            ),
            code=code,
            fields=["meeting_password"],
        )


def meeting_password_needed(*, booking: Booking, change: BookingChange | None = None) -> bool:
    """SE-5 / BK-17: whether approving `booking` (or its pending `change`) needs the
    room's meeting password from the approver: the meeting is confidential after the
    decision, in a manual room (after it) that has no password of its own, and the
    booking has none from an earlier approval in that room. The admin's decision box
    asks with it; `booking_approve` holds it."""
    room, confidential, kept = booking.room, booking.confidential, booking.meeting_password
    if change is not None:
        confidential = change.proposed.get("confidential", confidential)
        if change.proposed.get("room", room.pk) != room.pk:
            room = Room.objects.select_related("provider").get(pk=change.proposed["room"])
            kept = ""  # a new room: its own password
    return bool(
        confidential
        and room.provider.kind == Provider.Kind.MANUAL
        and not room.meeting_password
        and not kept
    )


def _meeting_password_checked(
    *, booking: Booking, change: BookingChange | None, meeting_password: str
) -> str:
    """The meeting password the approver gave, when the meeting needs one from them
    (`meeting_password_needed`); "" when none is needed. MeetingPasswordRequired when
    one is needed and not given, or is not a password. Caller holds the booking's lock."""
    if not meeting_password_needed(booking=booking, change=change):
        return ""
    password = (meeting_password or "").strip()
    if not password:
        raise MeetingPasswordRequired
    if len(password) > 64 or any(not ch.isprintable() for ch in password):
        raise MeetingPasswordRequired(
            _("A meeting password is at most 64 characters, without control characters."),
            code="meeting_password_invalid",
        )
    return password


# Usage rules that speak of when a request was made, not of the meeting (BK-2, BK-4).
APPROVAL_IGNORES = frozenset({"min_advance"})


def _problems_now(*, booking: Booking, occurrences: Sequence[Occurrence] | None) -> list[Problem]:
    """What the approvers' page shows against deciding `occurrences` (None: all that
    waits, a pending change's new slots included): the conflicts, then the usage rules,
    checked now by the selectors that page uses. Caller holds the booking's lock."""
    found = [
        Problem(conflict.code, conflict.describe())
        for item in selectors.booking_pending_conflicts(booking=booking, occurrences=occurrences)
        for conflict in item.conflicts
    ]
    check = selectors.booking_pending_rule_check(booking=booking, occurrences=occurrences)
    if check is not None:
        found += [
            Problem(v.code, v.message())
            for v in check.violations
            # The advance notice is asked of the requester, and held when they asked:
            # time passing while the request waits for its decision does not break it.
            if v.code not in APPROVAL_IGNORES
        ]
    return list(dict.fromkeys(found))


def _override_checked(*, problems: Sequence[Problem], override_reason: str) -> dict | None:
    """None when nothing stands against the approval; the override to audit when the
    approver gave a reason to approve over `problems`; ApprovalOverrideRequired when
    they did not. Reads nothing."""
    if not problems:
        return None
    reason = (override_reason or "").strip()
    if not reason:
        raise ApprovalOverrideRequired(problems)
    return {"reason": reason, "problems": [p.as_dict() for p in problems]}


def _approval_note(*, note: str, override: dict | None) -> str:
    """The note kept on the meetings approved (and told to the organizer): with an
    override, the problems approved over and the approver's reason."""
    if override is None:
        return note
    text = _("Approved over these problems: %(problems)s The approver's reason: %(reason)s") % {
        "problems": " ".join(p["detail"] for p in override["problems"]),
        "reason": override["reason"],
    }
    return f"{note.strip()} {text}".strip()


def occurrences_approve(
    *,
    booking: Booking,
    occurrences: Sequence[Occurrence],
    actor: User | None,
    note: str = "",
    override: dict | None = None,
    attendees: Sequence[Attendee] | None = None,
    meeting_password: str = "",
) -> list[Occurrence]:
    """Approve `occurrences` of `booking` (those still pending), give the booking its
    join information, audit and notify the organizer; `actor` None is the usage policy
    approving automatically; `override` (from `_override_checked`) is audited, and the
    note, which then names it, is told to the organizer; `attendees`: the booking's
    invitees when the caller has just written them. Returns the meetings approved.
    Caller holds the booking's lock, or has just created it in the same transaction."""
    now = timezone.now()
    moved = [
        o
        for o in occurrences
        if occurrence_transition(o, to=S.APPROVED, actor=actor, reason=note, now=now)
    ]
    occurrences_save(moved)
    if moved:
        join_info_give(booking)
        if meeting_password:  # the approver's, for a confidential meeting in a manual room
            booking.meeting_password = meeting_password
            booking.save(update_fields=["meeting_password", "updated_at"])
        booking_summary_refresh(booking)
        lifecycle.meetings_approved(
            booking=booking, occurrences=moved, attendees=attendees, now=now
        )
        audit.record(
            actor=actor,
            action="booking.approved",
            target=booking,
            data={
                "occurrences": [o.pk for o in moved],
                "note": note,
                "automatic": actor is None,
                **({"override": override} if override is not None else {}),
                **({"meeting_password": "set"} if meeting_password else {}),
            },
        )
        notify_on_commit(
            "approved",
            booking,
            occurrence_ids=[o.pk for o in moved],
            **({"reason": note} if override is not None else {}),
        )
    return moved


def _require_decider(*, actor: User, booking: Booking) -> None:
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
    *,
    booking: Booking,
    actor: User,
    occurrence: Occurrence | None = None,
    note: str = "",
    override_reason: str = "",
    meeting_password: str = "",
) -> Booking:
    """BK-4: approve the pending request (or its pending change), or one occurrence.
    The rules are checked again, as the approvers' page shows them: conflicts (a
    blackout period added since), the room's state and the usage policy in force. When
    one is broken, the approval needs `override_reason` (ApprovalOverrideRequired
    without it), which is audited and kept, with the problems, as the approval's note.
    A confidential meeting in a manual room without a password of its own needs
    `meeting_password`, the room's, from the approver (MeetingPasswordRequired)."""
    _require_decider(actor=actor, booking=booking)
    with transaction.atomic():
        booking = booking_locked(booking)
        change = selectors.booking_pending_change(booking=booking)
        targets = (
            None
            if change is not None and occurrence is None
            else _awaiting_decision(booking=booking, occurrence=occurrence)
        )
        override = _override_checked(
            problems=_problems_now(booking=booking, occurrences=targets),
            override_reason=override_reason,
        )
        password = _meeting_password_checked(
            booking=booking,
            change=change if targets is None else None,
            meeting_password=meeting_password,
        )
        note = _approval_note(note=note, override=override)
        if targets is None:
            change_decide(
                booking=booking,
                change=change,
                approve=True,
                actor=actor,
                reason=note,
                override=override,
                meeting_password=password,
            )
            return booking
        occurrences_approve(
            booking=booking,
            occurrences=targets,
            actor=actor,
            note=note,
            override=override,
            meeting_password=password,
        )
    return booking


def booking_reject(
    *, booking: Booking, actor: User, reason: str, occurrence: Occurrence | None = None
) -> Booking:
    """BK-4: reject with a reason (required), the whole request or one occurrence."""
    _require_decider(actor=actor, booking=booking)
    reason = required_reason(reason, message=_("Say why the request is rejected."))
    with transaction.atomic():
        booking = booking_locked(booking)
        change = selectors.booking_pending_change(booking=booking)
        if change is not None and occurrence is None:
            change_decide(booking=booking, change=change, approve=False, actor=actor, reason=reason)
            return booking
        targets = _awaiting_decision(booking=booking, occurrence=occurrence)
        now = timezone.now()
        for o in targets:
            occurrence_transition(o, to=S.REJECTED, actor=actor, reason=reason, now=now)
        occurrences_save(targets)
        booking_summary_refresh(booking)
        audit.record(
            actor=actor,
            action="booking.rejected",
            target=booking,
            data={"occurrences": [o.pk for o in targets], "reason": reason},
        )
        notify_on_commit("rejected", booking, occurrence_ids=[o.pk for o in targets], reason=reason)
    return booking
