"""BK-13: signing in, no-shows, completed meetings and the attendance of each meeting.

- **Sign-in** (`participant_sign_in`): an active participant of an approved meeting
  signs in within `rules.sign_in_window` (from the policy's `sign_in_opens_minutes`
  before the start until the end) from the meeting page, the API or the reminder's
  signed link. A second sign-in changes nothing.
- **No-show** (`meeting_no_show_check`): when the policy's `no_show_grace_minutes`
  after the start have passed and the organizer has not signed in, the meeting becomes
  a no-show. For a Tencent Meeting or Zoom room the provider's participant list is
  asked too: anyone in it keeps the meeting alive (asked again at each run until the
  organizer signs in or the meeting ends, when it is completed); when the provider
  cannot be reached, the sign-in alone decides, and the audit says so. A
  no-show releases its room at once (it no longer occupies: `Occurrence.OCCUPYING`),
  voids its reminders, tells the organizer by email, is audited, and is noted for
  oversight (`oversight.no_shows.no_show_noted`, where the violations will start).
- **Completion** (`meeting_complete`): an approved meeting whose end has passed, and
  that is not a no-show, is completed.
- **Attendance** (`meeting_attendance_reconcile`): once a meeting has ended, each
  participant is present, late, left early or absent, with minutes attended:
  from the provider's participant list merged with the sign-ins for a Tencent Meeting
  or Zoom room (`reconcile`, a pure function), from the sign-ins alone otherwise.
- **The sweep** (`meetings_close_due`): the every-minute job runs all three for the
  meetings due. Each meeting is moved in its own transaction under its booking's row
  lock, re-checked under the lock, so two workers at once, or a job run twice, move it
  once (on PostgreSQL a booking locked by another worker is skipped until next minute:
  `select_for_update(skip_locked=True)`); the attendance report's one row per meeting
  is the backstop for the reconciliation.

Provider calls are made outside any transaction, never while a row lock is held.

Tolerances (`LATE_AFTER`, `EARLY_BEFORE`): arriving up to five minutes after the start
is on time, leaving up to five minutes before the end is staying to the end; a person
both late and gone early is counted late (their minutes tell the rest). Minutes attended
count the time inside the scheduled slot, each person's stays merged so that two devices
at once count once; someone still in the meeting when the list was read counts until the
end."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bookings import providers, rules
from bookings.models import (
    AttendanceReport,
    Booking,
    Occurrence,
    Participant,
    Provider,
)
from bookings.providers import AttendanceRecord, ProviderError, RemoteClient, RemoteMeeting
from bookings.services import participants as participant_rows
from bookings.services.rows import notify_on_commit
from bookings.services.status import booking_summary_refresh, occurrence_transition
from meetingops.errors import ApplicationError, PermissionDeniedError
from oversight import audit
from oversight.no_shows import no_show_noted

if TYPE_CHECKING:
    from security.models import User

logger = logging.getLogger(__name__)

S = Occurrence.Status
A = Participant.Attendance

VIAS = frozenset({"page", "api", "link"})
LATE_AFTER = dt.timedelta(minutes=5)
EARLY_BEFORE = dt.timedelta(minutes=5)
# Providers publish a meeting's participant list shortly after it ends (Zoom's
# past-meeting report is ready within minutes); a list that cannot be had is asked for
# again each minute for a day, then the sign-ins alone decide.
RECONCILE_AFTER = dt.timedelta(minutes=5)
RECONCILE_GIVE_UP = dt.timedelta(hours=24)
# Meetings moved per kind and per run: one run stays within its minute.
BATCH = 200


class SignInClosed(ApplicationError):
    code = "sign_in_closed"
    status = 409


ClientFor = Callable[[Provider], RemoteClient | None]


def default_client_for(provider: Provider) -> RemoteClient | None:
    """The remote provider's client, from the providers' integration
    (`bookings.remote.provider_client`); None when there is none for it (not a remote
    kind, no credentials set, or the integration not installed)."""
    try:
        from bookings.remote import provider_client  # BK-17's integration
    except ImportError:
        return None
    try:
        return provider_client(provider)
    except (ProviderError, ValueError) as error:
        logger.warning("No client for provider %s: %s", provider.pk, error)
        return None


def _utc_key(moment: dt.datetime) -> str:
    """A meeting's start as RemoteMeeting.occurrence_keys names it: ISO 8601 in UTC."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def remote_meeting_of(occurrence: Occurrence) -> tuple[RemoteMeeting, str] | None:
    """The provider's meeting of `occurrence` and its key within a series, or None when
    the provider has not scheduled it. Read from the booking's live provider meeting
    (`ProviderMeeting`, BK-17's integration) where there is one; otherwise from the
    meeting ID the booking carries."""
    booking = occurrence.booking
    rows = getattr(booking, "provider_meetings", None)
    row = (
        # A live meeting: created, or waiting for its next change (pending again).
        rows.filter(provider_id=occurrence.room.provider_id)
        .exclude(state="cancelled")
        .exclude(remote_id="")
        .order_by("-pk")
        .first()
        if rows is not None
        else None
    )
    if row is not None and row.remote_id:
        keys = dict(row.occurrence_keys)
        start = _utc_key(occurrence.start)
        key = keys.get(start) or keys.get(start.replace("Z", "+00:00")) or ""
        meeting = RemoteMeeting(
            remote_id=row.remote_id,
            join_url=row.join_url,
            code=row.remote_code,
            uuid=row.remote_uuid,
            occurrence_keys=keys,
        )
        return meeting, key
    if not booking.meeting_code:
        return None
    meeting = RemoteMeeting(
        remote_id=booking.meeting_code, join_url=booking.join_url, code=booking.meeting_code
    )
    return meeting, ""


# -- sign-in ------------------------------------------------------------------------------


def _moment(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


def participant_sign_in(
    *, participant: Participant, actor: User | None, via: str, now: dt.datetime | None = None
) -> Participant:
    """BK-13: `participant` signs in to their meeting. `actor`: the signed-in user, who
    must be that participant (`via` "page" or "api"); for the reminder's signed link
    (`via` "link") the link names the person and `actor` may be anyone or no one.
    Refused outside the sign-in window, with when it opens; a second sign-in returns
    the row as it is."""
    if via not in VIAS:
        raise ValueError(f"Unknown sign-in source: {via!r}")
    signed_in = actor is not None and actor.is_authenticated
    if via != "link" and not (signed_in and participant.user_id == actor.pk):
        raise PermissionDeniedError(
            _("Only the person invited can sign in to this meeting."), code="not_participant"
        )
    with transaction.atomic():
        Booking.objects.select_for_update().filter(pk=participant.booking_id).first()
        participant = (
            Participant.objects.select_for_update(of=("self",))
            .select_related("occurrence")
            .get(pk=participant.pk)
        )
        if not participant.is_active:
            raise PermissionDeniedError(
                _("You are no longer invited to this meeting."), code="not_participant"
            )
        if participant.signed_in_at is not None:
            return participant
        occurrence = participant.occurrence
        if occurrence.status != S.APPROVED:
            raise SignInClosed(
                _("This meeting is %(status)s: sign-in is closed.")
                % {"status": S(occurrence.status).label.lower()}
            )
        now = now or timezone.now()
        policy = rules.policy_current()
        opens, closes = rules.sign_in_window(
            start=occurrence.start, end=occurrence.end, policy=policy
        )
        if now < opens:
            raise SignInClosed(
                _(
                    "Sign-in opens at %(opens)s, %(minutes)d minutes before the meeting "
                    "starts. Come back then."
                )
                % {"opens": _moment(opens), "minutes": policy.sign_in_opens_minutes},
                code="sign_in_not_open",
                extra={"opens": opens.isoformat()},
            )
        if now >= closes:
            raise SignInClosed(_("The meeting has ended: sign-in is closed."))
        participant.signed_in_at = now
        participant.sign_in_via = via
        participant.save(update_fields=["signed_in_at", "sign_in_via"])
        audit.record(
            actor=actor if signed_in else None,
            action="participant.signed_in",
            target=participant,
            data={"occurrence": occurrence.pk, "via": via, "role": participant.role},
        )
    return participant


# -- reconciliation (a pure function) ------------------------------------------------------


@dataclass(frozen=True)
class PersonAttendance:
    participant_id: int
    attendance: str
    minutes: int | None
    joined_at: dt.datetime | None
    left_at: dt.datetime | None
    matched_by: str  # "email", "user_key", "name", "" (no provider record)


@dataclass(frozen=True)
class UnknownJoiner:
    name: str
    minutes: int
    joined_at: dt.datetime
    left_at: dt.datetime | None


@dataclass(frozen=True)
class Reconciliation:
    people: list[PersonAttendance]
    unknown: list[UnknownJoiner] = field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _merged_minutes(
    stays: Iterable[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime
) -> int:
    """Whole minutes covered by `stays` inside [start, end), overlaps counted once."""
    clipped = sorted((max(a, start), min(b, end)) for a, b in stays if min(b, end) > max(a, start))
    total = dt.timedelta()
    current: list[dt.datetime] | None = None
    for a, b in clipped:
        if current is None or a > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = [a, b]
        else:
            current[1] = max(current[1], b)
    if current is not None:
        total += current[1] - current[0]
    return int(total.total_seconds() // 60)


def _identity_keys(participant: Participant) -> dict[str, set[str]]:
    """What a provider's record may call this person by: their address; as a provider
    user key, the address or its local part (an enterprise account's userid is often
    the mailbox name); their name."""
    email = participant.email.casefold()
    user = participant.user
    name = _norm(user.get_full_name()) if user is not None else ""
    return {
        "email": {email},
        "user_key": {email, email.split("@", 1)[0]},
        "name": {name} if name else set(),
    }


def reconcile(
    *,
    participants: Sequence[Participant],
    records: Sequence[AttendanceRecord] | None,
    start: dt.datetime,
    end: dt.datetime,
) -> Reconciliation:
    """Each participant's attendance. `records`: the provider's stays, or None when
    the meeting has no provider list (then the sign-ins alone say present or absent).
    A record is matched to a participant by email, then by the provider's user key,
    then by name (a name two participants share matches neither); records that match
    nobody are the unknown joiners, merged by name."""
    if records is None:
        return Reconciliation(
            people=[
                PersonAttendance(
                    participant_id=p.pk,
                    attendance=A.PRESENT if p.signed_in_at else A.ABSENT,
                    minutes=None,
                    joined_at=None,
                    left_at=None,
                    matched_by="",
                )
                for p in participants
            ]
        )
    keys = {p.pk: _identity_keys(p) for p in participants}

    def only(kind: str, value: str) -> int | None:
        # A value two participants share names neither of them: not guessed.
        hits = [pk for pk, k in keys.items() if value in k[kind]]
        return hits[0] if len(hits) == 1 else None

    stays: dict[int, list[AttendanceRecord]] = {p.pk: [] for p in participants}
    matched_by: dict[int, str] = {}
    unknown: dict[str, list[AttendanceRecord]] = {}
    for record in records:
        pk, how = None, ""
        for kind, value in (
            ("email", record.email.casefold()),
            ("user_key", record.user_key.casefold()),
            ("name", _norm(record.name)),
        ):
            if value and (pk := only(kind, value)) is not None:
                how = kind
                break
        if pk is None:
            unknown.setdefault(_norm(record.name) or record.user_key or record.email, []).append(
                record
            )
            continue
        stays[pk].append(record)
        matched_by.setdefault(pk, how)

    people = []
    for p in participants:
        mine = stays[p.pk]
        intervals = [(r.joined_at, r.left_at or end) for r in mine]
        joined = min((r.joined_at for r in mine), default=None)
        left = max((r.left_at or end for r in mine), default=None)
        arrival = min((t for t in (joined, p.signed_in_at) if t is not None), default=None)
        if arrival is None:
            attendance = A.ABSENT
        elif arrival > start + LATE_AFTER:
            attendance = A.LATE
        elif left is not None and left < end - EARLY_BEFORE:
            attendance = A.LEFT_EARLY
        else:
            attendance = A.PRESENT
        people.append(
            PersonAttendance(
                participant_id=p.pk,
                attendance=attendance,
                minutes=_merged_minutes(intervals, start, end)
                if mine
                else (0 if arrival is None else None),
                joined_at=joined,
                left_at=left,
                matched_by=matched_by.get(p.pk, ""),
            )
        )
    return Reconciliation(
        people=people,
        unknown=[
            UnknownJoiner(
                name=records_[0].name or records_[0].user_key or records_[0].email,
                minutes=_merged_minutes(
                    [(r.joined_at, r.left_at or end) for r in records_], start, end
                ),
                joined_at=min(r.joined_at for r in records_),
                left_at=None
                if any(r.left_at is None for r in records_)
                else max(r.left_at for r in records_),
            )
            for records_ in unknown.values()
        ],
    )


# -- moving meetings ------------------------------------------------------------------------


def _booking_lock(booking_id: int) -> Booking | None:
    """The booking row, locked; None when another worker holds it (PostgreSQL: skipped
    until the next run rather than waited for). SQLite serializes writers by itself."""
    rows = Booking.objects.select_related("room__provider", "organizer").filter(pk=booking_id)
    if connection.features.has_select_for_update_skip_locked:
        return rows.select_for_update(skip_locked=True, of=("self",)).first()
    return rows.select_for_update().first()


def _organizer_row(occurrence: Occurrence) -> Participant | None:
    return Participant.objects.filter(
        occurrence=occurrence, role=Participant.Role.ORGANIZER, is_active=True
    ).first()


def _anyone_joined(occurrence: Occurrence, client_for: ClientFor) -> tuple[bool | None, str]:
    """Whether the remote provider reports anyone in the meeting: True, False, or None
    when it cannot say (no client, no meeting scheduled, or its call failed: the
    second value says why)."""
    client = client_for(occurrence.room.provider)
    remote = remote_meeting_of(occurrence)
    if client is None or remote is None:
        return None, "no client" if client is None else "no remote meeting"
    meeting, key = remote
    try:
        records = client.participants(meeting, occurrence_key=key)
    except ProviderError as error:
        logger.warning("Participants of occurrence %s not read: %s", occurrence.pk, error)
        return None, str(error.message)[:200]
    return bool(records), ""


def meeting_no_show_check(
    *,
    occurrence: Occurrence,
    now: dt.datetime | None = None,
    client_for: ClientFor = default_client_for,
) -> bool:
    """BK-13: make `occurrence` a no-show if its grace period has passed and its
    organizer has not signed in (and, in a Tencent Meeting or Zoom room, the provider
    reports nobody in it). Returns whether it became one."""
    return _no_show_step(occurrence, now or timezone.now(), client_for) == _MOVED


# What the no-show check found: not a no-show (yet), made one now, or to decide at the
# next run because another worker holds the booking.
_NOT_NO_SHOW, _MOVED, _SKIPPED = "not", "moved", "skipped"


def _no_show_step(occurrence: Occurrence, now: dt.datetime, client_for: ClientFor) -> str:
    policy = rules.policy_current()
    grace = dt.timedelta(minutes=policy.no_show_grace_minutes)
    if occurrence.status != S.APPROVED or now < occurrence.start + grace:
        return _NOT_NO_SHOW
    organizer = _organizer_row(occurrence)
    if organizer is None or organizer.signed_in_at is not None:
        return _NOT_NO_SHOW  # held; or approved before sign-in existed: nothing to judge by
    basis, provider_note = "sign_in", ""
    if providers.is_remote(occurrence.room.provider):
        joined, why = _anyone_joined(occurrence, client_for)
        if joined:
            return _NOT_NO_SHOW
        if joined is None:
            basis, provider_note = "sign_in_provider_failed", why
        else:
            basis = "sign_in_and_provider"
    with transaction.atomic():
        booking = _booking_lock(occurrence.booking_id)
        if booking is None:
            return _SKIPPED
        occurrence = Occurrence.objects.select_related("room__provider").get(pk=occurrence.pk)
        organizer = _organizer_row(occurrence)
        if (
            occurrence.status != S.APPROVED
            or organizer is None
            or organizer.signed_in_at is not None
        ):
            return _NOT_NO_SHOW
        # BK-13: the room is released once the no-show grace has passed: a no-show no
        # longer occupies it (Occurrence.OCCUPYING, the exclusion constraint's statuses).
        occurrence_transition(occurrence, to=S.NO_SHOW, actor=None, now=now)
        occurrence.save(update_fields=["status"])
        voided = participant_rows.participants_close(occurrences=[occurrence], now=now)
        booking_summary_refresh(booking)
        audit.record(
            actor=None,
            action="booking.no_show",
            target=booking,
            data={
                "occurrence": occurrence.pk,
                "grace_minutes": policy.no_show_grace_minutes,
                "basis": basis,
                **({"provider": provider_note} if provider_note else {}),
                "reminders_voided": voided,
            },
        )
        no_show_noted(
            occurrence=occurrence,
            organizer=booking.organizer,
            booking_id=booking.pk,
            start=occurrence.start,
            grace_minutes=policy.no_show_grace_minutes,
            policy_version=policy.version,
            basis=basis,
        )
        notify_on_commit("no_show", booking, occurrence_ids=[occurrence.pk])
    return _MOVED


def meeting_complete(*, occurrence: Occurrence, now: dt.datetime | None = None) -> bool:
    """An approved meeting whose end has passed is completed. Returns whether it moved.
    The caller has let the no-show check run first."""
    now = now or timezone.now()
    if occurrence.status != S.APPROVED or occurrence.end > now:
        return False
    with transaction.atomic():
        booking = _booking_lock(occurrence.booking_id)
        if booking is None:
            return False
        occurrence = Occurrence.objects.get(pk=occurrence.pk)
        if occurrence.status != S.APPROVED or occurrence.end > now:
            return False
        occurrence_transition(occurrence, to=S.COMPLETED, actor=None, now=now)
        occurrence.save(update_fields=["status"])
        booking_summary_refresh(booking)
        audit.record(
            actor=None,
            action="booking.completed",
            target=booking,
            data={"occurrence": occurrence.pk},
        )
    return True


def meeting_attendance_reconcile(
    *,
    occurrence: Occurrence,
    now: dt.datetime | None = None,
    client_for: ClientFor = default_client_for,
) -> AttendanceReport | None:
    """BK-13: write each participant's attendance of a meeting that has ended
    (completed or a no-show), once. Tencent Meeting and Zoom rooms: from the provider's
    participant list and the sign-ins; a list that cannot be had now is asked for again
    at the next run, for a day, then the sign-ins alone decide and the report says so.
    Other rooms, and no-shows: the sign-ins alone. Returns the report, or None when it
    is not due or is left for a later run."""
    now = now or timezone.now()
    if occurrence.status not in (S.COMPLETED, S.NO_SHOW) or now < occurrence.end:
        return None
    records: list[AttendanceRecord] | None = None
    source, error_text = AttendanceReport.Source.SIGN_IN, ""
    if occurrence.status == S.COMPLETED and providers.is_remote(occurrence.room.provider):
        if now < occurrence.end + RECONCILE_AFTER:
            return None
        client = client_for(occurrence.room.provider)
        remote = remote_meeting_of(occurrence)
        try:
            if client is None or remote is None:
                raise ProviderError(
                    "no client" if client is None else "no remote meeting", transient=True
                )
            records = client.participants(remote[0], occurrence_key=remote[1])
            source = AttendanceReport.Source.PROVIDER
        except ProviderError as error:
            if error.transient and now < occurrence.end + RECONCILE_GIVE_UP:
                logger.info("Attendance of occurrence %s left for later: %s", occurrence.pk, error)
                return None
            source, error_text = AttendanceReport.Source.PROVIDER_FAILED, str(error.message)[:255]
    try:
        with transaction.atomic():
            booking = _booking_lock(occurrence.booking_id)
            if booking is None or AttendanceReport.objects.filter(occurrence=occurrence).exists():
                return None
            people = list(
                Participant.objects.filter(occurrence=occurrence, is_active=True)
                .select_related("user")
                .order_by("pk")
            )
            result = reconcile(
                participants=people, records=records, start=occurrence.start, end=occurrence.end
            )
            by_pk = {p.pk: p for p in people}
            for r in result.people:
                p = by_pk[r.participant_id]
                p.attendance, p.minutes_attended = r.attendance, r.minutes
                p.joined_at, p.left_at = r.joined_at, r.left_at
            Participant.objects.bulk_update(
                people, ["attendance", "minutes_attended", "joined_at", "left_at"]
            )
            report = AttendanceReport.objects.create(
                occurrence=occurrence,
                source=source,
                reconciled_at=now,
                unknown_joiners=[
                    {
                        "name": u.name,
                        "minutes": u.minutes,
                        "joined_at": u.joined_at.isoformat(),
                        "left_at": u.left_at.isoformat() if u.left_at else None,
                    }
                    for u in result.unknown
                ],
                provider_error=error_text,
            )
            counts: dict[str, int] = {}
            for r in result.people:
                counts[r.attendance] = counts.get(r.attendance, 0) + 1
            audit.record(
                actor=None,
                action="booking.attendance_reconciled",
                target=booking,
                data={
                    "occurrence": occurrence.pk,
                    "source": source,
                    "counts": counts,
                    "unknown_joiners": len(result.unknown),
                    **({"provider": error_text} if error_text else {}),
                },
            )
    except IntegrityError:
        return None  # another worker wrote the report first
    return report


# -- the sweep ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Swept:
    no_shows: int
    completed: int
    reconciled: int


def meetings_close_due(
    *, now: dt.datetime | None = None, client_for: ClientFor = default_client_for
) -> Swept:
    """The every-minute job: the approved meetings past their grace with an organizer
    not signed in, and those ended, are each checked for a no-show first, then
    completed if ended and not one; then the attendance due is reconciled."""
    now = now or timezone.now()
    policy = rules.policy_current()
    grace = dt.timedelta(minutes=policy.no_show_grace_minutes)
    unsigned_organizer = Participant.objects.filter(
        occurrence=OuterRef("pk"),
        role=Participant.Role.ORGANIZER,
        is_active=True,
        signed_in_at__isnull=True,
    )
    approved = (
        Occurrence.objects.filter(status=S.APPROVED)
        .alias(has_unsigned=Exists(unsigned_organizer))
        .filter(Q(start__lte=now - grace, has_unsigned=True) | Q(end__lte=now))
        .select_related("room__provider", "booking")
        .order_by("start", "pk")[:BATCH]
    )
    no_shows = completed = 0
    for o in approved:
        step = _no_show_step(o, now, client_for)
        if step == _MOVED:
            no_shows += 1
        elif step == _NOT_NO_SHOW and o.end <= now:
            completed += meeting_complete(occurrence=o, now=now)
    has_people = Participant.objects.filter(occurrence=OuterRef("pk"))
    due = (
        Occurrence.objects.filter(
            status__in=(S.COMPLETED, S.NO_SHOW),
            end__lte=now,
            attendance_report__isnull=True,
        )
        .filter(Exists(has_people))
        .select_related("room__provider", "booking")
        .order_by("end", "pk")[:BATCH]
    )
    reconciled = sum(
        meeting_attendance_reconcile(occurrence=o, now=now, client_for=client_for) is not None
        for o in due
    )
    return Swept(no_shows=no_shows, completed=completed, reconciled=reconciled)
