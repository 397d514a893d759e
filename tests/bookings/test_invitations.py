"""BK-10: on approval every invitee gets one invitation email, in their language and
zone, with the meeting's calendar entry (METHOD:REQUEST) as a text/calendar part; a
change sends the update, a cancellation the CANCEL, a person invited later the
invitation alone, a person removed the CANCEL alone; a room whose link comes later
waits for it. Each .ics is parsed back with icalendar and read field by field."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
import pytest
import time_machine
from dateutil import rrule as dateutil_rrule
from django.core import mail

from bookings import services
from bookings.ical import booking_uid
from bookings.invitations import invitations_join_info_arrived
from bookings.models import Booking, NotificationDelivery, Occurrence, Participant
from tests.bookings.conftest import SHANGHAI, at, book
from tests.factories import ProviderFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

GUESTS = ["ann@partner.example", "bob@other.example"]
UTC = dt.UTC


@pytest.fixture
def guest_room(db):
    return RoomFactory(name="Jitsi Guests", capacity=20, allows_external_guests=True)


@pytest.fixture
def colleague(db):
    return UserFactory(
        email="colleague@example.com",
        name="Carl Colleague",
        language="en",
        time_zone="Europe/Berlin",
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks, eager_tasks):
    """Run a service and the emails it queues on commit, as the worker would."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


def calendar_of(message) -> tuple[str, icalendar.Calendar]:
    """The message's text/calendar part: its Content-Type and the parsed calendar."""
    parts = [(body, mimetype) for body, mimetype in message.alternatives if "calendar" in mimetype]
    assert len(parts) == 1, [m for _b, m in message.alternatives]
    body, mimetype = parts[0]
    return mimetype, icalendar.Calendar.from_ical(body)


def events(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return list(calendar.walk("VEVENT"))


def attendees(event) -> dict[str, dict]:
    lines = event.get("attendee")
    lines = lines if isinstance(lines, list) else [lines] if lines else []
    return {str(a).removeprefix("mailto:"): dict(a.params) for a in lines}


def to(address: str):
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


@pytest.fixture
def approved(run, organizer, guest_room, approver, colleague, policy) -> Booking:
    booking = book(
        organizer,
        guest_room,
        attendee_users=[colleague],
        attendee_emails=GUESTS,
        password_required=True,
    )
    run(services.booking_approve, booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


# -- the invitation ----------------------------------------------------------------------


def test_approval_sends_each_invitee_one_invitation_addressed_to_them_alone(approved, organizer):
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [organizer.email, "colleague@example.com", *GUESTS]
    )
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    kinds = dict(NotificationDelivery.objects.filter(booking=approved).values_list("email", "kind"))
    assert kinds == {
        organizer.email: "approved",
        "colleague@example.com": "invitation",
        **dict.fromkeys(GUESTS, "invitation"),
    }


def test_the_invitation_is_in_the_readers_language_and_zone_with_all_it_needs(approved):
    colleague_mail, guest_mail = to("colleague@example.com"), to(GUESTS[0])
    link, code, password = approved.join_url, approved.meeting_code, approved.meeting_password
    assert password  # password_required

    assert colleague_mail.subject == "[MeetingOps] Invitation: Quarterly review"
    # Wednesday 10:00 in Shanghai is 03:00 in Berlin (the colleague's zone).
    assert "  2026-12-09 03:00–04:00 (CET)" in colleague_mail.body
    # A guest has no account: the company's language (Chinese) and zone.
    assert guest_mail.subject == "[MeetingOps] 会议邀请：Quarterly review"
    assert "2026-12-09 10:00–11:00 (CST)" in guest_mail.body
    for message in (colleague_mail, guest_mail):
        html = message.alternatives[0][0]
        for part in (message.body, html):
            assert link in part
            assert code in part
            assert password in part
            assert "Quarterly review" in part
    for address, message in (("colleague@example.com", colleague_mail), (GUESTS[0], guest_mail)):
        rows = Participant.objects.filter(booking=approved, email=address)
        (participant,) = rows
        for response in ("accepted", "tentative", "declined"):
            assert f"?response={response}" in message.body
        from bookings.links import answer_url

        assert answer_url(participant, "declined") in message.body
        assert answer_url(participant, "accepted") in message.alternatives[0][0]


def test_the_invitations_calendar_entry_field_by_field(approved, organizer):
    mimetype, calendar = calendar_of(to("colleague@example.com"))

    assert mimetype == "text/calendar; method=REQUEST"
    assert calendar["method"] == "REQUEST"
    assert calendar["version"] == "2.0"
    (event,) = events(calendar)
    assert str(event["uid"]) == booking_uid(approved)
    assert event["sequence"] == 0
    assert event.decoded("dtstamp").tzinfo is not None
    assert event.decoded("dtstart") == at(2, "10:00")
    assert event.decoded("dtend") == at(2, "11:00")
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert str(event["organizer"]) == "mailto:organizer@example.com"
    assert event["organizer"].params["CN"] == "Olga Organizer"
    assert str(event["location"]) == approved.join_url
    assert str(event["url"]) == approved.join_url
    description = str(event["description"])
    for value in (approved.join_url, approved.meeting_code, approved.meeting_password):
        assert value in description
    assert str(event["summary"]) == "Quarterly review"
    assert str(event["status"]) == "CONFIRMED"
    people = attendees(event)
    assert people["colleague@example.com"] == {
        "CN": "Carl Colleague",
        "CUTYPE": "INDIVIDUAL",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "TRUE",
    }
    assert people["organizer@example.com"]["ROLE"] == "CHAIR"
    assert people["organizer@example.com"]["PARTSTAT"] == "ACCEPTED"


def test_no_guest_sees_another_guest_and_only_the_organizer_sees_them_all(approved, organizer):
    for guest in GUESTS:
        _mimetype, calendar = calendar_of(to(guest))
        (event,) = events(calendar)
        # The organizer and the guest alone: neither the other guest nor a colleague.
        assert set(attendees(event)) == {"organizer@example.com", guest}
        other = next(g for g in GUESTS if g != guest)
        assert other not in to(guest).body + to(guest).alternatives[0][0]
    _mimetype, calendar = calendar_of(to("colleague@example.com"))
    assert set(attendees(events(calendar)[0])) == {"organizer@example.com", "colleague@example.com"}
    _mimetype, calendar = calendar_of(to(organizer.email))
    assert set(attendees(events(calendar)[0])) == {
        "organizer@example.com",
        "colleague@example.com",
        *GUESTS,
    }


def test_the_answer_an_invitee_gave_is_their_partstat(approved, run, organizer):
    Participant.objects.filter(email="colleague@example.com").update(response="tentative")
    mail.outbox.clear()
    extra = UserFactory(email="late@example.com")
    run(services.booking_attendees_add, booking=approved, actor=organizer, users=[extra])

    _mimetype, calendar = calendar_of(to("late@example.com"))

    people = attendees(events(calendar)[0])
    assert people["colleague@example.com"]["PARTSTAT"] == "TENTATIVE"
    assert people["late@example.com"]["PARTSTAT"] == "NEEDS-ACTION"


def test_the_organizers_approved_email_carries_the_calendar_entry(approved, organizer):
    message = to(organizer.email)
    mimetype, calendar = calendar_of(message)

    assert message.subject.startswith("[MeetingOps] ")
    assert mimetype == "text/calendar; method=REQUEST"
    assert str(events(calendar)[0]["uid"]) == booking_uid(approved)


def test_a_confidential_meeting_carries_the_notice_and_is_private(
    run, organizer, guest_room, approver, colleague, policy
):
    booking = book(
        organizer, guest_room, topic="Merger talks", confidential=True, attendee_users=[colleague]
    )
    run(services.booking_approve, booking=booking, actor=approver)
    message = to("colleague@example.com")

    notice = "This meeting is confidential"
    assert notice in message.body
    assert notice in message.alternatives[0][0]
    _mimetype, calendar = calendar_of(message)
    (event,) = events(calendar)
    assert notice in str(event["description"])
    assert str(event["class"]) == "PRIVATE"
    assert str(event["summary"]) == "Merger talks"  # an invitee may read it


def test_a_meeting_without_confidentiality_has_no_notice(approved):
    assert "confidential" not in to("colleague@example.com").body


# -- updates and cancellations -----------------------------------------------------------


def test_an_approved_change_sends_the_update_same_uid_higher_sequence(
    approved, run, organizer, approver
):
    _m, first = calendar_of(to("colleague@example.com"))
    mail.outbox.clear()
    services.booking_change(
        booking=approved, actor=organizer, start=at(3, "14:00"), end=at(3, "15:00")
    )
    mail.outbox.clear()  # the approvers' "changed"
    run(services.booking_approve, booking=approved, actor=approver)

    # One email each: the change's, carrying the update (no second invitation).
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [organizer.email, "colleague@example.com", *GUESTS]
    )
    message = to("colleague@example.com")
    assert message.subject == "[MeetingOps] Booking change approved: Quarterly review"
    mimetype, update = calendar_of(message)
    assert mimetype == "text/calendar; method=REQUEST"
    (old,), (new,) = events(first), events(update)
    assert new["uid"] == old["uid"]
    assert new["sequence"] == old["sequence"] + 1 == 1
    assert new.decoded("dtstart") == at(3, "14:00")
    # The answers were asked again: the time moved.
    assert attendees(new)["colleague@example.com"]["PARTSTAT"] == "NEEDS-ACTION"
    assert Booking.objects.get(pk=approved.pk).ical_sequence == 1


def test_a_cancellation_carries_the_cancel_of_the_whole_entry(approved, run, organizer):
    _m, first = calendar_of(to("colleague@example.com"))
    mail.outbox.clear()

    run(services.booking_cancel, booking=approved, actor=organizer, reason="Client postponed")

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [organizer.email, "colleague@example.com", *GUESTS]
    )
    for address in ("colleague@example.com", GUESTS[1], organizer.email):
        mimetype, calendar = calendar_of(to(address))
        assert mimetype == "text/calendar; method=CANCEL"
        assert calendar["method"] == "CANCEL"
        (event,) = events(calendar)
        assert event["uid"] == events(first)[0]["uid"]
        assert event["sequence"] == 1
        assert str(event["status"]) == "CANCELLED"
        assert "recurrence-id" not in event
        assert set(attendees(event)) == {address}  # nobody else's address


def test_someone_invited_later_gets_the_invitation_alone(approved, run, organizer):
    mail.outbox.clear()
    late = UserFactory(email="late@example.com", language="en")

    run(services.booking_attendees_add, booking=approved, actor=organizer, users=[late])

    assert [m.to for m in mail.outbox] == [["late@example.com"]]
    _m, calendar = calendar_of(mail.outbox[0])
    (event,) = events(calendar)
    assert event["sequence"] == 0  # the others' entries did not change
    assert attendees(event)["late@example.com"]["PARTSTAT"] == "NEEDS-ACTION"


def test_someone_removed_gets_the_cancel_alone(approved, run, organizer):
    mail.outbox.clear()
    guest = approved.attendees.get(email=GUESTS[0])

    run(services.booking_attendee_remove, booking=approved, actor=organizer, attendee=guest)

    assert [m.to for m in mail.outbox] == [[GUESTS[0]]]
    mimetype, calendar = calendar_of(mail.outbox[0])
    assert mimetype == "text/calendar; method=CANCEL"
    (event,) = events(calendar)
    assert event["sequence"] == 1
    assert set(attendees(event)) == {GUESTS[0]}
    assert Booking.objects.get(pk=approved.pk).ical_sequence == 1


def test_a_retried_invitation_task_mails_nobody_twice(approved):
    from bookings.notifications import booking_notify

    (key,) = set(
        NotificationDelivery.objects.filter(booking=approved, kind="invitation").values_list(
            "key", flat=True
        )
    )
    before = len(mail.outbox)

    sent = booking_notify(booking_id=approved.pk, kind="invitation", key=key)

    assert sent == 0
    assert len(mail.outbox) == before


# -- a link still to come ----------------------------------------------------------------


def test_a_remote_rooms_invitations_wait_for_its_link(run, organizer, approver, colleague, policy):
    tencent = RoomFactory(
        name="Tencent Remote",
        provider=ProviderFactory(name="Tencent Meeting", kind="tencent", base_url=""),
        allows_external_guests=True,
    )
    booking = book(organizer, tencent, attendee_users=[colleague], attendee_emails=GUESTS[:1])
    run(services.booking_approve, booking=booking, actor=approver)

    # The organizer is told of the decision (and, with no provider account set up
    # here, of the provider's failure); nobody is invited without a link.
    assert {m.to[0] for m in mail.outbox} == {organizer.email}
    assert not [a for m in mail.outbox for a in m.alternatives if "calendar" in a[1]]
    assert not NotificationDelivery.objects.filter(booking=booking, kind="invitation").exists()
    assert invitations_join_info_arrived(booking=booking) is False

    mail.outbox.clear()
    Booking.objects.filter(pk=booking.pk).update(
        join_url="https://meeting.tencent.com/dm/abc", meeting_code="123456789"
    )
    assert run(invitations_join_info_arrived, booking=booking) is True

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [organizer.email, colleague.email, GUESTS[0]]
    )
    for message in mail.outbox:
        _m, calendar = calendar_of(message)
        assert str(events(calendar)[0]["location"]) == "https://meeting.tencent.com/dm/abc"
        assert "123456789" in message.body
    assert to(organizer.email).subject == "[MeetingOps] 您的会议及其会议链接：Quarterly review"


# -- a series ----------------------------------------------------------------------------


def _expanded(event, zone) -> list[dt.datetime]:
    """The starts a calendar reads from the master event: its RRULE from DTSTART,
    without its EXDATEs, plus its RDATEs."""
    start = event.decoded("dtstart")
    rule = dateutil_rrule.rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    lines = event.get("exdate") or []
    excluded = {d.dt for line in (lines if isinstance(lines, list) else [lines]) for d in line.dts}
    return [s for s in rule if s not in excluded]


def test_a_weekly_series_across_the_end_of_march_keeps_its_time_for_a_berlin_reader(
    run, organizer, guest_room, approver, policy
):
    berlin = UserFactory(email="berlin@example.com", language="en", time_zone="Europe/Berlin")
    with time_machine.travel(dt.datetime(2027, 3, 8, 9, 0, tzinfo=SHANGHAI), tick=False):
        start = dt.datetime(2027, 3, 17, 10, 0, tzinfo=SHANGHAI)
        booking = services.booking_request(
            organizer=organizer,
            room=guest_room,
            start=start,
            end=start + dt.timedelta(hours=1),
            topic="Weekly sync",
            expected_headcount=3,
            attendee_users=[berlin],
            recurrence_rule={"freq": "weekly", "count": 4},
        ).booking
        run(services.booking_approve, booking=booking, actor=approver)

    message = to("berlin@example.com")
    # 10:00 in Shanghai (no daylight saving) is 03:00 in Berlin in winter and 04:00
    # once Berlin's summer time starts (28 March 2027).
    for line in (
        "2027-03-17 03:00–04:00 (CET)",
        "2027-03-24 03:00–04:00 (CET)",
        "2027-03-31 04:00–05:00 (CEST)",
        "2027-04-07 04:00–05:00 (CEST)",
    ):
        assert f"  {line}" in message.body
    _m, calendar = calendar_of(message)
    (master,) = events(calendar)
    assert master["rrule"]["FREQ"] == ["WEEKLY"]
    assert master["rrule"]["COUNT"] == [4]
    starts = [o.start for o in booking.occurrences.order_by("start")]
    assert [s.astimezone(UTC) for s in _expanded(master, SHANGHAI)] == starts
    berlin_zone = zoneinfo.ZoneInfo("Europe/Berlin")
    assert [s.astimezone(berlin_zone).hour for s in _expanded(master, SHANGHAI)] == [3, 3, 4, 4]


@pytest.fixture
def series(run, organizer, guest_room, approver, colleague, policy) -> Booking:
    booking = book(
        organizer,
        guest_room,
        attendee_users=[colleague],
        attendee_emails=GUESTS[:1],
        recurrence_rule={"freq": "weekly", "count": 4},
    )
    run(services.booking_approve, booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def test_one_cancelled_meeting_of_a_series_cancels_that_one_alone(series, run, organizer):
    _m, first = calendar_of(to("colleague@example.com"))
    (master,) = events(first)
    assert master["rrule"]["COUNT"] == [4]
    assert "exdate" not in master
    third = series.occurrences.order_by("start")[2]
    mail.outbox.clear()

    run(services.booking_cancel, booking=series, actor=organizer, occurrence=third)

    mimetype, cancel = calendar_of(to("colleague@example.com"))
    assert mimetype == "text/calendar; method=CANCEL"
    (event,) = events(cancel)
    assert event["uid"] == master["uid"]
    assert event["sequence"] == 1
    assert event.decoded("recurrence-id") == third.start
    assert set(attendees(event)) == {"colleague@example.com"}
    assert event.decoded("dtstart") == third.start
    assert str(event["status"]) == "CANCELLED"

    # Anyone sent the series afterwards reads it without that meeting.
    mail.outbox.clear()
    run(
        services.booking_attendees_add,
        booking=series,
        actor=organizer,
        users=[UserFactory(email="late@example.com")],
    )
    _m, later = calendar_of(to("late@example.com"))
    (master,) = events(later)
    assert master["sequence"] == 1
    assert [d.dt for d in master["exdate"].dts] == [third.start]
    assert third.start not in _expanded(master, SHANGHAI)
    assert len(_expanded(master, SHANGHAI)) == 3


def test_cancelling_the_rest_of_a_series_cancels_the_whole_entry(series, run, organizer):
    mail.outbox.clear()

    run(services.booking_cancel, booking=series, actor=organizer)

    _m, cancel = calendar_of(to("colleague@example.com"))
    (event,) = events(cancel)
    assert "recurrence-id" not in event
    assert str(event["status"]) == "CANCELLED"
    assert Occurrence.objects.filter(booking=series, status="cancelled").count() == 4


def test_someone_removed_before_the_remote_link_came_is_sent_nothing(
    run, organizer, approver, colleague, policy
):
    tencent = RoomFactory(
        name="Tencent Waiting",
        provider=ProviderFactory(name="Tencent Meeting", kind="tencent", base_url=""),
    )
    booking = book(organizer, tencent, attendee_users=[colleague])
    run(services.booking_approve, booking=booking, actor=approver)
    mail.outbox.clear()

    invitation = booking.attendees.get(user=colleague)
    run(services.booking_attendee_remove, booking=booking, actor=organizer, attendee=invitation)

    assert mail.outbox == []
    assert not NotificationDelivery.objects.filter(kind="uninvited").exists()


def test_invitations_are_queued_only_on_commit(
    organizer, guest_room, approver, colleague, policy, django_capture_on_commit_callbacks
):
    from unittest import mock

    from bookings.tasks import booking_notify_task

    booking = book(organizer, guest_room, attendee_users=[colleague])
    with mock.patch.object(booking_notify_task, "delay") as delay:
        with django_capture_on_commit_callbacks() as callbacks:
            services.booking_approve(booking=booking, actor=approver)
        assert delay.call_count == 0  # nothing leaves before the commit
        for callback in callbacks:
            callback()

    kinds = sorted(c.kwargs["kind"] for c in delay.call_args_list)
    assert kinds == ["approved", "invitation"]
    (invitation,) = [c.kwargs for c in delay.call_args_list if c.kwargs["kind"] == "invitation"]
    assert invitation["occurrence_ids"] == list(booking.occurrences.values_list("pk", flat=True))


def test_a_new_topic_updates_everyones_entry_without_an_approval(approved, run, organizer):
    mail.outbox.clear()

    run(services.booking_change, booking=approved, actor=organizer, topic="Quarterly review II")

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [organizer.email, "colleague@example.com", *GUESTS]
    )
    message = to("colleague@example.com")
    assert message.subject == "[MeetingOps] Meeting updated: Quarterly review II"
    mimetype, calendar = calendar_of(message)
    assert mimetype == "text/calendar; method=REQUEST"
    (event,) = events(calendar)
    assert str(event["summary"]) == "Quarterly review II"
    assert event["sequence"] == 1
    assert set(attendees(event)) == {"organizer@example.com", "colleague@example.com"}


def test_a_new_agenda_sends_no_update(approved, run, organizer):
    mail.outbox.clear()

    run(services.booking_change, booking=approved, actor=organizer, agenda="New agenda")

    assert mail.outbox == []
    assert Booking.objects.get(pk=approved.pk).ical_sequence == 0


def test_a_new_topic_with_a_change_waiting_for_approval_updates_the_entry_at_once(
    approved, run, organizer
):
    mail.outbox.clear()

    run(
        services.booking_change,
        booking=approved,
        actor=organizer,
        topic="Quarterly review II",
        start=at(3, "14:00"),
        end=at(3, "15:00"),
    )

    _m, calendar = calendar_of(to("colleague@example.com"))
    (event,) = events(calendar)
    assert str(event["summary"]) == "Quarterly review II"
    # The time still stands until an approver decides the change.
    assert event.decoded("dtstart") == at(2, "10:00")
