"""X-3, BK-4 to BK-6: booking emails, sent by the worker once per recipient however
often the task runs, to the people each decision concerns, in their own language."""

from __future__ import annotations

import smtplib
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from bookings import services
from bookings.models import NotificationDelivery
from bookings.tasks import booking_notify_task
from meetingops.celery import app as celery_app
from tests.bookings.conftest import at, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


class FlakyBackend(EmailBackend):
    """The locmem backend, but the mail server drops the connection on the `fail_at`th
    message once, and refuses the addresses in `refused` every time."""

    fail_at = 0
    refused: frozenset[str] = frozenset()
    attempts = 0
    failures = 0

    def send_messages(self, messages):
        for message in messages:
            type(self).attempts += 1
            if type(self).attempts == self.fail_at:
                type(self).failures += 1
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            if set(message.to) & self.refused:
                type(self).failures += 1
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.fail_at, FlakyBackend.refused = 0, frozenset()
    FlakyBackend.attempts = FlakyBackend.failures = 0
    return FlakyBackend


@pytest.fixture
def eager_retrying_tasks(eager_tasks):
    """Eager, and retried as a worker would: Celery's apply() runs a task's retry at
    once, with the same task id, unless eager errors propagate (then nothing retries)."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


@pytest.fixture
def guest_room(db):
    return RoomFactory(name="Tencent Guests", capacity=10, allows_external_guests=True)


def received() -> Counter:
    """How many emails each address received."""
    return Counter(a for m in mail.outbox for a in m.to)


def with_proposed_move(
    organizer, room, approver, *, invitee=None, day: int = 4, start="15:00", end="16:00"
):
    """An approved meeting with an invitee, and the organizer's change moving it to
    `day` from `start` to `end`, waiting for a decision."""
    booking = book(organizer, room, attendee_users=[invitee or UserFactory()])
    services.booking_approve(booking=booking, actor=approver)
    services.booking_change(
        booking=booking, actor=organizer, start=at(day, start), end=at(day, end)
    )
    return booking


def moved_meeting(organizer, room, approver, *, invitees, guests=(), capture, note="ok"):
    """An approved meeting with invitees, moved by an approved change; returns the
    booking. Only the change's decision runs its on-commit tasks."""
    booking = book(organizer, room, attendee_users=invitees, attendee_emails=guests)
    services.booking_approve(booking=booking, actor=approver)
    services.booking_change(
        booking=booking, actor=organizer, start=at(3, "14:00"), end=at(3, "15:00")
    )
    with capture(execute=True):
        services.booking_approve(booking=booking, actor=approver, note=note)
    return booking


# -- once per recipient ------------------------------------------------------------------


def test_a_retry_after_the_third_recipient_failed_mails_each_recipient_once(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_retrying_tasks, flaky_mail
):
    invitees = [UserFactory(email=f"invitee{n}@example.com") for n in range(4)]
    flaky_mail.fail_at = 3

    moved_meeting(
        organizer, room, approver, invitees=invitees, capture=django_capture_on_commit_callbacks
    )

    assert flaky_mail.failures == 1
    everyone = [organizer.email, *(u.email for u in invitees)]
    assert received() == dict.fromkeys(everyone, 1)
    assert len(mail.outbox) == 5


def test_a_redelivered_notification_mails_nobody_again(organizer, room, approver, eager_tasks):
    invitee = UserFactory()
    booking = book(organizer, room, attendee_users=[invitee])
    services.booking_approve(booking=booking, actor=approver)
    kwargs = {"booking_id": booking.pk, "kind": "cancelled"}

    # acks_late: a worker lost after sending delivers the same message (same id) again.
    booking_notify_task.apply(kwargs=kwargs, task_id="notification-1")
    booking_notify_task.apply(kwargs=kwargs, task_id="notification-1")

    assert received() == {organizer.email: 1, invitee.email: 1}
    assert NotificationDelivery.objects.filter(key="notification-1").count() == 2


def test_the_same_kind_queued_again_is_a_new_notification(organizer, room, approver, eager_tasks):
    booking = book(organizer, room)
    kwargs = {"booking_id": booking.pk, "kind": "approved"}

    booking_notify_task.apply(kwargs=kwargs)
    booking_notify_task.apply(kwargs=kwargs)

    assert received() == {organizer.email: 2}


def test_a_refused_address_does_not_hold_up_the_others_and_is_retried(
    organizer,
    guest_room,
    django_capture_on_commit_callbacks,
    eager_retrying_tasks,
    flaky_mail,
):
    invitee = UserFactory()
    flaky_mail.refused = frozenset({"gone@partner.example"})
    booking = book(
        organizer,
        guest_room,
        attendee_users=[invitee],
        attendee_emails=["gone@partner.example", "guest@partner.example"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer)

    # The first run and its 5 retries each tried the refused address, and only it, again.
    assert flaky_mail.failures == 6
    assert received() == {
        organizer.email: 1,
        invitee.email: 1,
        "guest@partner.example": 1,
    }


# -- who is told -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "invitees_told"),
    [
        ("approved", False),
        ("rejected", False),
        ("change_rejected", False),
        ("change_approved", True),
        ("cancelled", True),
    ],
)
def test_each_decision_is_told_to_the_people_it_concerns(
    organizer, guest_room, eager_tasks, kind, invitees_told
):
    invitee, closed = UserFactory(), UserFactory()
    booking = book(
        organizer, guest_room, attendee_users=[invitee, closed], attendee_emails=["g@x.example"]
    )
    closed.is_active = False
    closed.save(update_fields=["is_active"])

    booking_notify_task.delay(booking_id=booking.pk, kind=kind)

    expected = {organizer.email: 1}
    if invitees_told:
        expected |= {invitee.email: 1, "g@x.example": 1}
    assert received() == expected
    assert all(len(m.to) == 1 for m in mail.outbox)  # no guest sees another's address


def test_invitees_get_the_approved_change_in_their_own_language_and_zone(
    organizer, guest_room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    english = UserFactory(language="en", time_zone="Europe/Berlin")
    chinese = UserFactory(language="zh-hans", time_zone="Asia/Shanghai")

    moved_meeting(
        organizer,
        guest_room,
        approver,
        invitees=[english, chinese],
        guests=["guest@partner.example"],
        capture=django_capture_on_commit_callbacks,
        note="Room desk: moved as asked",
    )

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {
        organizer.email,
        english.email,
        chinese.email,
        "guest@partner.example",
    }
    to_english = by_address[english.email]
    assert to_english.subject == "[MeetingOps] Booking change approved: Quarterly review"
    # Thursday 14:00 in Shanghai is 07:00 in Berlin.
    assert "2026-12-10 07:00–08:00 (CET)" in to_english.body
    assert "Meeting topic: Quarterly review" in to_english.body
    # An external guest has no account: the company's language and zone.
    for person in (chinese.email, "guest@partner.example"):
        assert by_address[person].subject == "[MeetingOps] 预约变更已通过：Quarterly review"
        assert "2026-12-10 14:00–15:00 (CST)" in by_address[person].body
    # The approver's note is the organizer's; the meeting link everyone's (BK-10: the
    # update stands in for the invitation).
    assert "Room desk: moved as asked" in by_address[organizer.email].body
    assert all("Room desk" not in m.body for a, m in by_address.items() if a != organizer.email)
    assert all("https://" in m.body for m in by_address.values())


def test_a_rejected_change_tells_the_organizer_the_time_that_stands(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    booking = with_proposed_move(organizer, room, approver, start="10:00", end="11:00")

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_reject(booking=booking, actor=approver, reason="The desk is busy")

    (message,) = mail.outbox
    assert message.to == [organizer.email]
    assert "2026-12-09 10:00–11:00" in message.body
    assert "2026-12-11" not in message.body  # the slot asked for, and refused
    assert "The desk is busy" in message.body


def test_everyone_told_of_a_cancellation_reads_its_reason(
    organizer, guest_room, django_capture_on_commit_callbacks, eager_tasks
):
    invitee = UserFactory(language="en")
    booking = book(organizer, guest_room, attendee_users=[invitee], attendee_emails=["g@x.example"])

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer, reason="Client postponed")

    assert received() == {organizer.email: 1, invitee.email: 1, "g@x.example": 1}
    assert all("Client postponed" in m.body for m in mail.outbox)


# -- a notification that keeps failing (X-3) --------------------------------------------


def test_a_notification_that_keeps_failing_is_reported_to_it_once(
    organizer,
    guest_room,
    django_capture_on_commit_callbacks,
    eager_retrying_tasks,
    flaky_mail,
    settings,
):
    settings.IT_ALERT_EMAILS = ["it-desk@example.com"]
    settings.LANGUAGE_CODE = "en"
    flaky_mail.refused = frozenset({"gone@partner.example"})
    booking = book(organizer, guest_room, attendee_emails=["gone@partner.example"])

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer)

    assert received() == {organizer.email: 1, "it-desk@example.com": 1}
    (report,) = [m for m in mail.outbox if m.to == ["it-desk@example.com"]]
    assert report.subject == "[MeetingOps] A background job failed: bookings.tasks.booking_notify"
    assert "after 5 retries" in report.body
    assert "gone@partner.example" in report.body


def test_a_notification_that_succeeds_on_retry_is_not_reported(
    organizer, room, django_capture_on_commit_callbacks, eager_retrying_tasks, flaky_mail, settings
):
    settings.IT_ALERT_EMAILS = ["it-desk@example.com"]
    flaky_mail.fail_at = 1  # the first attempt only
    booking = book(organizer, room)

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer)

    assert received() == {organizer.email: 1}


def test_a_refused_address_stays_on_record_as_not_sent(
    organizer, guest_room, django_capture_on_commit_callbacks, eager_retrying_tasks, flaky_mail
):
    flaky_mail.refused = frozenset({"gone@partner.example"})
    booking = book(organizer, guest_room, attendee_emails=["gone@partner.example"])

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer)

    records = dict(NotificationDelivery.objects.values_list("email", "sent_at"))
    assert records[organizer.email] is not None
    assert records["gone@partner.example"] is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_email_another_run_is_sending_is_not_sent_twice(organizer, room):
    """DESIGN: claimed with select_for_update(skip_locked=True), sent once. A twin run
    of the notification (same key) holds one recipient's row while it sends."""
    import threading

    from django.db import connection, transaction

    from bookings.notifications import booking_notify

    invitee = UserFactory()
    booking = book(organizer, room, attendee_users=[invitee])
    for email in (organizer.email, invitee.email):
        NotificationDelivery.objects.create(booking=booking, kind="cancelled", key="k", email=email)
    held, release = threading.Event(), threading.Event()

    def twin() -> None:
        with transaction.atomic():
            NotificationDelivery.objects.select_for_update().get(key="k", email=invitee.email)
            held.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=twin)
    thread.start()
    held.wait(10)
    try:
        sent = booking_notify(booking_id=booking.pk, kind="cancelled", key="k")
    finally:
        release.set()
        thread.join()

    assert sent == 1
    assert received() == {organizer.email: 1}


def test_a_change_that_moves_nothing_is_the_organizers_alone(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    invitee = UserFactory()
    booking = book(organizer, room, attendee_users=[invitee], expected_headcount=3)
    services.booking_approve(booking=booking, actor=approver)
    services.booking_change(booking=booking, actor=organizer, expected_headcount=5)

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(booking=booking, actor=approver)

    assert received() == {organizer.email: 1}


def test_a_cancellation_lists_the_agreed_time_not_a_pending_changes_proposal(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    invitee = UserFactory(language="en")
    booking = with_proposed_move(organizer, room, approver, invitee=invitee)

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer)

    for message in mail.outbox:
        assert "2026-12-09 10:00–11:00" in message.body
        assert "2026-12-11" not in message.body


def test_cancelling_only_a_proposed_move_withdraws_it_and_tells_no_one(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    booking = with_proposed_move(organizer, room, approver)
    proposal = booking.occurrences.get(status="pending")

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer, occurrence=proposal)

    booking.refresh_from_db()
    assert booking.status == "approved"
    assert booking.changes.get().status == "withdrawn"
    assert sorted(booking.occurrences.values_list("status", flat=True)) == [
        "approved",
        "cancelled",
    ]
    assert mail.outbox == []


def test_cancelling_a_meeting_takes_its_proposed_move_along(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    invitee = UserFactory(language="en")
    booking = with_proposed_move(organizer, room, approver, invitee=invitee)
    original = booking.occurrences.get(status="approved")

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=organizer, occurrence=original)

    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.changes.get().status == "withdrawn"
    assert set(booking.occurrences.values_list("status", flat=True)) == {"cancelled"}
    assert received() == {organizer.email: 1, invitee.email: 1}
    assert all("2026-12-11" not in m.body for m in mail.outbox)


def test_cancelling_once_the_meeting_has_begun_drops_its_proposed_move_quietly(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    import time_machine

    booking = with_proposed_move(organizer, room, approver)

    with (
        time_machine.travel(at(2, "10:05"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.booking_cancel(booking=booking, actor=organizer)

    booking.refresh_from_db()
    assert booking.changes.get().status == "withdrawn"
    assert booking.occurrences.get(replaces__isnull=False).status == "cancelled"
    assert booking.occurrences.get(replaces__isnull=True).status == "approved"
    assert mail.outbox == []


@pytest.mark.parametrize("kind", ["requested", "changed"])
def test_a_request_to_decide_is_mailed_to_every_approver_but_its_organizer(kind, eager_tasks):
    from django.contrib.auth.models import Permission

    organizer = UserFactory(groups=["Approvers"])  # approvers book too
    by_group = UserFactory(groups=["Approvers"])
    by_own_permission = UserFactory()
    by_own_permission.user_permissions.add(Permission.objects.get(codename="approve_booking"))
    superuser = UserFactory(is_superuser=True)
    UserFactory(groups=["Approvers"], is_active=False)  # a closed account
    UserFactory()  # an employee
    booking = book(organizer, RoomFactory())

    booking_notify_task.delay(booking_id=booking.pk, kind=kind)

    assert received() == dict.fromkeys(
        [by_group.email, by_own_permission.email, superuser.email], 1
    )
