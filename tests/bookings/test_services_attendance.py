"""BK-13: signing in within the window, no-shows that release their room at the end of
the grace period, completed meetings, and the attendance reconciled from the provider's
participant list and the sign-ins."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from bookings import conflicts, selectors, services
from bookings.models import (
    AttendanceReport,
    NotificationDelivery,
    Occurrence,
    Participant,
    Reminder,
)
from bookings.providers import AttendanceRecord, ProviderError, RemoteMeeting
from bookings.services.attendance import (
    SignInClosed,
    meeting_attendance_reconcile,
    meeting_no_show_check,
    meetings_close_due,
    participant_sign_in,
    reconcile,
)
from meetingops.errors import PermissionDeniedError
from oversight.models import AuditEvent
from oversight.no_shows import no_shows_noted_for
from tests.bookings.conftest import at, book
from tests.factories import ProviderFactory, RoomFactory, UsagePolicyFactory, UserFactory

pytestmark = pytest.mark.django_db

START, END = at(2, "17:00"), at(2, "18:00")


class FakeClient:
    """A RemoteClient whose participant list is given (a Tencent-style list), or which
    fails with `error`; it records each call."""

    def __init__(self, records=(), error: ProviderError | None = None) -> None:
        self.records, self.error, self.calls = list(records), error, []

    def participants(self, meeting: RemoteMeeting, *, occurrence_key: str = ""):
        self.calls.append((meeting.remote_id, occurrence_key))
        if self.error is not None:
            raise self.error
        return self.records


def _client(fake):
    return lambda provider: fake


@pytest.fixture
def colleague(db):
    return UserFactory(email="wang.lei@example.com", name="Wang Lei")


@pytest.fixture
def guest_room(db):
    return RoomFactory(name="Jitsi B", capacity=20, allows_external_guests=True)


@pytest.fixture
def tencent_room(db):
    provider = ProviderFactory(name="Tencent Meeting", kind="tencent", base_url="")
    return RoomFactory(
        name="Tencent A", provider=provider, capacity=20, allows_external_guests=True
    )


def _approved(organizer, room, approver, colleague, **extra):
    booking = book(
        organizer,
        room,
        start=START,
        end=END,
        attendee_users=[colleague],
        attendee_emails=["guest@partner.example"],
        **extra,
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


@pytest.fixture
def approved(organizer, guest_room, approver, colleague, policy):
    return _approved(organizer, guest_room, approver, colleague)


@pytest.fixture
def remote(organizer, tencent_room, approver, colleague, policy):
    booking = _approved(organizer, tencent_room, approver, colleague)
    booking.meeting_code = "812345678"
    booking.save(update_fields=["meeting_code"])
    return booking


def _row(booking, email) -> Participant:
    return Participant.objects.get(booking=booking, email=email)


def _meeting(booking) -> Occurrence:
    return booking.occurrences.get()


# -- sign-in ---------------------------------------------------------------------------------


def test_sign_in_opens_fifteen_minutes_before_the_start_and_says_when(approved, colleague):
    row = _row(approved, colleague.email)
    with (
        translation.override("en"),
        time_machine.travel(at(2, "16:44"), tick=False),
        pytest.raises(SignInClosed) as error,
    ):
        participant_sign_in(participant=row, actor=colleague, via="page")

    assert error.value.code == "sign_in_not_open"
    assert "16:45" in error.value.detail
    assert "15 minutes" in error.value.detail
    row.refresh_from_db()
    assert row.signed_in_at is None


def test_a_participant_signs_in_within_the_window_once_and_it_is_audited(approved, colleague):
    row = _row(approved, colleague.email)
    with time_machine.travel(at(2, "16:50"), tick=False):
        participant_sign_in(participant=row, actor=colleague, via="page")
    with time_machine.travel(at(2, "17:20"), tick=False):
        again = participant_sign_in(participant=row, actor=colleague, via="api")

    assert again.signed_in_at == at(2, "16:50")
    assert again.sign_in_via == "page"
    events = AuditEvent.objects.filter(action="participant.signed_in")
    assert [(e.target_id, e.data["via"]) for e in events] == [(str(row.pk), "page")]
    assert "Quarterly" not in events.get().target_label


def test_sign_in_is_refused_after_the_end(approved, colleague):
    row = _row(approved, colleague.email)
    with time_machine.travel(at(2, "18:00"), tick=False), pytest.raises(SignInClosed):
        participant_sign_in(participant=row, actor=colleague, via="page")


def test_nobody_signs_in_for_someone_else_from_the_page(approved, colleague, organizer):
    row = _row(approved, colleague.email)
    with time_machine.travel(at(2, "16:50"), tick=False), pytest.raises(PermissionDeniedError):
        participant_sign_in(participant=row, actor=organizer, via="page")


def test_a_guest_signs_in_from_the_link_without_an_account(approved):
    row = _row(approved, "guest@partner.example")
    with time_machine.travel(at(2, "17:02"), tick=False):
        participant_sign_in(participant=row, actor=None, via="link")

    row.refresh_from_db()
    assert (row.signed_in_at, row.sign_in_via) == (at(2, "17:02"), "link")


def test_a_cancelled_meeting_cannot_be_signed_in_to(approved, colleague, organizer):
    services.booking_cancel(booking=approved, actor=organizer, reason="Moved online")
    row = _row(approved, colleague.email)
    with time_machine.travel(at(2, "16:50"), tick=False), pytest.raises(SignInClosed):
        participant_sign_in(participant=row, actor=colleague, via="page")


# -- no-shows ---------------------------------------------------------------------------------


def test_at_1711_a_meeting_nobody_opened_is_a_no_show_and_its_room_is_free(
    approved, guest_room, organizer, django_capture_on_commit_callbacks, eager_tasks
):
    occurrence = _meeting(approved)
    with time_machine.travel(at(2, "17:10") - dt.timedelta(seconds=1), tick=False):
        meetings_close_due()
    occurrence.refresh_from_db()
    assert occurrence.status == "approved"  # still in its grace period

    UsagePolicyFactory(min_advance_hours=0)  # so that the rest of the hour can be booked now
    with time_machine.travel(at(2, "17:11"), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            swept = meetings_close_due()
        occurrence.refresh_from_db()
        approved.refresh_from_db()

        assert swept.no_shows == 1
        assert occurrence.status == "no_show"
        assert approved.status == "no_show"
        # BK-13: released from this moment: nothing holds the rest of the hour.
        rest = [(at(2, "17:11"), END)]
        assert conflicts.slot_conflicts(room=guest_room, slots=rest) == {}
        assert guest_room in selectors.room_list_free_for_slot(start=rest[0][0], end=END)
        other = book(UserFactory(), guest_room, start=at(2, "17:15"), end=END)
    assert other.occurrences.get().status == "pending"
    [email] = mail.outbox
    assert email.to == [organizer.email]
    assert "Quarterly review" in email.subject
    assert NotificationDelivery.objects.get(email=organizer.email).kind == "no_show"


def test_a_no_show_voids_reminders_is_audited_and_noted_for_oversight(approved, organizer):
    occurrence = _meeting(approved)
    # A reminder still to send (a late lead time of the meeting's own).
    Reminder.objects.filter(occurrence=occurrence, lead_minutes=15).update(due_at=at(2, "17:30"))
    with time_machine.travel(at(2, "17:11"), tick=False):
        assert meeting_no_show_check(occurrence=occurrence) is True

    assert not Reminder.objects.filter(occurrence=occurrence, sent_at=None, voided_at=None).exists()
    event = AuditEvent.objects.get(action="booking.no_show")
    assert event.data["occurrence"] == occurrence.pk
    assert event.data["basis"] == "sign_in"
    assert event.data["grace_minutes"] == 10
    [note] = no_shows_noted_for(organizer=organizer, since=at(0, "00:00"))
    assert (note.occurrence_id, note.basis, note.start) == (occurrence.pk, "sign_in", START)
    assert no_shows_noted_for(organizer=organizer, since=at(3, "00:00")) == []


def test_the_organizers_sign_in_keeps_the_meeting(approved, organizer):
    with time_machine.travel(at(2, "17:05"), tick=False):
        participant_sign_in(
            participant=_row(approved, organizer.email), actor=organizer, via="page"
        )
    with time_machine.travel(at(2, "17:30"), tick=False):
        assert meetings_close_due().no_shows == 0
    assert _meeting(approved).status == "approved"


def test_an_invitees_sign_in_alone_does_not_keep_the_meeting(approved, colleague):
    with time_machine.travel(at(2, "16:55"), tick=False):
        participant_sign_in(
            participant=_row(approved, colleague.email), actor=colleague, via="page"
        )
    with time_machine.travel(at(2, "17:11"), tick=False):
        meetings_close_due()
    assert _meeting(approved).status == "no_show"


def test_someone_in_the_providers_meeting_keeps_it(remote):
    fake = _client(FakeClient([AttendanceRecord(name="Wang Lei", joined_at=START, left_at=None)]))
    with time_machine.travel(at(2, "17:11"), tick=False):
        assert meetings_close_due(client_for=fake).no_shows == 0
    assert _meeting(remote).status == "approved"


def test_an_empty_provider_meeting_is_a_no_show_by_both(remote):
    fake = FakeClient([])
    with time_machine.travel(at(2, "17:11"), tick=False):
        meetings_close_due(client_for=_client(fake))
    assert _meeting(remote).status == "no_show"
    assert fake.calls == [("812345678", "")]
    assert AuditEvent.objects.get(action="booking.no_show").data["basis"] == "sign_in_and_provider"


def test_when_the_provider_fails_the_sign_in_alone_decides_and_the_audit_says_so(remote):
    fake = FakeClient(error=ProviderError("timed out", transient=True))
    with time_machine.travel(at(2, "17:11"), tick=False):
        meetings_close_due(client_for=_client(fake))
    assert _meeting(remote).status == "no_show"
    event = AuditEvent.objects.get(action="booking.no_show")
    assert event.data["basis"] == "sign_in_provider_failed"
    assert event.data["provider"] == "timed out"


# -- completion --------------------------------------------------------------------------------


def test_a_held_meeting_is_completed_once_its_end_has_passed(approved, organizer):
    with time_machine.travel(at(2, "17:01"), tick=False):
        participant_sign_in(
            participant=_row(approved, organizer.email), actor=organizer, via="page"
        )
    with time_machine.travel(at(2, "17:59"), tick=False):
        assert meetings_close_due().completed == 0
    with time_machine.travel(at(2, "18:00"), tick=False):
        swept = meetings_close_due()
    approved.refresh_from_db()
    assert (swept.completed, _meeting(approved).status, approved.status) == (
        1,
        "completed",
        "completed",
    )
    assert AuditEvent.objects.filter(action="booking.completed").count() == 1


def test_the_sweep_run_twice_moves_and_mails_each_meeting_once(
    approved, django_capture_on_commit_callbacks, eager_tasks
):
    with (
        time_machine.travel(at(2, "18:30"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = meetings_close_due()
        second = meetings_close_due()
    assert (first.no_shows, first.reconciled) == (1, 1)
    assert (second.no_shows, second.completed, second.reconciled) == (0, 0, 0)
    assert NotificationDelivery.objects.filter(kind="no_show", sent_at__isnull=False).count() == 1
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="booking.no_show").count() == 1
    assert AttendanceReport.objects.count() == 1


def test_meetings_approved_before_sign_in_existed_are_completed_not_no_shows(approved):
    Reminder.objects.filter(occurrence__booking=approved).delete()
    Participant.objects.filter(booking=approved).delete()
    with time_machine.travel(at(2, "18:00"), tick=False):
        swept = meetings_close_due()
    assert (swept.no_shows, swept.completed) == (0, 1)


# -- attendance ---------------------------------------------------------------------------------


def _at(hhmm: str) -> dt.datetime:
    return at(2, hhmm)


def test_reconcile_a_tencent_style_list(remote, organizer, colleague):
    """Several stays of one person (two devices overlapping), late, left early, absent,
    and a joiner nobody invited."""
    with time_machine.travel(_at("16:58"), tick=False):
        participant_sign_in(participant=_row(remote, organizer.email), actor=organizer, via="page")
    third = UserFactory(email="li.na@example.com", name="Li Na")
    services.booking_attendees_add(booking=remote, actor=organizer, users=[third], emails=[])
    records = [
        # The organizer: by userid (the mailbox name), on a laptop, then a phone too.
        AttendanceRecord(
            name="O.", user_key="organizer", joined_at=_at("16:58"), left_at=_at("17:30")
        ),
        AttendanceRecord(
            name="O. phone", user_key="ORGANIZER", joined_at=_at("17:20"), left_at=_at("17:40")
        ),
        AttendanceRecord(name="O.", user_key="organizer", joined_at=_at("17:45"), left_at=None),
        # The colleague, by address: twenty minutes late.
        AttendanceRecord(
            name="WL", email="Wang.Lei@example.com", joined_at=_at("17:20"), left_at=_at("18:05")
        ),
        # A device named by nobody's address, key or name: an unknown joiner.
        AttendanceRecord(name="iPhone", joined_at=_at("17:00"), left_at=_at("17:15")),
        AttendanceRecord(name="iPhone", joined_at=_at("17:30"), left_at=_at("17:40")),
        # Li Na, by name: on time, gone at 17:30.
        AttendanceRecord(name="Li  Na", joined_at=_at("17:03"), left_at=_at("17:30")),
    ]
    fake = FakeClient(records)
    with time_machine.travel(_at("18:00"), tick=False):
        meetings_close_due(client_for=_client(fake))
    occurrence = _meeting(remote)
    assert occurrence.status == "completed"
    with time_machine.travel(_at("18:04"), tick=False):  # not yet: the list comes later
        assert meeting_attendance_reconcile(occurrence=occurrence, client_for=_client(fake)) is None
    with time_machine.travel(_at("18:05"), tick=False):
        report = meeting_attendance_reconcile(occurrence=occurrence, client_for=_client(fake))

    assert report.source == "provider"
    rows = {p.email: p for p in Participant.objects.filter(booking=remote)}
    got = {
        email: (p.attendance, p.minutes_attended, p.joined_at, p.left_at)
        for email, p in rows.items()
    }
    assert got == {
        # 17:00-17:40 merged (laptop and phone), then 17:45-18:00: 55 minutes.
        "organizer@example.com": ("present", 55, _at("16:58"), _at("18:00")),
        "wang.lei@example.com": ("late", 40, _at("17:20"), _at("18:05")),
        "guest@partner.example": ("absent", 0, None, None),
        "li.na@example.com": ("left_early", 27, _at("17:03"), _at("17:30")),
    }
    assert report.unknown_joiners == [
        {
            "name": "iPhone",
            "minutes": 25,
            "joined_at": _at("17:00").isoformat(),
            "left_at": _at("17:40").isoformat(),
        }
    ]
    event = AuditEvent.objects.get(action="booking.attendance_reconciled")
    assert event.data["counts"] == {"present": 1, "late": 1, "absent": 1, "left_early": 1}
    assert event.data["unknown_joiners"] == 1
    assert "iPhone" not in str(event.data)


def test_a_name_two_participants_share_matches_neither():
    class P:
        def __init__(self, pk, email, name):
            self.pk, self.email, self.signed_in_at = pk, email, None
            self.user = type("U", (), {"get_full_name": lambda _self: name})()

    people = [P(1, "a@example.com", "Chen Jie"), P(2, "b@example.com", "Chen Jie")]
    result = reconcile(
        participants=people,
        records=[AttendanceRecord(name="chen jie", joined_at=START, left_at=END)],
        start=START,
        end=END,
    )
    assert [p.attendance for p in result.people] == ["absent", "absent"]
    assert [u.name for u in result.unknown] == ["chen jie"]


def test_without_a_remote_provider_the_sign_ins_alone_say_present_or_absent(
    approved, organizer, colleague
):
    with time_machine.travel(_at("17:05"), tick=False):
        participant_sign_in(
            participant=_row(approved, organizer.email), actor=organizer, via="page"
        )
        participant_sign_in(
            participant=_row(approved, colleague.email), actor=colleague, via="page"
        )
    with time_machine.travel(_at("18:00"), tick=False):
        swept = meetings_close_due()
    assert (swept.completed, swept.reconciled) == (1, 1)
    assert {
        p.email: (p.attendance, p.minutes_attended)
        for p in Participant.objects.filter(booking=approved)
    } == {
        "organizer@example.com": ("present", None),
        "wang.lei@example.com": ("present", None),
        "guest@partner.example": ("absent", None),
    }
    assert AttendanceReport.objects.get().source == "sign_in"


def test_a_provider_list_not_ready_is_asked_again_then_the_sign_ins_decide(remote, organizer):
    with time_machine.travel(_at("17:00"), tick=False):
        participant_sign_in(participant=_row(remote, organizer.email), actor=organizer, via="page")
    failing = FakeClient(error=ProviderError("report not ready", transient=True))
    with time_machine.travel(_at("18:10"), tick=False):
        swept = meetings_close_due(client_for=_client(failing))
    assert (swept.completed, swept.reconciled) == (1, 0)
    with time_machine.travel(_at("18:10") + dt.timedelta(days=1), tick=False):
        assert meetings_close_due(client_for=_client(failing)).reconciled == 1
    report = AttendanceReport.objects.get()
    assert (report.source, report.provider_error) == ("provider_failed", "report not ready")
    assert _row(remote, organizer.email).attendance == "present"


def test_one_no_show_in_a_series_leaves_the_others_approved(
    organizer, guest_room, approver, policy
):
    series = book(
        organizer, guest_room, start=START, end=END, recurrence_rule={"freq": "weekly", "count": 3}
    )
    services.booking_approve(booking=series, actor=approver)
    with time_machine.travel(at(2, "17:11"), tick=False):
        assert meetings_close_due().no_shows == 1
    series.refresh_from_db()
    statuses = list(series.occurrences.order_by("start").values_list("status", flat=True))
    assert statuses == ["no_show", "approved", "approved"]
    assert series.status == "approved"
