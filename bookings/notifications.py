"""Emails about a booking (BK-4, BK-5, BK-6) and its invitations (BK-10), each in its
recipient's language and time zone: the one path by which a booking's emails are sent.

Each kind of email is three templates under `templates/bookings/email/<kind>/`: the
subject (one line), the plain-text body and the HTML body, sent as one message with the
HTML as its alternative. What a recipient may read of the meeting (SE-5) is decided by
`bookings.secrecy.email_reveals`, asked through `email_reveals` here, and the templates
are given only that: they display, never decide.

Each recipient gets a NotificationDelivery row under the notification's key (the Celery
task id, kept by retries and redeliveries), claimed, sent and marked `sent_at`; a second
run of the same notification mails only the rows still unsent (X-3). A row left unsent
is an email given up on, or one for a person no longer concerned when a retry ran (an
invitee removed meanwhile).

BK-10: the emails that put the meeting in their reader's calendar carry its iCalendar
(`bookings.ical`) as a `text/calendar; method=...` part beside the text and the HTML,
so that Outlook, Google and Apple show Accept and Decline: `REQUEST` in the
organizer's "approved", an invitee's "invitation", everyone's "change_approved" (the
update) and "updated" (a new topic), and `CANCEL` in "cancelled" and in "uninvited"
(a person removed), for those who were sent the meeting before. Each guest gets an
email of their own, addressed to them alone, whose calendar entry lists no other guest
(000 §3.2.2)."""

from __future__ import annotations

import datetime as dt
import smtplib
import uuid
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bookings import ical, secrecy
from bookings.links import answer_url
from bookings.models import Booking, NotificationDelivery, Occurrence, Participant
from bookings.providers import link_comes_later
from bookings.secrecy import EmailReveals

# Each has its templates in templates/bookings/email/<kind>/.
KINDS = (
    "requested",
    "changed",
    "approved",
    "rejected",
    "cancelled",
    "change_approved",
    "change_rejected",
    "invitation",
    "uninvited",
    "updated",
    # BK-13: the organizer's meeting became a no-show (bookings.services.attendance).
    "no_show",
    # BK-17: a Tencent Meeting or Zoom meeting could not be scheduled (the organizer's).
    "provider_failed",
)
# BK-10: the kinds that carry the meeting's calendar entry, with its iTIP method.
CALENDAR_METHODS = {
    "approved": ical.REQUEST,
    "invitation": ical.REQUEST,
    "updated": ical.REQUEST,
    "change_approved": ical.REQUEST,
    "cancelled": ical.CANCEL,
    "uninvited": ical.CANCEL,
}
# The kinds whose calendar entry put the meeting in its reader's calendar: a CANCEL goes
# only to someone sent one of these before.
_ENTRY_KINDS = ("approved", "invitation", "change_approved", "updated")
# BK-6: attendees are told of a cancellation; BK-5/BK-10: an approved change moves the
# meeting, so they need its new time (its updated .ics comes with BK-10). A decision
# that moves nothing for them (approved, rejected, change_rejected) is the organizer's
# alone: BK-4 names only the organizer, and invitees learn of an approved meeting from
# its invitation (BK-10).
ATTENDEES_TOLD = frozenset({"cancelled", "change_approved"})


@dataclass(frozen=True)
class Recipient:
    email: str
    user: object | None  # None for an external guest
    language: str
    zone: str


def _approvers():
    # Active users holding the permission, through a group or their own, and superusers.
    # (The custom UserManager has no with_perm; Django's permission backend has.)
    return ModelBackend().with_perm("bookings.approve_booking")


def recipient_for(user) -> Recipient:
    """A user as a reader of an email or a calendar entry: their address, language and
    time zone (the company's where they chose none)."""
    return _person(user)


def _person(user) -> Recipient:
    return Recipient(
        email=user.email,
        user=user,
        language=user.language or settings.LANGUAGE_CODE,
        zone=user.time_zone or settings.TIME_ZONE,
    )


def _participant_person(p: Participant) -> Recipient:
    if p.user_id is None:
        return Recipient(p.email, None, settings.LANGUAGE_CODE, settings.TIME_ZONE)
    return _person(p.user)


def _invited(booking: Booking, occurrence_ids, *, active: bool) -> list[Participant]:
    """The invitees (not the organizer) taking part, or no longer (`active` False), in
    `occurrence_ids`, or else in the booking's approved meetings to come."""
    rows = Participant.objects.filter(booking=booking, is_active=active).exclude(
        role=Participant.Role.ORGANIZER
    )
    if occurrence_ids:
        rows = rows.filter(occurrence__in=occurrence_ids)
    else:
        rows = rows.filter(
            occurrence__status=Occurrence.Status.APPROVED, occurrence__end__gt=timezone.now()
        )
    return list(rows.select_related("user").order_by("pk"))


def recipients(
    booking: Booking,
    kind: str,
    *,
    moved: bool = True,
    occurrence_ids=(),
    emails=(),
    organizer: bool = False,
) -> list[Recipient]:
    """Who is told of `kind`, each address once. External guests (BK-1: invited by
    email) have no account: they read the company's language and time zone. An
    approved change that did not move the meeting (`moved` False: a new headcount, say)
    is the organizer's alone. An "invitation" goes to the invitees of `occurrence_ids`
    (or of the meetings to come), with the organizer too when `organizer`; an
    "updated" to those of them sent the entry before; an "uninvited" to the people
    removed from them. `emails`, when given, narrows the recipients to these addresses
    (the people just invited or removed)."""
    if kind in ("invitation", "uninvited", "updated"):
        rows = _invited(booking, occurrence_ids, active=kind != "uninvited")
        people = [_person(booking.organizer)] if organizer else []
        people += [_participant_person(p) for p in rows if p.user_id is None or p.user.is_active]
        if kind in ("uninvited", "updated"):
            # Only those sent the meeting have an entry to take back or to update (not
            # a person whose invitation still waits for a remote link).
            people = [p for p in people if _had_entry(booking, p.email, None)]
    elif kind in ("requested", "changed"):
        people = [_person(u) for u in _approvers() if u.pk != booking.organizer_id]
    else:
        people = [_person(booking.organizer)]
    if kind in ATTENDEES_TOLD and (moved or kind != "change_approved"):
        attendees = booking.attendees.filter(is_active=True).select_related("user")
        for a in attendees.order_by("pk"):
            if a.user_id is None:
                people.append(Recipient(a.email, None, settings.LANGUAGE_CODE, settings.TIME_ZONE))
            elif a.user.is_active:  # a closed account's mailbox is gone
                people.append(_person(a.user))
    wanted = {e.lower() for e in emails}
    unique: dict[str, Recipient] = {}
    for person in people:
        if not wanted or person.email.lower() in wanted:
            unique.setdefault(person.email.lower(), person)
    return list(unique.values())


def email_reveals(*, recipient: Recipient, booking: Booking, kind: str) -> EmailReveals:
    """What `recipient` may read of `booking` in a `kind` email: this gathers the
    recipient's facts and `bookings.secrecy.email_reveals` decides (SE-5). The
    permission lookup is asked only while nothing else decides; whether the recipient
    is invited is asked of everyone but the organizer (the join information is the
    invitees')."""
    user = recipient.user
    is_organizer = user is not None and user.pk == booking.organizer_id
    undecided = booking.confidential and not is_organizer
    oversees = undecided and user is not None and secrecy.oversees_bookings(user)
    invited = False
    if not is_organizer:
        invitation = Q(user=user) if user is not None else Q(email__iexact=recipient.email)
        invited = booking.attendees.filter(invitation, is_active=True).exists()
    return secrecy.email_reveals(
        kind=kind,
        confidential=booking.confidential,
        is_organizer=is_organizer,
        is_invitee=invited,
        oversees=oversees,
        is_external_guest=invited and user is None,
    )


def is_organizer_of(recipient: Recipient, booking: Booking) -> bool:
    return recipient.user is not None and recipient.user.pk == booking.organizer_id


@dataclass(frozen=True)
class _Meeting:
    """A meeting's times, all a template gets of an occurrence (whose copy of the topic
    is not for everyone told); shown in the active time zone."""

    start: dt.datetime
    end: dt.datetime
    # BK-11: the invitee's one-click answers to this meeting, (label, link) each.
    answers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    # BK-10: the calendar entry, with its iTIP method, for the kinds that carry one.
    calendar: bytes | None = None
    method: str = ""


def _answer_labels() -> dict[str, str]:
    """BK-11: the one-click answers an invitation offers, in this order."""
    return {
        Participant.Response.ACCEPTED: _("Accept"),
        Participant.Response.TENTATIVE: _("Tentative"),
        Participant.Response.DECLINED: _("Decline"),
    }


def _reader(to: Recipient, booking: Booking) -> ical.Reader:
    user_id = to.user.pk if to.user is not None else None
    return ical.Reader(
        email=to.email, user_id=user_id, is_organizer=user_id == booking.organizer_id
    )


def _readers_rows(booking: Booking, reader: ical.Reader):
    rows = Participant.objects.filter(booking=booking, is_active=True)
    if reader.user_id is not None:
        return rows.filter(user_id=reader.user_id)
    return rows.filter(user__isnull=True, email__iexact=reader.email)


def _invitation_meetings(booking: Booking, reader: ical.Reader) -> list[_Meeting]:
    """An invitation lists the reader's approved meetings to come, an invitee's each
    with its answer links."""
    rows = (
        _readers_rows(booking, reader)
        .filter(occurrence__status=Occurrence.Status.APPROVED, occurrence__end__gt=timezone.now())
        .select_related("occurrence")
        .order_by("occurrence__start")[:50]
    )
    labels = _answer_labels()
    return [
        _Meeting(
            start=p.occurrence.start,
            end=p.occurrence.end,
            answers=()
            if p.role == Participant.Role.ORGANIZER
            else tuple((label, answer_url(p, r)) for r, label in labels.items()),
        )
        for p in rows
    ]


def _had_entry(booking: Booking, email: str, key: str | None) -> bool:
    """Whether `email` was sent this booking's calendar entry before (a CANCEL means
    nothing to a calendar that never had it)."""
    sent = NotificationDelivery.objects.filter(
        booking=booking, email__iexact=email, kind__in=_ENTRY_KINDS, sent_at__isnull=False
    )
    return sent.exclude(key=key).exists() if key else sent.exists()


def _calendar_for(
    *, booking: Booking, kind: str, to: Recipient, reveals: EmailReveals, cancelled, key
) -> tuple[bytes | None, str]:
    method = CALENDAR_METHODS.get(kind, "")
    if not method:
        return None, ""
    if method == ical.CANCEL and not _had_entry(booking, to.email, key):
        return None, ""
    # The organizer's entry waits, as the invitations do, for a link still to come.
    if kind == "approved" and link_comes_later(booking):
        return None, ""
    text = ical.booking_calendar(
        booking=booking,
        method=method,
        reveals=reveals,
        reader=_reader(to, booking),
        cancelled=cancelled if method == ical.CANCEL else (),
    )
    return (text, method) if text else (None, "")


def _one_line(text: str) -> str:
    """A subject is one header line: a line break in it (a topic stored with CR/LF, say)
    would make Django refuse the whole email (BadHeaderError), so it becomes a space."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def email_render(
    *,
    booking: Booking,
    kind: str,
    occurrences: list[Occurrence],
    reason: str,
    to: Recipient,
    extra: dict | None = None,
    key: str | None = None,
) -> RenderedEmail:
    """One `kind` email about `booking` for `to`, in their language and time zone, with
    its calendar entry for the kinds that carry one. The templates get plain values,
    already cut to what `email_reveals` allows; `extra` adds what a kind shows beside
    them (the answers of a digest, BK-11), which its caller has cut to what `to` may
    read."""
    reveals = email_reveals(recipient=to, booking=booking, kind=kind)
    with translation.override(to.language), timezone.override(zoneinfo.ZoneInfo(to.zone)):
        reader = _reader(to, booking)
        meetings = [_Meeting(start=o.start, end=o.end) for o in occurrences]
        if kind in ("invitation", "updated"):
            meetings = _invitation_meetings(booking, reader) or meetings
        join = reveals.join_link and bool(booking.join_url)
        context = {
            "topic": booking.topic if reveals.details else _("Confidential meeting"),
            "room": booking.room.name,
            "organizer": booking.organizer.get_full_name(),
            "meetings": meetings,
            "reason": reason if reveals.reason else "",
            "join_url": booking.join_url if join else "",
            "meeting_code": booking.meeting_code if join else "",
            "meeting_password": booking.meeting_password if join else "",
            "confidential": booking.confidential,
            "confidentiality_notice": ical.confidentiality_notice() if booking.confidential else "",
            "for_organizer": reader.is_organizer,
            # BK-17: a Tencent Meeting or Zoom room's link follows from the worker.
            "link_later": kind in ("approved", "change_approved")
            and reveals.details
            and is_organizer_of(to, booking)
            and link_comes_later(booking),
            **(extra or {}),
        }
        folder = f"bookings/email/{kind}"
        calendar, method = _calendar_for(
            booking=booking, kind=kind, to=to, reveals=reveals, cancelled=occurrences, key=key
        )
        return RenderedEmail(
            subject=_one_line(render_to_string(f"{folder}/subject.txt", context)),
            # The templates end their last line; the body ends with its last line.
            text=render_to_string(f"{folder}/body.txt", context).rstrip("\n"),
            html=render_to_string(f"{folder}/body.html", context),
            calendar=calendar,
            method=method,
        )


def email_message(email: RenderedEmail, to: str, *, connection=None) -> EmailMultiAlternatives:
    """The message: the text, the HTML as its alternative and, for a calendar entry, a
    `text/calendar; method=...` alternative too (where Outlook and Google look for an
    invitation's Accept and Decline; RFC 6047 §2.4 asks for the method parameter)."""
    message = EmailMultiAlternatives(email.subject, email.text, None, [to], connection=connection)
    message.attach_alternative(email.html, "text/html")
    if email.calendar:
        # Django makes a text/* alternative a MIMEText of the subtype given, so the
        # method parameter rides on it: text/calendar; method=REQUEST; charset="utf-8".
        message.attach_alternative(email.calendar.decode(), f"text/calendar; method={email.method}")
    return message


def _occurrences(booking: Booking, occurrence_ids) -> list[Occurrence]:
    occurrences = Occurrence.objects.filter(booking=booking).order_by("start")
    if occurrence_ids:
        occurrences = occurrences.filter(pk__in=occurrence_ids)
    else:
        # The meetings as they now stand: not a slot replaced by a change, nor one
        # rejected or cancelled earlier, which would give a reader a wrong time.
        occurrences = occurrences.filter(status__in=Occurrence.OCCUPYING)
    return list(occurrences[:50])


def booking_notify(
    *,
    booking_id: int,
    kind: str,
    occurrence_ids=(),
    reason: str = "",
    key: str | None = None,
    moved: bool = True,
    emails=(),
    organizer: bool = False,
) -> int:
    """Send one kind of message about a booking to whoever `key` has not reached yet;
    returns how many were sent now. `key` names the notification: the same key on a
    second run (a retry, a redelivery, a twin running at once) skips the recipients
    already mailed. `moved`: whether an approved change moved the meeting (only then
    are its attendees told). `emails`, `organizer`: who an "invitation" or an
    "uninvited" is for (`recipients`).

    A recipient the mail server refuses does not hold up the others: they are mailed,
    then SMTPRecipientsRefused is raised so that a retry tries the refused ones again.
    Any other error stops the run at once (the server is likely down)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of booking email: {kind!r}")
    key = key or uuid.uuid4().hex
    booking = Booking.objects.select_related("room", "organizer").get(pk=booking_id)
    people = {
        r.email.lower(): r
        for r in recipients(
            booking,
            kind,
            moved=moved,
            occurrence_ids=occurrence_ids,
            emails=emails,
            organizer=organizer,
        )
    }
    # DESIGN "Work in the background": one row per email, with `sent_at` once sent;
    # the rows a first run wrote are the ones every later run of the key works through.
    NotificationDelivery.objects.bulk_create(
        [
            NotificationDelivery(booking=booking, kind=kind, key=key, email=p.email, user=p.user)
            for p in people.values()
        ],
        ignore_conflicts=True,
    )
    unsent = list(NotificationDelivery.objects.filter(key=key, sent_at__isnull=True).order_by("pk"))
    if not unsent:
        return 0
    occurrences = _occurrences(booking, occurrence_ids)
    sent, refused = 0, None
    with get_connection() as connection:
        for delivery in unsent:
            person = people.get(delivery.email.lower())
            if person is None:  # no longer concerned since the first run (left the meeting)
                continue
            email = email_render(
                booking=booking,
                kind=kind,
                occurrences=occurrences,
                reason=reason,
                to=person,
                key=key,
            )
            message = email_message(email, person.email, connection=connection)
            try:
                sent += _send_once(delivery, message)
            except smtplib.SMTPRecipientsRefused as error:
                refused = refused or error
    if refused is not None:
        raise refused
    return sent


def email_deliver(
    *, booking: Booking, kind: str, key: str, to: Recipient, email: RenderedEmail
) -> int:
    """Send one rendered email to `to` under the notification `key`, once: its delivery
    row is written (or found, on a second run of the key), claimed, sent and marked, as
    `booking_notify` does for each of its recipients. Returns 1 when sent now, 0 when
    the key had reached `to` already. For emails whose content their caller builds (the
    organizer's digest of answers, BK-11)."""
    NotificationDelivery.objects.bulk_create(
        [NotificationDelivery(booking=booking, kind=kind, key=key, email=to.email, user=to.user)],
        ignore_conflicts=True,
    )
    delivery = NotificationDelivery.objects.get(key=key, email=to.email)
    if delivery.sent_at is not None:
        return 0
    message = EmailMultiAlternatives(email.subject, email.text, None, [to.email])
    message.attach_alternative(email.html, "text/html")
    return _send_once(delivery, message)


def _send_once(delivery: NotificationDelivery, message: EmailMessage) -> int:
    """Send `message` unless another run has sent it or is sending it: the row is
    claimed with a row lock, skipped when locked, and marked sent before the lock goes.
    SQLite has no row locks, and its lock on the whole database must not wait on a mail
    server: there the row is checked, the mail sent, then marked (the embedded default
    runs one worker, so no twin runs at once). A crash between the send and the mark
    can still repeat one email: SMTP and the database cannot commit together, and one
    email twice beats one never sent."""
    claimable = NotificationDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True)
    if not db_connection.features.has_select_for_update_skip_locked:
        if not claimable.exists():
            return 0
        message.send()
        claimable.update(sent_at=timezone.now())
        return 1
    with transaction.atomic():
        if claimable.select_for_update(skip_locked=True).first() is None:
            return 0
        message.send()
        claimable.update(sent_at=timezone.now())
    return 1
