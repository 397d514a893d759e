"""Emails about a booking's decisions (BK-4, BK-5, BK-6), each in its recipient's
language and time zone. Invitations with .ics come with BK-10.

Each kind of email is three templates under `templates/bookings/email/<kind>/`: the
subject (one line), the plain-text body and the HTML body, sent as one message with the
HTML as its alternative. What a recipient may read of the meeting (SE-5) is decided by
`bookings.secrecy.email_reveals`, asked through `email_reveals` here, and the templates
are given only that: they display, never decide.

Each recipient gets a NotificationDelivery row under the notification's key (the Celery
task id, kept by retries and redeliveries), claimed, sent and marked `sent_at`; a second
run of the same notification mails only the rows still unsent (X-3). A row left unsent
is an email given up on, or one for a person no longer concerned when a retry ran (an
invitee removed meanwhile)."""

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

from bookings import secrecy
from bookings.models import Booking, NotificationDelivery, Occurrence
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
    # BK-13: the organizer's meeting became a no-show (bookings.services.attendance).
    "no_show",
    # BK-17: a Tencent Meeting or Zoom meeting could not be scheduled (the organizer's).
    "provider_failed",
)
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


def person_recipient(user) -> Recipient:
    """A user as a recipient: their address, language and time zone."""
    return _person(user)


def _person(user) -> Recipient:
    return Recipient(
        email=user.email,
        user=user,
        language=user.language or settings.LANGUAGE_CODE,
        zone=user.time_zone or settings.TIME_ZONE,
    )


def recipients(booking: Booking, kind: str, *, moved: bool = True) -> list[Recipient]:
    """Who is told of `kind`, each address once. External guests (BK-1: invited by
    email) have no account: they read the company's language and time zone. An
    approved change that did not move the meeting (`moved` False: a new headcount, say)
    is the organizer's alone."""
    if kind in ("requested", "changed"):
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
    unique: dict[str, Recipient] = {}
    for person in people:
        unique.setdefault(person.email.lower(), person)
    return list(unique.values())


def email_reveals(*, recipient: Recipient, booking: Booking, kind: str) -> EmailReveals:
    """What `recipient` may read of `booking` in a `kind` email: this gathers the
    recipient's facts and `bookings.secrecy.email_reveals` decides (SE-5). The
    permission lookup, then the invitation, are asked only while nothing else decides,
    so an ordinary meeting costs no query."""
    user = recipient.user
    is_organizer = user is not None and user.pk == booking.organizer_id
    undecided = booking.confidential and not is_organizer
    oversees = undecided and user is not None and secrecy.oversees_bookings(user)
    invited = False
    if undecided and not oversees:
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


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


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
) -> RenderedEmail:
    """One `kind` email about `booking` for `to`, in their language and time zone. The
    templates get plain values, already cut to what `email_reveals` allows; `extra`
    adds what a kind shows beside them (the answers of a digest, BK-11), which its
    caller has cut to what `to` may read."""
    reveals = email_reveals(recipient=to, booking=booking, kind=kind)
    with translation.override(to.language), timezone.override(zoneinfo.ZoneInfo(to.zone)):
        context = {
            "topic": booking.topic if reveals.details else _("Confidential meeting"),
            "room": booking.room.name,
            "organizer": booking.organizer.get_full_name(),
            "meetings": [_Meeting(start=o.start, end=o.end) for o in occurrences],
            "reason": reason if reveals.reason else "",
            "join_url": booking.join_url if reveals.join_link else "",
            # BK-17: a Tencent Meeting or Zoom room's link follows from the worker.
            "link_later": kind in ("approved", "change_approved")
            and reveals.details
            and is_organizer_of(to, booking)
            and link_comes_later(booking),
            **(extra or {}),
        }
        folder = f"bookings/email/{kind}"
        return RenderedEmail(
            subject=_one_line(render_to_string(f"{folder}/subject.txt", context)),
            # The templates end their last line; the body ends with its last line.
            text=render_to_string(f"{folder}/body.txt", context).rstrip("\n"),
            html=render_to_string(f"{folder}/body.html", context),
        )


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
) -> int:
    """Send one kind of message about a booking to whoever `key` has not reached yet;
    returns how many were sent now. `key` names the notification: the same key on a
    second run (a retry, a redelivery, a twin running at once) skips the recipients
    already mailed. `moved`: whether an approved change moved the meeting (only then
    are its attendees told).

    A recipient the mail server refuses does not hold up the others: they are mailed,
    then SMTPRecipientsRefused is raised so that a retry tries the refused ones again.
    Any other error stops the run at once (the server is likely down)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of booking email: {kind!r}")
    key = key or uuid.uuid4().hex
    booking = Booking.objects.select_related("room", "organizer").get(pk=booking_id)
    people = {r.email.lower(): r for r in recipients(booking, kind, moved=moved)}
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
                booking=booking, kind=kind, occurrences=occurrences, reason=reason, to=person
            )
            message = EmailMultiAlternatives(
                email.subject, email.text, None, [person.email], connection=connection
            )
            message.attach_alternative(email.html, "text/html")
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
