"""BK-11: the organizer's digest of answers, at most one email per booking in a short
window (Indico #4187), sent by the worker every minute (beat; never ETA tasks).

`bookings.services.answers` writes an `AnswerDigest` row with the first answer after
the last digest, due DIGEST_DELAY later; the answers until then join it. Here the due
rows are claimed one at a time with `select_for_update(skip_locked=True)` (PostgreSQL):
two workers at once each take other rows, the email is sent and the row marked
`sent_at` in the claim's transaction, so a digest is sent once; a worker killed before
its commit leaves the row to the next run. The email goes through the notifications'
delivery rows (`notifications.email_deliver`, keyed by the digest), so a second run of
a digest whose mark was lost does not mail it again.

SQLite has no row locks, and its lock on the whole database must not wait on a mail
server: there a due row is read, mailed (once, by its delivery row) and then marked,
as `notifications` does (the embedded default runs one worker).

The email lists, for each meeting the window's answers concern (the first
MEETINGS_SHOWN of them), who accepted, who may come, who declined and why, and who has
not answered, in the organizer's language and time zone; the answers of the window are
marked as new."""

from __future__ import annotations

import dataclasses
import datetime as dt
import smtplib

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from bookings import notifications, selectors
from bookings.links import absolute
from bookings.models import AnswerDigest, Booking, Occurrence, Participant

KIND = "answers"
# A digest of a long series shows its first meetings; the page has the rest.
MEETINGS_SHOWN = 5
# Digests handled in one run; the rest wait a minute.
BATCH = 200

S = Occurrence.Status
R = Participant.Response


@dataclasses.dataclass(frozen=True)
class DigestPerson:
    name: str
    role: str
    reason: str
    new: bool  # answered in this digest's window


@dataclasses.dataclass(frozen=True)
class DigestMeeting:
    start: dt.datetime
    end: dt.datetime
    accepted: list[DigestPerson]
    tentative: list[DigestPerson]
    declined: list[DigestPerson]
    needs_action: list[DigestPerson]


def _meeting(who: selectors.WhoComes, since: dt.datetime) -> DigestMeeting:
    def people(response: str) -> list[DigestPerson]:
        return [
            DigestPerson(
                name=selectors.participant_name(p),
                role=p.role,
                reason=p.response_reason,
                new=p.responded_at is not None and p.responded_at >= since,
            )
            for p in who.groups[response]
        ]

    return DigestMeeting(
        start=who.occurrence.start,
        end=who.occurrence.end,
        accepted=people(R.ACCEPTED),
        tentative=people(R.TENTATIVE),
        declined=people(R.DECLINED),
        needs_action=people(R.NEEDS_ACTION),
    )


def digest_email(digest: AnswerDigest, *, now: dt.datetime) -> int:
    """Email `digest` to its booking's organizer, unless nothing is left to tell (its
    meetings cancelled or over meanwhile, the organizer's account closed). Returns the
    emails sent now (0 or 1)."""
    booking = Booking.objects.select_related("room", "organizer").get(pk=digest.booking_id)
    meetings = list(
        Occurrence.objects.filter(
            pk__in=digest.occurrence_ids, booking=booking, status=S.APPROVED, end__gt=now
        ).order_by("start")
    )
    if not meetings or not booking.organizer.is_active:
        return 0
    shown = meetings[:MEETINGS_SHOWN]
    to = notifications.recipient_for(booking.organizer)
    email = notifications.email_render(
        booking=booking,
        kind=KIND,
        occurrences=shown,
        reason="",
        to=to,
        # The organizer reads every answer and reason (secrecy.sees_answers) and the
        # guests' addresses (booking_access): nothing here is cut for them.
        extra={
            "answers": [
                _meeting(selectors.who_comes(occurrence=o), digest.created_at) for o in shown
            ],
            "more_meetings": len(meetings) - len(shown),
            "page_url": absolute(reverse("bookings:meeting", args=[booking.pk])),
        },
    )
    return notifications.email_deliver(
        booking=booking, kind=KIND, key=f"answers-digest:{digest.pk}", to=to, email=email
    )


def _due(now: dt.datetime):
    return AnswerDigest.objects.filter(sent_at__isnull=True, due_at__lte=now).order_by(
        "due_at", "pk"
    )


def _mailed(digest: AnswerDigest, now: dt.datetime) -> int:
    """`digest_email`, where a recipient the mail server refuses is given up on (its
    delivery row stays unsent, the record X-3 reports) rather than retried forever."""
    try:
        return digest_email(digest, now=now)
    except smtplib.SMTPRecipientsRefused:
        return 0


def _one_claimed(now: dt.datetime) -> int | None:
    """Claim, send and mark one due digest; None when no due one is left unclaimed."""
    if not connection.features.has_select_for_update_skip_locked:
        digest = _due(now).first()
        if digest is None:
            return None
        sent = _mailed(digest, now)
        AnswerDigest.objects.filter(pk=digest.pk, sent_at__isnull=True).update(sent_at=now)
        return sent
    with transaction.atomic():
        digest = _due(now).select_for_update(skip_locked=True).first()
        if digest is None:
            return None
        sent = _mailed(digest, now)
        AnswerDigest.objects.filter(pk=digest.pk).update(sent_at=now)
    return sent


def answer_digests_send(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Send the digests due at `now` (at most `batch`); returns the emails sent. A mail
    server that is down stops the run with its error (the row stays due: the next run,
    or the task's retry, sends it)."""
    now = now or timezone.now()
    sent = 0
    for _ in range(batch):
        claimed = _one_claimed(now)
        if claimed is None:
            break
        sent += claimed
    return sent
