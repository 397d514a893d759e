"""BK-11: a participant answers an invitation: accept, tentative, or decline with a
reason (a decline is a leave request, 请假（说明原因）, 000 §2.3.1), for one meeting or
for that meeting and the rest of its series still to come.

Only an active invitee answers (the organizer comes to their own meeting), and only for
an approved meeting that has not started. The actor is the invitee signed in (the page,
the API), or nobody for the invitation's signed link (`bookings.links`), which names the
participant itself: an external guest has no account. Either way the answer is one
transaction under the booking's row lock, audited, and a bad answer changes nothing.

A decline voids that person's reminders of those meetings; answering yes or maybe again
after a decline plans them again. The organizer is told in a digest (`AnswerDigest`):
the first answer after the last digest opens a window of DIGEST_DELAY, the answers until
then join it, and the worker sends it once (`bookings.digests`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import AnswerDigest, Booking, Occurrence, Participant
from bookings.services.participants import reminders_plan, reminders_void
from bookings.services.rows import booking_locked
from bookings.validation import BookingInputError, clean_reason
from meetingops.errors import ApplicationError, InvalidTransition, PermissionDeniedError
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

R = Participant.Response
S = Occurrence.Status

# The answers a person may give; "not answered" is where everyone starts.
ANSWERS = (R.ACCEPTED, R.TENTATIVE, R.DECLINED)
# Where an answer came from (the audit's `via`).
VIA_PAGE, VIA_API, VIA_LINK = "page", "api", "link"
VIAS = (VIA_PAGE, VIA_API, VIA_LINK)
# For one meeting, or for it and the meetings of its series after it.
SCOPE_ONE, SCOPE_FOLLOWING = "one", "following"
SCOPES = (SCOPE_ONE, SCOPE_FOLLOWING)
# The window of a digest: the organizer reads the answers of these minutes in one email.
DIGEST_DELAY = dt.timedelta(minutes=5)


class AnswerRefused(ApplicationError):
    code = "answer_refused"
    status = 409


@dataclass(frozen=True)
class Answered:
    """What an answer did: the participant rows it covers (one per meeting, by start),
    and those among them whose answer changed (none when it was already given)."""

    participants: list[Participant]
    changed: list[Participant] = field(default_factory=list)


def answer_input_checked(*, response: str, reason: str, scope: str = SCOPE_ONE) -> str:
    """The answer's input, checked before anything is read: a known answer and scope,
    and a reason for a decline (its leave request). Returns the reason cleaned; an
    accept carries none. BookingInputError names the field that is wrong."""
    if response not in ANSWERS:
        raise BookingInputError(
            _("Choose accept, tentative or decline."), code="response_invalid", fields=["response"]
        )
    if scope not in SCOPES:
        raise BookingInputError(
            _("Choose this meeting, or this meeting and the rest of the series."),
            code="scope_invalid",
            fields=["scope"],
        )
    reason = clean_reason(reason)
    if response == R.DECLINED and not reason:
        raise BookingInputError(
            _("Say why you cannot come: a decline is a leave request, and the organizer reads it."),
            code="reason_required",
            fields=["reason"],
        )
    return "" if response == R.ACCEPTED else reason


def _answerable(row: Participant, now: dt.datetime) -> None:
    """Refuse an answer `row` cannot take. Caller holds the booking's lock."""
    if not row.is_active:
        raise PermissionDeniedError(
            _("You are no longer invited to this meeting."), code="not_invited"
        )
    if row.role == Participant.Role.ORGANIZER:
        raise AnswerRefused(
            _("You organize this meeting, so you come to it: there is nothing to answer."),
            code="organizer_attends",
        )
    if row.occurrence.status != S.APPROVED:
        raise InvalidTransition(
            _("Only an approved meeting can be answered; this one is %(status)s.")
            % {"status": row.occurrence.get_status_display().lower()},
            code="meeting_not_approved",
        )
    if row.occurrence.start <= now:
        raise InvalidTransition(
            _("This meeting has started: answers are for meetings still to come."),
            code="already_started",
        )


def _rows_answered(
    booking: Booking, row: Participant, scope: str, now: dt.datetime
) -> list[Participant]:
    """`row`, and with SCOPE_FOLLOWING the same person's rows in the series' approved
    meetings after it that have not started. Caller holds the booking's lock."""
    if scope == SCOPE_ONE or not booking.is_series:
        return [row]
    person = (
        Q(user_id=row.user_id) if row.user_id else Q(user__isnull=True, email__iexact=row.email)
    )
    rest = (
        Participant.objects.select_related("occurrence")
        .filter(
            person,
            booking=booking,
            is_active=True,
            occurrence__status=S.APPROVED,
            occurrence__start__gt=max(now, row.occurrence.start),
        )
        .order_by("occurrence__start", "pk")
    )
    return [row, *rest]


def _digest_join(booking: Booking, occurrence_ids: list[int], now: dt.datetime) -> None:
    """The answers' meetings join the booking's open digest, or open one due after
    DIGEST_DELAY. The update asks the row to be still open: a digest the worker is
    sending (its row locked, then marked sent) is not joined after the fact, and a new
    one opens instead. Caller holds the booking's lock, so two answers never open two."""
    digest = AnswerDigest.objects.filter(booking=booking, sent_at__isnull=True).first()
    if digest is not None:
        merged = sorted(set(digest.occurrence_ids) | set(occurrence_ids))
        if AnswerDigest.objects.filter(pk=digest.pk, sent_at__isnull=True).update(
            occurrence_ids=merged
        ):
            return
    AnswerDigest.objects.create(
        booking=booking, occurrence_ids=sorted(set(occurrence_ids)), due_at=now + DIGEST_DELAY
    )


def participant_answer(
    *,
    participant: Participant,
    response: str,
    reason: str = "",
    scope: str = SCOPE_ONE,
    actor: User | None,
    via: str,
) -> Answered:
    """BK-11: `participant` answers `response` (accepted, tentative, declined with a
    `reason`) for their meeting, or with `scope` "following" for it and the rest of its
    series still to come. `actor`: the invitee signed in, for `via` "page" or "api";
    None for the signed link (`via` "link"), which names the participant. An answer
    already given changes nothing and is not audited again."""
    if via not in VIAS:
        raise ValueError(f"Unknown way of answering: {via!r}")
    reason = answer_input_checked(response=response, reason=reason, scope=scope)
    if via != VIA_LINK and not (
        actor is not None and actor.is_authenticated and actor.pk == participant.user_id
    ):
        raise PermissionDeniedError(
            _("Only the person invited can answer this invitation."), code="not_participant"
        )
    with transaction.atomic():
        booking = booking_locked(participant.booking)
        now = timezone.now()
        row = Participant.objects.select_related("occurrence").get(pk=participant.pk)
        _answerable(row, now)
        rows = _rows_answered(booking, row, scope, now)
        changed = [p for p in rows if (p.response, p.response_reason) != (response, reason)]
        if not changed:
            return Answered(participants=rows)
        declined_before = [p for p in changed if p.response == R.DECLINED]
        for p in changed:
            p.response, p.response_reason, p.responded_at = response, reason, now
        Participant.objects.bulk_update(changed, ["response", "response_reason", "responded_at"])
        if response == R.DECLINED:
            reminders_void(participants=changed, now=now)
        elif declined_before:
            reminders_plan(participants=declined_before, booking=booking, now=now)
        _digest_join(booking, [p.occurrence_id for p in changed], now)
        audit.record(
            actor=actor if via != VIA_LINK else None,
            action="participant.answered",
            target=booking,
            data={
                "participants": [p.pk for p in changed],
                "occurrences": [p.occurrence_id for p in changed],
                "response": response,
                "reason": reason,
                "scope": scope,
                "via": via,
            },
        )
    return Answered(participants=rows, changed=changed)
