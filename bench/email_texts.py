"""Print every booking email's subject and plain-text body, for each kind, audience and
language, so that a change to how emails are built can be shown not to change what
they say: run it before and after, and diff the two outputs.

    .venv/bin/python bench/email_texts.py > before.txt

It runs on a throwaway test database (in memory on SQLite; test_<name> on PostgreSQL
when DATABASE_URL names one), creates its own people, rooms and bookings at fixed
times, and sends each notification through `bookings.notifications.booking_notify`
into Django's in-memory outbox. Nothing it prints depends on ids or on the clock.

For each kind, each meeting (plain, and confidential), and each language (English and
Chinese; the company's language follows it, so that an external guest reads it too),
it prints one block per email with the recipient's role, language and time zone:
the organizer, an invitee, an external guest, an approver through the Approvers group,
an approver by a permission of their own (who does not oversee bookings), and a
superuser.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import zoneinfo
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

# The reason each kind's service passes along (an approver's note, a cancellation's reason).
REASONS = {
    "rejected": "The room desk is busy; try Thursday",
    "cancelled": "Client postponed <again> & again",
    "change_approved": "Room desk: moved as asked",
    "change_rejected": "No larger room that day",
}
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LANGUAGES = {"en": "Europe/Berlin", "zh-hans": "Asia/Shanghai"}
INVITEE_ZONES = {"en": "America/New_York", "zh-hans": "Asia/Tokyo"}


def _slot(day: int, hour: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(2026, 12, day, hour, 0, tzinfo=SHANGHAI)
    return start, start + dt.timedelta(hours=1)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetingops.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["TIME_ZONE"] = "Asia/Shanghai"
    import django

    django.setup()

    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the locmem mail backend, and mail.outbox
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        for block in _emails():
            print(block)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _emails():
    from django.contrib.auth.models import Group, Permission
    from django.core import mail
    from django.test.utils import override_settings

    from bookings.models import Attendee, Booking, Occurrence, Provider, Room
    from bookings.notifications import booking_notify
    from security.models import User

    provider = Provider.objects.create(
        name="Jitsi", kind="jitsi", base_url="https://meet.example.com"
    )
    room = Room.objects.create(
        name="Tencent Guests", provider=provider, capacity=10, allows_external_guests=True
    )
    approvers = Group.objects.get(name="Approvers")
    approve = Permission.objects.get(codename="approve_booking")
    roles: dict[str, str] = {}

    def person(role: str, email: str, language: str, zone: str, **extra) -> User:
        user = User.objects.create_user(
            email, name=f"{role.title()} {language}", language=language, time_zone=zone, **extra
        )
        roles[email] = f"{role} ({language}, {zone})"
        return user

    people = {}
    for language, zone in LANGUAGES.items():
        people[language] = {
            "organizer": person("organizer", f"organizer-{language}@example.com", language, zone),
            "invitee": person(
                "invitee", f"invitee-{language}@example.com", language, INVITEE_ZONES[language]
            ),
        }
        person("approver by group", f"approver-{language}@example.com", language, zone).groups.add(
            approvers
        )
        person(
            "approver by own permission", f"approver-own-{language}@example.com", language, zone
        ).user_permissions.add(approve)
        person("superuser", f"superuser-{language}@example.com", language, zone, is_superuser=True)

    from bookings.notifications import KINDS  # every kind that has its templates

    for kind in KINDS:
        for confidential in (False, True):
            for language in LANGUAGES:
                roles[f"guest-{language}@partner.example"] = f"external guest ({language})"
                organizer = people[language]["organizer"]
                first, second = _slot(9, 10), _slot(16, 14)
                status = "pending" if kind in ("requested", "changed") else "approved"
                booking = Booking.objects.create(
                    organizer=organizer,
                    room=room,
                    topic="Merger talks" if confidential else "Quarterly review & <plans>",
                    expected_headcount=3,
                    confidential=confidential,
                    status=status,
                    join_url="https://meet.example.com/quarterly-review",
                    first_start=first[0],
                )
                for start, end in (first, second):
                    Occurrence.objects.create(
                        booking=booking,
                        room=room,
                        start=start,
                        end=end,
                        occupied_from=start,
                        status=status,
                        topic=booking.topic,
                        confidential=confidential,
                        organizer=organizer,
                    )
                Attendee.objects.create(booking=booking, user=people[language]["invitee"])
                Attendee.objects.create(booking=booking, email=f"guest-{language}@partner.example")
                mail.outbox = []
                with override_settings(LANGUAGE_CODE=language):
                    booking_notify(
                        booking_id=booking.pk,
                        kind=kind,
                        reason=REASONS.get(kind, ""),
                        key=f"{kind}-{confidential}-{language}",
                    )
                # Done with: its slot is free for the next booking (PostgreSQL's
                # exclusion constraint would refuse a second meeting in it).
                booking.occurrences.update(status="completed")
                meeting = "confidential" if confidential else "plain"
                for message in sorted(mail.outbox, key=lambda m: roles[m.to[0]]):
                    yield (
                        f"=== {kind} / {meeting} meeting / organizer {language}"
                        f" → {roles[message.to[0]]}\n"
                        f"Subject: {message.subject}\n\n{message.body}\n"
                    )


if __name__ == "__main__":
    main()
