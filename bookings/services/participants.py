"""BK-10 to BK-13: who takes part in each approved meeting, and their reminders.

A meeting's participants (`Participant`) are its organizer and the people invited when
it is approved, one row per person and meeting; their reminders (`Reminder`) are one
row per person, meeting and lead time. This module keeps both in step with the
meetings and the invitations:

- approved meetings get their rows (`participants_open`);
- an approved change (BK-5) moves them to the new meetings, with their reminders
  (`participants_move`);
- cancelled meetings and no-shows void their reminders (`participants_close`);
- a person invited to an approved booking joins its meetings still to come, a person
  removed leaves them (`attendees_join`, `attendee_leave`);
- a decline voids that person's reminders of that meeting (`reminders_void`);
- new lead times re-plan the reminders still to send (`reminders_replan`).

Every function runs inside its caller's transaction (the booking's row lock held) and
reads the time once, as `now`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.utils import timezone

from bookings import rules
from bookings.models import Attendee, Booking, Occurrence, Participant, Reminder

S = Occurrence.Status
R = Participant.Response


def lead_times(booking: Booking, policy=None) -> list[int]:
    """The meeting's reminder lead times in minutes, largest first: its own, or the usage
    policy's (BK-12). Values that are not positive whole numbers are ignored (the forms
    and the API refuse them before they are stored)."""
    text = booking.reminder_lead_minutes.strip()
    if not text:
        return sorted((policy or rules.policy_current()).reminder_leads, reverse=True)
    leads = set()
    for item in text.split(","):
        item = item.strip()
        if item.isdigit() and int(item) > 0:
            leads.add(int(item))
    return sorted(leads, reverse=True)


def _people(
    booking: Booking, attendees: Iterable[Attendee] | None = None, *, organizer: bool = True
) -> list[dict]:
    """The organizer (with `organizer`) and the active invitees with open accounts or as
    guests (`attendees`, or else the booking's), as Participant fields."""
    people = []
    if organizer:
        people.append(
            {
                "user": booking.organizer,
                "attendee": None,
                "email": booking.organizer.email,
                "role": Participant.Role.ORGANIZER,
            }
        )
    if attendees is None:
        attendees = booking.attendees.filter(is_active=True).select_related("user")
    for a in attendees:
        if not a.is_active:
            continue
        if a.user_id is None:
            people.append(
                {"user": None, "attendee": a, "email": a.email, "role": Participant.Role.GUEST}
            )
        elif a.user.is_active and a.user_id != booking.organizer_id:
            people.append(
                {
                    "user": a.user,
                    "attendee": a,
                    "email": a.user.email,
                    "role": Participant.Role.COLLEAGUE,
                }
            )
    return people


def _rows_for(
    booking: Booking, occurrences: Sequence[Occurrence], people: list[dict]
) -> list[Participant]:
    """Create or reactivate the participants of `people` in `occurrences`; returns them
    all (new and reactivated), active."""
    if not occurrences or not people:
        return []
    existing = Participant.objects.filter(occurrence__in=occurrences)
    by_key = {(p.occurrence_id, p.user_id or p.email.lower()): p for p in existing}
    new, again = [], []
    for o in occurrences:
        for person in people:
            key = (o.pk, person["user"].pk if person["user"] else person["email"].lower())
            row = by_key.get(key)
            if row is None:
                new.append(Participant(occurrence=o, booking=booking, **person))
            elif not row.is_active:
                row.is_active = True
                row.attendee = person["attendee"]
                again.append(row)
    Participant.objects.bulk_update(again, ["is_active", "attendee"])
    created = Participant.objects.bulk_create(new)
    return [*created, *again]


def participants_open(
    *,
    booking: Booking,
    occurrences: Sequence[Occurrence],
    attendees: Sequence[Attendee] | None = None,
    now: dt.datetime | None = None,
) -> list[Participant]:
    """Meetings of `booking` just approved: their organizer and active invitees become
    participants, and their reminders are planned; the organizer has accepted their own
    meeting. `attendees`: the booking's invitees, when the caller has just written them
    (a request approved by the usage policy). Returns the participants written."""
    approved = [o for o in occurrences if o.status == S.APPROVED]
    rows = _rows_for(booking, approved, _people(booking, attendees))
    organizer_rows = [p for p in rows if p.role == Participant.Role.ORGANIZER]
    if organizer_rows:
        Participant.objects.filter(pk__in=[p.pk for p in organizer_rows]).update(
            response=R.ACCEPTED
        )
        for p in organizer_rows:
            p.response = R.ACCEPTED
    reminders_plan(participants=rows, booking=booking, now=now)
    return rows


def participants_move(
    *,
    booking: Booking,
    moves: Sequence[tuple[Occurrence, Occurrence]],
    time_moved: bool,
    now: dt.datetime | None = None,
) -> list[Participant]:
    """An approved change replaced each old meeting by its new one (`moves`: old, new):
    the old meeting's participants move to the new one. When the time moved, the
    invitees' answers no longer hold and go back to "not answered" (the organizer's
    stays), and the reminders still to send move to the new time; a lead time whose
    moment has passed is voided, one already sent is planned again if its new moment
    is still to come. Returns the participants moved."""
    now = now or timezone.now()
    moved: list[Participant] = []
    for old, new in moves:
        rows = list(Participant.objects.filter(occurrence=old))
        for p in rows:
            p.occurrence = new
            if time_moved and p.role != Participant.Role.ORGANIZER:
                p.response, p.response_reason, p.responded_at = R.NEEDS_ACTION, "", None
        Participant.objects.bulk_update(
            rows, ["occurrence", "response", "response_reason", "responded_at"]
        )
        pending = list(
            Reminder.objects.filter(occurrence=old, sent_at__isnull=True, voided_at__isnull=True)
        )
        for r in pending:
            r.occurrence = new
            r.due_at = new.start - dt.timedelta(minutes=r.lead_minutes)
            if r.due_at <= now:
                r.voided_at = now
        Reminder.objects.bulk_update(pending, ["occurrence", "due_at", "voided_at"])
        moved += rows
    reminders_plan(participants=moved, booking=booking, now=now)
    return moved


def participants_close(*, occurrences: Sequence[Occurrence], now: dt.datetime | None = None) -> int:
    """Meetings cancelled, or become no-shows: their reminders still to send are voided.
    The participants stay, as the record of who was invited. Returns how many
    reminders were voided."""
    return reminders_void(occurrences=occurrences, now=now)


def _future_approved(booking: Booking, now: dt.datetime) -> list[Occurrence]:
    return list(booking.occurrences.filter(status=S.APPROVED, start__gt=now).order_by("start"))


def attendees_join(
    *, booking: Booking, attendees: Sequence[Attendee], now: dt.datetime | None = None
) -> list[Participant]:
    """People just invited to `booking`: they take part in its approved meetings still
    to come, with their reminders. Returns their participant rows."""
    now = now or timezone.now()
    rows = _rows_for(
        booking, _future_approved(booking, now), _people(booking, attendees, organizer=False)
    )
    reminders_plan(participants=rows, booking=booking, now=now)
    return rows


def attendee_leave(
    *, booking: Booking, attendee: Attendee, now: dt.datetime | None = None
) -> list[Participant]:
    """A person removed from `booking`: they leave its meetings still to come (their
    rows turned off, their reminders voided); their part in past meetings stays.
    Returns the rows turned off."""
    now = now or timezone.now()
    rows = list(
        Participant.objects.filter(
            booking=booking, attendee=attendee, is_active=True, occurrence__start__gt=now
        )
    )
    Participant.objects.filter(pk__in=[p.pk for p in rows]).update(is_active=False)
    reminders_void(participants=rows, now=now)
    for p in rows:
        p.is_active = False
    return rows


def reminders_plan(
    *,
    participants: Sequence[Participant],
    booking: Booking,
    now: dt.datetime | None = None,
) -> list[Reminder]:
    """BK-12: a reminder for each of `participants` (active, not declined, in an approved
    meeting) at each of the meeting's lead times whose moment is still to come, unless
    one for that moment is already planned or sent. Returns the reminders created."""
    now = now or timezone.now()
    leads = lead_times(booking)
    eligible = [
        p
        for p in participants
        if p.is_active and p.response != R.DECLINED and p.occurrence.status == S.APPROVED
    ]
    if not eligible or not leads:
        return []
    taken = set(
        Reminder.objects.filter(participant__in=eligible, voided_at__isnull=True).values_list(
            "participant_id", "lead_minutes", "due_at"
        )
    )
    new = []
    for p in eligible:
        for lead in leads:
            due = p.occurrence.start - dt.timedelta(minutes=lead)
            if due <= now or (p.pk, lead, due) in taken:
                continue
            new.append(
                Reminder(participant=p, occurrence=p.occurrence, lead_minutes=lead, due_at=due)
            )
    return Reminder.objects.bulk_create(new, ignore_conflicts=True)


def reminders_void(
    *,
    participants: Sequence[Participant] | None = None,
    occurrences: Sequence[Occurrence] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Void the reminders still to send of `participants`, or of every participant of
    `occurrences`. Returns how many were voided."""
    now = now or timezone.now()
    which = Q()
    if participants is not None:
        which &= Q(participant__in=[p.pk for p in participants])
    if occurrences is not None:
        which &= Q(occurrence__in=[o.pk for o in occurrences])
    if participants is None and occurrences is None:
        raise ValueError("Name the participants or the meetings whose reminders to void.")
    return Reminder.objects.filter(which, sent_at__isnull=True, voided_at__isnull=True).update(
        voided_at=now
    )


def reminders_replan(*, booking: Booking, now: dt.datetime | None = None) -> list[Reminder]:
    """BK-12: the booking's lead times changed. In its approved meetings to come, the
    reminders still to send at a lead time no longer listed are voided, and those of
    the new lead times are planned (none again for one already sent). Returns the
    reminders created."""
    now = now or timezone.now()
    meetings = _future_approved(booking, now)
    Reminder.objects.filter(
        occurrence__in=meetings, sent_at__isnull=True, voided_at__isnull=True
    ).exclude(lead_minutes__in=lead_times(booking)).update(voided_at=now)
    people = Participant.objects.filter(occurrence__in=meetings).select_related("occurrence")
    return reminders_plan(participants=list(people), booking=booking, now=now)
