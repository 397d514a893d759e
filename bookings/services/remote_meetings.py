"""BK-17: a booking's meeting at a remote provider (Tencent Meeting, Zoom).

The services that approve, move and cancel meetings say what is wanted, inside their
transaction and holding the booking's lock (`remote_meeting_want`,
`remote_meetings_cancel`, called from `bookings.services.lifecycle`): a
`ProviderMeeting` row records it, and the worker is queued on commit. Nothing calls a
provider inside a transaction or a web request.

The worker (`provider_meeting_sync`, the task `bookings.tasks.provider_meeting_sync`)
claims the row, calls the provider, and records the outcome:
- success: the booking gets its join link, meeting ID and password (audited), and the
  invitations that waited for the link go out (`bookings.invitations`);
- a transient failure (network, timeout, 429, 5xx): the attempt is recorded and retried
  with exponential backoff (`retry_delay`), up to `MAX_ATTEMPTS`;
- a failure retrying cannot fix (4xx, credentials missing), or the attempts used up:
  the row is `failed`, shown in admin, IT is told once, and so is the organizer when
  their meeting waits for its link (a failed create); the booking stays approved
  without a link until a retry succeeds (`provider_meeting_retry`, admin's "retry
  now")."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings import links, remote
from bookings.models import Booking, Occurrence, ProviderMeeting
from bookings.providers import (
    MeetingSpec,
    ProviderError,
    RemoteMeeting,
    _meeting_password,
    is_remote,
)
from bookings.services.rows import notify_on_commit
from meetingops.crypto import SecretUnreadable
from meetingops.errors import InvalidTransition
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

logger = logging.getLogger(__name__)

A = ProviderMeeting.Action
St = ProviderMeeting.State

# Five retries after the first attempt: 1, 2, 4, 8 and 16 minutes apart (31 minutes).
MAX_ATTEMPTS = 6
FIRST_DELAY = 60
MAX_DELAY = 3600
# How long a worker's claim on a row lasts: longer than a provider call may take (the
# clients' timeouts), so that a twin delivery does not call out at once.
CLAIM = dt.timedelta(minutes=2)
# How late an attempt must be before the beat's sweep queues it (provider_meetings_due).
SWEEP_GRACE = dt.timedelta(minutes=5)


def retry_delay(attempts: int, *, retry_after: float | None = None) -> int:
    """Seconds before the next attempt after `attempts` failed ones: doubling from a
    minute, at most an hour, and never sooner than the provider asked (Retry-After)."""
    delay = min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)
    if retry_after:
        delay = max(delay, int(retry_after + 0.999))
    return delay


def _queue_on_commit(row: ProviderMeeting) -> None:
    from bookings.tasks import provider_meeting_sync_task

    transaction.on_commit(lambda: provider_meeting_sync_task.delay(meeting_id=row.pk))


def _wish(row: ProviderMeeting, action: str, *, now: dt.datetime) -> None:
    """Record that `action` is wanted of `row` (not saved). A meeting not created yet
    is created with the booking as it then stands; one never created is cancelled
    without a call, unless a worker is creating it right now."""
    if action == A.CANCEL and not row.remote_id and not _claimed(row, now):
        row.state, row.action, row.occurrence_cancels = St.CANCELLED, A.NONE, []
    elif action == A.CANCEL:
        row.state, row.action = St.PENDING, A.CANCEL
    elif row.action != A.CANCEL:
        row.state = St.PENDING
        row.action = A.UPDATE if row.remote_id else A.CREATE
    row.revision += 1
    if row.state == St.PENDING:
        row.attempts, row.failed_at, row.next_attempt_at = 0, None, now


def _claimed(row: ProviderMeeting, now: dt.datetime) -> bool:
    return row.claimed_until is not None and row.claimed_until > now


def remote_meeting_want(*, booking: Booking, update: bool = True) -> ProviderMeeting | None:
    """BK-17: the booking's approved meetings should exist at its room's provider:
    created when there is none, updated (`update`: the time moved, or more meetings of a
    series were approved) when there is. A meeting at another provider (the booking
    moved to another provider's room) is cancelled there. Returns the booking's row at
    its room's provider, None for a manual or Jitsi room. Caller holds the booking's
    lock (bookings.services.lifecycle)."""
    now = timezone.now()
    provider = booking.room.provider
    live = list(booking.provider_meetings.exclude(state=St.CANCELLED).select_for_update())
    for row in live:
        if row.provider_id != provider.pk:
            _wish(row, A.CANCEL, now=now)
            row.save()
            if row.state == St.PENDING:
                _queue_on_commit(row)
    if not is_remote(provider):
        return None
    row = next((r for r in live if r.provider_id == provider.pk), None)
    if row is None:
        row = ProviderMeeting.objects.create(
            booking=booking,
            provider=provider,
            state=St.PENDING,
            action=A.CREATE,
            revision=1,
            password=_meeting_password(booking),
            next_attempt_at=now,
        )
    elif update or row.state == St.FAILED:
        _wish(row, A.UPDATE, now=now)
        row.save()
    else:
        return row
    _queue_on_commit(row)
    return row


def remote_meetings_cancel(*, booking: Booking, occurrences: list[Occurrence]) -> None:
    """BK-6 / BK-17: meetings of `booking` were cancelled: the whole meeting at the
    provider when none of the booking's meetings is left approved, else just those
    meetings of the series (by their start). Caller holds the booking's lock."""
    live = list(booking.provider_meetings.exclude(state=St.CANCELLED).select_for_update())
    if not live:
        return
    now = timezone.now()
    whole = not booking.occurrences.filter(status=Occurrence.Status.APPROVED).exists()
    for row in live:
        if whole:
            _wish(row, A.CANCEL, now=now)
        else:
            starts = [_key(o.start) for o in occurrences]
            row.occurrence_cancels = list(dict.fromkeys([*row.occurrence_cancels, *starts]))
            row.state, row.revision = St.PENDING, row.revision + 1
            row.attempts, row.failed_at, row.next_attempt_at = 0, None, now
        row.save()
        if row.state == St.PENDING:
            _queue_on_commit(row)


def _key(moment: dt.datetime) -> str:
    """A meeting's start as RemoteMeeting.occurrence_keys names it: ISO 8601 in UTC."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _keys_get(keys: dict[str, str], start: str) -> str:
    """The provider's key of the meeting starting at `start`, whichever UTC spelling
    the client used (Z or +00:00)."""
    return keys.get(start) or keys.get(start.replace("Z", "+00:00")) or ""


def meeting_spec(*, booking: Booking, password: str) -> MeetingSpec | None:
    """What the provider is asked to schedule: the booking's approved meetings, in the
    organizer's time zone; None when none is approved."""
    slots = tuple(
        booking.occurrences.filter(status=Occurrence.Status.APPROVED)
        .order_by("start")
        .values_list("start", "end")
    )
    if not slots:
        return None
    return MeetingSpec(
        topic=booking.topic,
        start=slots[0][0],
        end=slots[0][1],
        time_zone=booking.organizer.time_zone or settings.TIME_ZONE,
        password=password,
        agenda=booking.agenda,
        recording_allowed=booking.recording_allowed,
        slots=slots if len(slots) > 1 else (),
        recurrence=booking.recurrence if len(slots) > 1 else {},
    )


def _remote_of(row: ProviderMeeting) -> RemoteMeeting:
    return RemoteMeeting(
        remote_id=row.remote_id,
        join_url=row.join_url,
        code=row.remote_code,
        password=row.password,
        uuid=row.remote_uuid,
        occurrence_keys=dict(row.occurrence_keys),
    )


@dataclass(frozen=True)
class SyncOutcome:
    """What a run of the worker did: `done` (nothing left), `retry` (after `countdown`
    seconds), `failed`, `busy` (another worker holds the row; its run will see any new
    wish), or `idle` (nothing was wanted)."""

    status: str
    countdown: int = 0


@dataclass(frozen=True)
class _Claim:
    row: ProviderMeeting
    action: str
    revision: int
    cancels: tuple[str, ...]
    spec: MeetingSpec | None


def _claim(meeting_id: int, now: dt.datetime) -> _Claim | SyncOutcome:
    with transaction.atomic():
        row = (
            ProviderMeeting.objects.select_for_update()
            .select_related("provider", "booking__organizer")
            .filter(pk=meeting_id)
            .first()
        )
        if row is None or row.state != St.PENDING:  # gone (a restored backup), or in sync
            return SyncOutcome("idle")
        if _claimed(row, now):
            return SyncOutcome("busy")
        row.claimed_until = now + CLAIM
        row.attempts += 1
        row.last_attempt_at = now
        row.save(update_fields=["claimed_until", "attempts", "last_attempt_at", "updated_at"])
        spec = None
        if row.action in (A.CREATE, A.UPDATE):
            spec = meeting_spec(booking=row.booking, password=row.password)
        return _Claim(row, row.action, row.revision, tuple(row.occurrence_cancels), spec)


def provider_meeting_sync(
    *, meeting_id: int, final: bool = False, now: dt.datetime | None = None
) -> SyncOutcome:
    """The worker's run for one ProviderMeeting: claim it, do what is wanted at the
    provider, record the outcome. `final`: no retry will follow (the task's last), so a
    transient failure is reported as a failure. Safe to run twice: a row in sync, or
    claimed by another run, is left alone."""
    now = now or timezone.now()
    claim = _claim(meeting_id, now)
    if isinstance(claim, SyncOutcome):
        return claim
    row = claim.row
    client = None
    try:
        client = remote.provider_client(row.provider)
        current = _remote_of(row)
        if claim.action == A.CANCEL:
            if row.remote_id:
                client.cancel(current)
            _cancelled_record(row.pk, claim.revision)
        elif claim.action in (A.CREATE, A.UPDATE):
            if claim.spec is None:  # nothing approved any more: nothing to schedule
                result = None
            elif claim.action == A.CREATE:
                result = client.create(claim.spec)
            else:
                result = client.update(current, claim.spec)
            current, cancels = _scheduled_record(
                row.pk, claim.revision, claim.action, result, claim.spec
            )
        else:
            cancels = list(claim.cancels)
        for start in cancels if claim.action != A.CANCEL else ():
            key = _keys_get(current.occurrence_keys, start)
            if key:
                client.cancel(current, occurrence_key=key)
            _occurrence_cancel_record(row.pk, start)
    except ProviderError as error:
        return _attempt_failed(row.pk, error=error, final=final)
    except SecretUnreadable:
        # No retry mends it until IT enters the secret again or restores the key.
        problem = ProviderError(
            "The provider account's stored secret cannot be read with any configured "
            "key (ENCRYPTION_KEYS)",
            transient=False,
        )
        return _attempt_failed(row.pk, error=problem, final=True)
    except (KeyError, ValueError) as error:
        # The account or the room is not what a client needs (a provider made manual,
        # a credential missing): no retry mends it until IT does.
        problem = ProviderError(f"{type(error).__name__}: {error}", transient=False)
        return _attempt_failed(row.pk, error=problem, final=True)
    finally:
        if hasattr(client, "close"):
            client.close()  # the HTTP connections it opened
    return _settle(row.pk)


def _locked(meeting_id: int, *, booking_first: bool = False) -> ProviderMeeting:
    """The row, locked. `booking_first`: its booking's row is locked before it, in the
    order the services lock them (booking, then its provider meetings), so that the
    worker and a service never wait on each other in a circle (PostgreSQL)."""
    if booking_first:
        booking_id = ProviderMeeting.objects.values_list("booking_id", flat=True).get(pk=meeting_id)
        Booking.objects.select_for_update().filter(pk=booking_id).first()
    return (
        ProviderMeeting.objects.select_for_update()
        .select_related("provider", "booking__organizer", "booking__room")
        .get(pk=meeting_id)
    )


def _extra_meetings(row: ProviderMeeting, spec: MeetingSpec | None) -> list[str]:
    """BK-8 / BK-17: the meetings of a series the provider scheduled by its rule that
    are none of the booking's own to hold: a date the request skipped as taken, a
    meeting rejected or cancelled. They are cancelled one by one. None are named when
    the provider's keys do not name every approved meeting, as then they cannot be told
    apart safely. A meeting still waiting for its decision is kept."""
    if spec is None or not spec.slots or not row.occurrence_keys:
        return []
    named = {key.replace("+00:00", "Z") for key in row.occurrence_keys}
    approved = {_key(start) for start, _end in spec.slots}
    if not approved <= named:
        return []
    held = {
        _key(start)
        for start in Occurrence.objects.filter(
            booking_id=row.booking_id, status__in=Occurrence.OCCUPYING
        ).values_list("start", flat=True)
    }
    return sorted(named - approved - held)


def _scheduled_record(
    meeting_id: int,
    revision: int,
    action: str,
    result: RemoteMeeting | None,
    spec: MeetingSpec | None,
) -> tuple[RemoteMeeting, list[str]]:
    """The meeting created or updated: kept on the row, and given to the booking when
    it is still in this provider's room. Returns the meeting as now known, and the
    meetings of the series still to cancel at the provider."""
    with transaction.atomic():
        row = _locked(meeting_id, booking_first=result is not None)
        if result is not None:
            row.remote_id = result.remote_id or row.remote_id
            row.remote_uuid = result.uuid or row.remote_uuid
            row.remote_code = result.code or row.remote_code
            row.join_url = result.join_url or row.join_url
            row.password = result.password or row.password
            row.occurrence_keys = dict(result.occurrence_keys) or row.occurrence_keys
            extra = _extra_meetings(row, spec)
            row.occurrence_cancels = list(dict.fromkeys([*row.occurrence_cancels, *extra]))
        if row.revision == revision:
            row.action = A.NONE
        elif row.action == A.CREATE and row.remote_id:
            row.action = A.UPDATE  # a newer wish came while it was being created
        if result is None and not row.remote_id and row.action == A.NONE:
            row.state = St.CANCELLED
        row.save()
        if result is not None:
            _booking_link_give(row)
        return _remote_of(row), list(row.occurrence_cancels)


def _booking_link_give(row: ProviderMeeting) -> None:
    """BK-17: the booking gets the meeting's link, ID and password, audited; the
    invitations that waited for the link go out on commit (BK-10). Caller holds the
    booking's lock, then the row's, inside a transaction."""
    booking = Booking.objects.select_related("room").get(pk=row.booking_id)  # locked first
    if booking.room.provider_id != row.provider_id:
        return  # moved to another provider's room meanwhile: that one gives the link
    new = (row.join_url, row.remote_code, row.password)
    if (booking.join_url, booking.meeting_code, booking.meeting_password) == new:
        return
    arrived = not booking.join_url
    booking.join_url, booking.meeting_code, booking.meeting_password = new
    booking.save(update_fields=["join_url", "meeting_code", "meeting_password", "updated_at"])
    audit.record(
        actor=None,
        action="booking.link_given",
        target=booking,
        data={"provider_meeting": row.pk, "provider": row.provider_id, "first": arrived},
    )
    transaction.on_commit(lambda: _invitations_join_info_arrived(booking.pk))


def _invitations_join_info_arrived(booking_id: int) -> None:
    """BK-10: the invitations that waited for the link (`providers.link_comes_later`)
    go out, from `bookings.invitations` (its owner's module)."""
    try:
        from bookings.invitations import invitations_join_info_arrived
    except ImportError:  # the invitations are not part of this build yet
        return
    invitations_join_info_arrived(booking=Booking.objects.get(pk=booking_id))


def _cancelled_record(meeting_id: int, revision: int) -> None:
    with transaction.atomic():
        row = _locked(meeting_id)
        if row.action == A.CANCEL:
            row.state, row.action, row.occurrence_cancels = St.CANCELLED, A.NONE, []
            row.save()
            audit.record(
                actor=None,
                action="providermeeting.cancelled",
                target=row,
                data={"booking": row.booking_id, "provider": row.provider_id},
            )


def _occurrence_cancel_record(meeting_id: int, start: str) -> None:
    with transaction.atomic():
        row = _locked(meeting_id)
        row.occurrence_cancels = [s for s in row.occurrence_cancels if s != start]
        row.save(update_fields=["occurrence_cancels", "updated_at"])


def _settle(meeting_id: int) -> SyncOutcome:
    """After a successful run: in sync when nothing more is wanted, else queued again
    for what was wished meanwhile."""
    with transaction.atomic():
        row = _locked(meeting_id)
        row.claimed_until = None
        if row.state == St.PENDING and row.action == A.NONE and not row.occurrence_cancels:
            row.state = St.CREATED
            row.last_error, row.next_attempt_at = "", None
        row.save()
        if row.state == St.PENDING:
            # A wish came while this run called out: the row's own run does it.
            row.attempts = 0
            row.save(update_fields=["attempts"])
            _queue_on_commit(row)
    return SyncOutcome("done")


def _error_text(row: ProviderMeeting, error: ProviderError) -> str:
    """The error as admin and IT read it: the provider's status and message, with the
    account's secret blanked should a client ever have echoed it."""
    text = error.message
    if error.status and f"HTTP {error.status}" not in text:
        text = f"HTTP {error.status}: {text}"
    if error.code and error.code not in text:
        text = f"{text} ({error.code})"
    try:
        secret = row.provider.secret()
    except SecretUnreadable:
        secret = ""
    if secret:
        text = text.replace(secret, "•••")
    return text[:500]


def _attempt_failed(meeting_id: int, *, error: ProviderError, final: bool) -> SyncOutcome:
    """Record a failed attempt: retried later when it may pass, else the row fails and
    the organizer and IT are told, once."""
    now = timezone.now()
    with transaction.atomic():
        row = _locked(meeting_id)
        row.claimed_until = None
        row.last_error = _error_text(row, error)
        if error.transient and not final and row.attempts < MAX_ATTEMPTS:
            delay = retry_delay(row.attempts, retry_after=error.retry_after)
            row.next_attempt_at = now + dt.timedelta(seconds=delay)
            row.save()
            logger.warning(
                "Provider meeting %s: attempt %s failed, retry in %ss: %s",
                row.pk,
                row.attempts,
                delay,
                row.last_error,
            )
            return SyncOutcome("retry", countdown=delay)
        row.state, row.failed_at, row.next_attempt_at = St.FAILED, now, None
        row.save()
        logger.error("Provider meeting %s failed: %s", row.pk, row.last_error)
        audit.record(
            actor=None,
            action="providermeeting.failed",
            target=row,
            data={
                "booking": row.booking_id,
                "provider": row.provider_id,
                "action": row.action,
                "attempts": row.attempts,
                "status": error.status,
            },
        )
        _failure_told(row)
    return SyncOutcome("failed")


def _failure_told(row: ProviderMeeting) -> None:
    """The organizer, whose meeting waits for its link, and IT, who can mend it, are
    told on commit (BK-17). A failed move or cancellation leaves the organizer's link as
    it was: it is IT's alone."""
    from bookings.tasks import provider_meeting_alert_task

    if row.action == A.CREATE:
        notify_on_commit("provider_failed", row.booking)
    transaction.on_commit(lambda: provider_meeting_alert_task.delay(meeting_id=row.pk))


# What the failed call was to do, as the IT alert says it ("could not create the
# meeting"); a row with only meetings of a series to cancel was updating it.
_ALERT_VERBS = {
    A.CREATE: gettext_lazy("create"),
    A.UPDATE: gettext_lazy("update"),
    A.CANCEL: gettext_lazy("cancel"),
}


def provider_meeting_alert(*, meeting_id: int) -> int:
    """Mail IT that a provider meeting failed, with what admin shows of it (no topic:
    IT may not see a confidential meeting's). Returns how many were mailed."""
    from django.urls import reverse

    from oversight.services import it_alert_send

    row = ProviderMeeting.objects.select_related("provider").get(pk=meeting_id)
    if row.state != St.FAILED:
        return 0  # retried and mended meanwhile
    path = reverse("admin:bookings_providermeeting_change", args=[row.pk])
    return it_alert_send(
        gettext_lazy("[MeetingOps] %(provider)s could not schedule a meeting"),
        gettext_lazy(
            "%(provider)s could not %(action)s the meeting of booking #%(booking)s "
            "(%(attempts)s attempts).\n\nError: %(error)s\n\nThe booking stays "
            "approved; until this is mended it has no meeting link. Fix the cause (the "
            "provider account's credentials, its licence, the host user), then use "
            "“Retry now”: %(url)s"
        ),
        provider=row.provider.name,
        booking=row.booking_id,
        action=_ALERT_VERBS.get(row.action, _ALERT_VERBS[A.UPDATE]),
        attempts=row.attempts,
        error=row.last_error,
        url=links.absolute(path),
    )


def provider_meeting_retry(*, meeting: ProviderMeeting, actor: User) -> ProviderMeeting:
    """Admin's "retry now": a failed (or waiting) row is tried again at once, with its
    attempts counted afresh. Audited. InvalidTransition for a row in sync or cancelled."""
    with transaction.atomic():
        row = ProviderMeeting.objects.select_for_update().get(pk=meeting.pk)
        if row.state not in (St.FAILED, St.PENDING):
            raise InvalidTransition(
                _("Only a provider meeting that failed or still waits can be retried."),
                code="not_retryable",
            )
        row.state, row.attempts, row.failed_at = St.PENDING, 0, None
        row.next_attempt_at, row.claimed_until = timezone.now(), None
        row.save()
        audit.record(
            actor=actor,
            action="providermeeting.retried",
            target=row,
            data={"booking": row.booking_id, "provider": row.provider_id},
        )
        _queue_on_commit(row)
    return row


def provider_meetings_due(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """The beat's sweep: queue the rows whose attempt is overdue by SWEEP_GRACE and
    that no worker holds (a retry's message lost with a broker, a worker killed while
    it held the row). Returns how many were queued. Those on time are left to their
    own task's retry, so that one failure is not tried twice."""
    from bookings.tasks import provider_meeting_sync_task

    now = now or timezone.now()
    due = list(
        ProviderMeeting.objects.filter(state=St.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        provider_meeting_sync_task.delay(meeting_id=pk)
    return len(due)
