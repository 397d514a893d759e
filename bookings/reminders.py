"""BK-12: reminders sent exactly once, by the worker.

A reminder is a row (`Reminder`: participant, meeting, lead time, `due_at`, `sent_at`)
planned by `bookings.services.participants`. Every minute the beat queues
`bookings.tasks.reminders_send`, which calls `reminders_send_due`: it claims the rows
due and still to send, and sends each. They are never ETA tasks, which a broker keeps
in a worker's memory and loses or repeats with it.

Exactly once, on PostgreSQL: each row is claimed with `SELECT ... FOR UPDATE SKIP
LOCKED` in its own transaction, marked `sent_at` in that transaction, and the email is
sent last, just before the commit. So

- two workers (or a task delivered twice, or twins queued by the spread below) never
  take the same row: the second skips it while it is locked, and finds it sent after;
- a worker killed mid-batch has committed the mark of every email it sent but the one
  in flight; its transaction dies with its connection, which releases the row's lock,
  and another worker takes the row over. The one email in flight may go twice (SMTP
  and the database cannot commit together: one email twice beats one never sent); its
  Message-ID names the reminder, so mail clients that fold duplicates show it once;
- a mail server that raises rolls back that row's mark: nothing is lost, and the rows
  sent before it stay marked.

SQLite has no row locks, and its lock on the whole database must not wait on a mail
server: there a row is checked, sent, then marked, as `bookings.notifications` does.
The embedded default runs one worker process; its threads take turns here (a process
lock), so two ticks of the beat that overlap cannot send one reminder twice.

A row whose participant has declined or left, or whose meeting is no longer approved
or has ended, is voided, not sent. The email is in the participant's language and time
zone (an external guest's: the company's), with what `bookings.secrecy` lets them read."""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
import threading
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bookings import links, secrecy
from bookings.models import Occurrence, Participant, Reminder

logger = logging.getLogger(__name__)

TEMPLATES = "bookings/email/reminder"
# What a claim reads with the row: all that deciding and rendering need, in one query.
RELATED = (
    "participant__user",
    "occurrence__booking__room",
    "occurrence__booking__organizer",
)
# Rows read at once, with their meetings and people, before each is claimed in turn.
PAGE = 20
# A reminder sent this many minutes off its moment says the time really left.
LATE_MINUTES = 2
# Failed claims (rows another worker holds or has sent) after which a run leaves the
# rest to the workers ahead of it.
MAX_TRIED = 1000
# The embedded default's worker runs tasks in threads of one process (SQLite path).
_SQLITE_TURN = threading.Lock()


@dataclass(frozen=True)
class RemindersSent:
    """What one run did: emails sent, rows voided instead, rows left for a later run
    (their recipient refused by the mail server)."""

    sent: int = 0
    voided: int = 0
    refused: int = 0


def reminders_due(*, now: dt.datetime) -> QuerySet[Reminder]:
    """The rows due by `now` and still to send: the partial index reminder_due_idx."""
    return Reminder.objects.filter(due_at__lte=now, sent_at__isnull=True, voided_at__isnull=True)


def reminders_backlog(*, now: dt.datetime) -> int:
    return reminders_due(now=now).count()


def void_reason(reminder: Reminder, *, now: dt.datetime) -> str | None:
    """Why `reminder` must not be sent (it is voided instead), or None to send it."""
    participant, occurrence = reminder.participant, reminder.occurrence
    if not participant.is_active:
        return "left"
    if participant.response == Participant.Response.DECLINED:
        return "declined"
    if occurrence.status != Occurrence.Status.APPROVED:
        return "not_approved"
    if occurrence.end <= now:
        return "ended"
    return None


@dataclass(frozen=True)
class RenderedReminder:
    to: str
    subject: str
    text: str
    html: str
    message_id: str


def _language_and_zone(participant: Participant) -> tuple[str, str]:
    user = participant.user
    if user is None:  # an external guest: the company's language and time zone
        return settings.LANGUAGE_CODE, settings.TIME_ZONE
    return user.language or settings.LANGUAGE_CODE, user.time_zone or settings.TIME_ZONE


def _starts_in(reminder: Reminder, *, now: dt.datetime) -> int:
    """Minutes from `now` to the meeting's start, as the email says them: the lead time
    when sent on time (within a few minutes), else what is really left (a reminder sent
    late, after the workers were down); 0 once the meeting has started."""
    left = int((reminder.occurrence.start - now).total_seconds() // 60)
    if abs(left - reminder.lead_minutes) <= LATE_MINUTES:
        return reminder.lead_minutes
    return max(left, 0)


def _lead_text(minutes: int) -> str:
    if minutes <= 0:
        return _("now")
    days, rest = divmod(minutes, 1440)
    if not rest:
        return translation.ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
    hours, rest = divmod(minutes, 60)
    if not rest:
        return translation.ngettext("in %(n)d hour", "in %(n)d hours", hours) % {"n": hours}
    return translation.ngettext("in %(n)d minute", "in %(n)d minutes", minutes) % {"n": minutes}


def _message_id(reminder: Reminder) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "meetingops.localhost"
    return f"<reminder.{reminder.pk}@{host}>"


def reminder_render(reminder: Reminder, *, now: dt.datetime | None = None) -> RenderedReminder:
    """The reminder's email for its participant, in their language and time zone,
    with what SE-5 lets them read (`secrecy.reminder_reveals`). Precondition: the row
    comes with RELATED (a claim reads them)."""
    participant, occurrence = reminder.participant, reminder.occurrence
    booking = occurrence.booking
    reveals = secrecy.reminder_reveals(
        confidential=booking.confidential,
        is_organizer=participant.role == Participant.Role.ORGANIZER,
        is_participant=participant.is_active,
        meeting_approved=occurrence.status == Occurrence.Status.APPROVED,
    )
    language, zone = _language_and_zone(participant)
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        join = reveals.join_link
        context = {
            "topic": booking.topic if reveals.details else _("Confidential meeting"),
            "room": booking.room.name,
            "organizer": booking.organizer.get_full_name(),
            "start": occurrence.start,
            "end": occurrence.end,
            "lead": _lead_text(_starts_in(reminder, now=now or timezone.now())),
            "join_url": booking.join_url if join else "",
            "meeting_code": booking.meeting_code if join else "",
            "meeting_password": booking.meeting_password if join else "",
            "sign_in_url": links.sign_in_url(participant),
        }
        subject = get_template(f"{TEMPLATES}/subject.txt").render(context)
        return RenderedReminder(
            # A colleague's address as their account has it now; a guest's as invited.
            to=participant.user.email if participant.user_id else participant.email,
            # One header line: a line break would make Django refuse the email.
            subject=" ".join(subject.split()),
            text=get_template(f"{TEMPLATES}/body.txt").render(context).rstrip("\n"),
            html=get_template(f"{TEMPLATES}/body.html").render(context),
            message_id=_message_id(reminder),
        )


def _message(rendered: RenderedReminder, mail_connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        rendered.subject,
        rendered.text,
        None,
        [rendered.to],
        connection=mail_connection,
        headers={"Message-ID": rendered.message_id},
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def reminders_send_due(
    *, now: dt.datetime | None = None, limit: int | None = None, mail_connection=None
) -> RemindersSent:
    """BK-12: send every reminder due by `now` (the current time when not given) and
    still to send, one row per transaction (see the module's docstring); at most
    `limit` rows. A recipient the mail server refuses leaves its row unsent for the
    next run and does not hold up the others; any other mail error stops the run and
    is raised (the rows sent before it stay marked)."""
    now = now or timezone.now()
    mail_connection = mail_connection or get_connection()
    if db_connection.features.has_select_for_update_skip_locked:
        return _send_locked(now=now, limit=limit, mail_connection=mail_connection)
    if not _SQLITE_TURN.acquire(blocking=False):
        return RemindersSent()  # another thread of this worker is sending them
    try:
        return _send_checked(now=now, limit=limit, mail_connection=mail_connection)
    finally:
        _SQLITE_TURN.release()


def _marked(reminder: Reminder, *, now: dt.datetime, field: str) -> bool:
    """Claim and mark `reminder` in one statement: its row is locked (SKIP LOCKED) if it
    is still as read (due, unsent, not voided, for the same meeting and moment: a change
    moves a row by updating it), and `field` (sent_at, voided_at) set. False when
    another worker holds it or it changed. Caller is in the row's transaction, which
    keeps the lock until it commits."""
    still = (
        reminders_due(now=now)
        .filter(pk=reminder.pk, due_at=reminder.due_at, occurrence_id=reminder.occurrence_id)
        .select_for_update(skip_locked=True)
        .order_by()
        .values("pk")
    )
    return Reminder.objects.filter(pk__in=still).update(**{field: timezone.now()}) == 1


def _send_locked(*, now: dt.datetime, limit: int | None, mail_connection) -> RemindersSent:
    """The PostgreSQL path. The rows are read a page at a time with all that rendering
    needs (one query); then each, in its own transaction, is claimed and marked (one
    statement), rendered, and sent last, just before the commit. The page is shuffled
    so that two workers reading the same page seldom reach for the same row. A row whose
    claim fails (another worker holds or sent it, or it changed since its page was
    read) is left out of the pages that follow; the run ends when no page is left, or
    after MAX_TRIED such rows (the other workers are ahead). The reasons to void a row
    (a decline, a departure, a cancellation) void it in the services' own transactions,
    so the claim sees them.

    The session's commits do not wait for the disk (synchronous_commit off): a mark
    must outlive the worker, which it does once the server has it; only a crash of the
    database server itself could lose the last moment's marks, and so repeat those
    reminders, never lose one. It saves a disk flush per email."""
    sent = voided = 0
    refused: list[int] = []
    tried: set[int] = set()  # claims that failed: another worker's, or changed
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        with mail_connection:
            while limit is None or sent + voided < limit:
                if len(tried) > MAX_TRIED:
                    break  # the others are ahead: let them finish
                page = list(
                    reminders_due(now=now)
                    .exclude(pk__in=[*refused, *tried])
                    .select_related(*RELATED)
                    .order_by("due_at")[:PAGE]
                )
                if not page:
                    break
                random.shuffle(page)
                for reminder in page:
                    if limit is not None and sent + voided >= limit:
                        break
                    try:
                        with transaction.atomic():
                            if void_reason(reminder, now=now) is not None:
                                if _marked(reminder, now=now, field="voided_at"):
                                    voided += 1
                                else:
                                    tried.add(reminder.pk)
                                continue
                            if not _marked(reminder, now=now, field="sent_at"):
                                tried.add(reminder.pk)
                                continue
                            # Rendered under the lock (only what this worker sends), then
                            # sent last: the commit follows at once.
                            _message(reminder_render(reminder), mail_connection).send()
                            sent += 1
                    except smtplib.SMTPRecipientsRefused:
                        logger.warning("Reminder %s refused by the mail server; kept", reminder.pk)
                        refused.append(reminder.pk)
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
    return RemindersSent(sent=sent, voided=voided, refused=len(refused))


def _checked_one(reminder: Reminder, *, now: dt.datetime, mail_connection) -> str:
    """SQLite: void, or send then mark, one row checked still to send; returns "voided"
    or "sent". Caller holds the SQLite turn."""
    rows = Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True, voided_at__isnull=True)
    reason = void_reason(reminder, now=now)
    if reason is not None:
        rows.update(voided_at=timezone.now())
        logger.info("Reminder %s voided: %s", reminder.pk, reason)
        return "voided"
    _message(reminder_render(reminder), mail_connection).send()
    rows.update(sent_at=timezone.now())
    return "sent"


def _send_checked(*, now: dt.datetime, limit: int | None, mail_connection) -> RemindersSent:
    sent = voided = refused = 0
    due = reminders_due(now=now).order_by("due_at").values_list("pk", flat=True)
    ids = list(due[:limit] if limit is not None else due)
    with mail_connection:
        for pk in ids:
            reminder = (
                reminders_due(now=now).select_related(*RELATED).filter(pk=pk).first()
            )  # still to send: not sent by another run meanwhile
            if reminder is None:
                continue
            try:
                if _checked_one(reminder, now=now, mail_connection=mail_connection) == "sent":
                    sent += 1
                else:
                    voided += 1
            except smtplib.SMTPRecipientsRefused:
                logger.warning("Reminder %s refused by the mail server; kept", pk)
                refused += 1
    return RemindersSent(sent=sent, voided=voided, refused=refused)
