"""BK-2: each usage rule accepts a request at its limit and refuses it just past it,
naming the rule and its value in both languages, and changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings import services
from bookings.conflicts import BookingConflict
from bookings.models import Blackout, Booking, Occurrence, Room, UsagePolicy
from bookings.rules import UsageRuleViolation
from oversight.models import AuditEvent
from tests.bookings.conftest import NOW, at
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def request(organizer, room, start, end, **extra):
    extra.setdefault("expected_headcount", 3)
    return services.booking_request(
        organizer=organizer, room=room, start=start, end=end, topic="Weekly sync", **extra
    ).booking


def new_policy(**values) -> UsagePolicy:
    current = UsagePolicy.objects.order_by("-version").first()
    fields = {
        f.name: getattr(current, f.name)
        for f in UsagePolicy._meta.fields
        if f.name not in ("id", "version", "created_at", "created_by")
    }
    return UsagePolicy.objects.create(version=current.version + 1, **{**fields, **values})


def refused(code: str, organizer, room, start, end, **extra) -> UsageRuleViolation:
    before = (Booking.objects.count(), AuditEvent.objects.count())
    with pytest.raises(UsageRuleViolation) as error:
        request(organizer, room, start, end, **extra)
    assert error.value.code == code
    assert (Booking.objects.count(), AuditEvent.objects.count()) == before
    return error.value


CASES = [
    # (rule, policy values, accepted slot, refused slot)
    (
        "min_advance",
        {},
        (NOW + dt.timedelta(hours=24), NOW + dt.timedelta(hours=25)),
        (NOW + dt.timedelta(hours=23, minutes=59), NOW + dt.timedelta(hours=24, minutes=59)),
    ),
    ("max_duration", {}, (at(2, "10:00"), at(2, "14:00")), (at(2, "10:00"), at(2, "14:01"))),
    (
        "horizon",
        {
            "workday_start": dt.time(0, 0),
            "workday_end": dt.time(23, 59),
            "allowed_weekdays": "1,2,3,4,5,6,7",
        },
        (NOW + dt.timedelta(days=90), NOW + dt.timedelta(days=90, hours=1)),
        (NOW + dt.timedelta(days=90, minutes=1), NOW + dt.timedelta(days=90, hours=1, minutes=1)),
    ),
    ("working_hours", {}, (at(2, "08:00"), at(2, "09:00")), (at(2, "07:59"), at(2, "09:00"))),
    ("working_hours", {}, (at(2, "19:00"), at(2, "20:00")), (at(2, "19:00"), at(2, "20:01"))),
    ("weekday", {}, (at(4, "10:00"), at(4, "11:00")), (at(5, "10:00"), at(5, "11:00"))),
]


@pytest.mark.parametrize(
    ("rule", "values", "ok_slot", "bad_slot"),
    CASES,
    ids=["min_advance", "max_duration", "horizon", "workday_start", "workday_end", "weekday"],
)
def test_time_rule_accepts_the_limit_and_refuses_just_past_it(
    organizer, room, rule, values, ok_slot, bad_slot
):
    if values:
        new_policy(**values)

    assert request(organizer, room, *ok_slot).status == Booking.Status.PENDING
    refused(rule, organizer, room, *bad_slot)


def test_a_violation_names_its_rule_and_value_in_both_languages(organizer, room):
    error = refused("min_advance", organizer, room, at(0, "12:00"), at(0, "13:00"))

    body = error.as_dict()
    assert body["value"] == 24
    assert body["messages"]["en"] == "Book at least 24 hours ahead."
    assert "24" in body["messages"]["zh-hans"]
    assert body["messages"]["zh-hans"] != body["messages"]["en"]


def test_every_broken_rule_is_listed(organizer, room):
    error = refused("min_advance", organizer, room, at(0, "07:00"), at(0, "13:00"))

    assert [v["code"] for v in error.as_dict()["violations"]] == [
        "min_advance",
        "max_duration",
        "working_hours",
    ]


def test_headcount_up_to_capacity_is_accepted_and_one_more_refused(organizer, room):
    assert request(organizer, room, at(2, "10:00"), at(2, "11:00"), expected_headcount=10)
    error = refused(
        "capacity", organizer, room, at(3, "10:00"), at(3, "11:00"), expected_headcount=11
    )
    assert error.as_dict()["value"] == 10


def test_attendees_count_toward_the_headcount(organizer, room):
    emails = [f"guest{i}@partner.example" for i in range(10)]
    room.allows_external_guests = True
    room.save()

    refused("capacity", organizer, room, at(2, "10:00"), at(2, "11:00"), attendee_emails=emails)


@pytest.mark.parametrize(
    "status", [Room.Status.MAINTENANCE, Room.Status.RETIRED], ids=["maintenance", "retired"]
)
def test_a_room_out_of_service_cannot_be_booked(organizer, room, status):
    room.status, room.maintenance_reason = status, "Licence renewal"
    room.save()

    error = refused("room_unavailable", organizer, room, at(2, "10:00"), at(2, "11:00"))
    assert error.as_dict()["messages"]["en"] == "Tencent A cannot be booked: Licence renewal."


def test_recording_needs_a_room_that_records(organizer, room):
    refused(
        "recording_unsupported",
        organizer,
        room,
        at(2, "10:00"),
        at(2, "11:00"),
        recording_allowed=True,
    )


def test_external_guests_need_a_room_that_admits_them(organizer, room):
    refused(
        "external_guests_not_allowed",
        organizer,
        room,
        at(2, "10:00"),
        at(2, "11:00"),
        attendee_emails=["guest@partner.example"],
    )


def test_personal_weekly_quota_allows_up_to_its_hours_and_no_more(organizer, room):
    new_policy(user_weekly_quota_hours=3)
    request(organizer, room, at(1, "09:00"), at(1, "11:00"))

    assert request(organizer, room, at(2, "09:00"), at(2, "10:00"))
    error = refused("user_quota", organizer, room, at(3, "09:00"), at(3, "09:30"))
    assert error.as_dict()["value"] == 3


def test_the_quota_counts_each_week_on_its_own(organizer, room):
    new_policy(user_weekly_quota_hours=3)
    request(organizer, room, at(1, "09:00"), at(1, "12:00"))

    assert request(organizer, room, at(7, "09:00"), at(7, "12:00"))


@pytest.mark.parametrize("weeks", [2, 8])
def test_quotas_over_a_long_series_take_one_query_each(
    organizer, room, weeks, django_assert_num_queries
):
    from bookings import rules

    policy = new_policy(user_weekly_quota_hours=3, department_weekly_quota_hours=40)
    request(organizer, room, at(8, "09:00"), at(8, "11:00"))  # week 2: 2 of 3 hours
    slots = [(at(7 * w + 1, "09:00"), at(7 * w + 1, "10:30")) for w in range(weeks)]

    with django_assert_num_queries(2):  # the organizer's weeks, the department's
        found = rules.check_quotas(
            policy=policy, organizer=organizer, department=organizer.department, slots=slots
        )

    assert [(v.code, v.value) for v in found] == [("user_quota", 3)]  # only week 2 is over


def test_department_weekly_quota_counts_colleagues_bookings(room):
    new_policy(department_weekly_quota_hours=2)
    sales = DepartmentFactory(code="sales")
    alice, bob = UserFactory(department=sales), UserFactory(department=sales)
    request(alice, room, at(1, "09:00"), at(1, "11:00"))

    refused("department_quota", bob, room, at(2, "09:00"), at(2, "09:30"))


def test_cancelled_bookings_do_not_count_toward_the_quota(organizer, room):
    new_policy(user_weekly_quota_hours=2)
    booking = request(organizer, room, at(1, "09:00"), at(1, "11:00"))
    services.booking_cancel(booking=booking, actor=organizer)

    assert request(organizer, room, at(2, "09:00"), at(2, "11:00"))


def test_held_and_no_show_meetings_count_toward_the_quota(organizer, room):
    new_policy(user_weekly_quota_hours=2)
    held = request(organizer, room, at(1, "09:00"), at(1, "10:00"))
    missed = request(organizer, room, at(1, "10:00"), at(1, "11:00"))
    held.occurrences.update(status=Occurrence.Status.COMPLETED)
    missed.occurrences.update(status=Occurrence.Status.NO_SHOW)

    refused("user_quota", organizer, room, at(2, "09:00"), at(2, "09:30"))


def test_moving_a_booking_does_not_count_its_own_hours_twice(organizer, room):
    new_policy(user_weekly_quota_hours=2)
    booking = request(organizer, room, at(1, "09:00"), at(1, "11:00"))

    services.booking_change(
        booking=booking, actor=organizer, start=at(2, "09:00"), end=at(2, "11:00")
    )

    assert [o.start for o in booking.occurrences.all()] == [at(2, "09:00")]


@pytest.mark.parametrize("scope", ["room", "all rooms"])
def test_a_blackout_period_blocks_the_slot(organizer, room, scope):
    Blackout.objects.create(
        room=room if scope == "room" else None,
        start=at(2, "09:00"),
        end=at(2, "12:00"),
        reason="Provider maintenance",
    )

    with pytest.raises(BookingConflict) as error:
        request(organizer, room, at(2, "11:00"), at(2, "13:00"))

    assert "Provider maintenance" in error.value.detail
    assert request(organizer, room, at(2, "12:00"), at(2, "13:00"))


def test_an_ended_blackout_no_longer_blocks(organizer, room):
    Blackout.objects.create(
        room=room, start=at(2, "09:00"), end=at(2, "12:00"), reason="x", is_active=False
    )

    assert request(organizer, room, at(2, "10:00"), at(2, "11:00"))


def test_auto_approval_confirms_a_small_ordinary_meeting(organizer, room):
    new_policy(auto_approve=True, auto_approve_max_headcount=5, auto_approve_max_minutes=60)

    small = request(organizer, room, at(2, "10:00"), at(2, "11:00"), expected_headcount=5)
    large = request(organizer, room, at(2, "11:00"), at(2, "12:00"), expected_headcount=6)
    secret = request(organizer, room, at(2, "13:00"), at(2, "14:00"), confidential=True)
    long = request(organizer, room, at(2, "15:00"), at(2, "16:01"), expected_headcount=2)
    series = request(
        organizer,
        room,
        at(2, "17:00"),
        at(2, "17:30"),
        expected_headcount=2,
        recurrence_rule={"freq": "daily", "count": 2},
    )

    assert small.status == Booking.Status.APPROVED
    assert small.join_url.startswith("https://meet.example.com/MeetingOps-")
    assert {large.status, secret.status, long.status, series.status} == {Booking.Status.PENDING}


def test_the_booking_records_the_policy_version_it_was_checked_against(organizer, room):
    new_policy(max_duration_minutes=120)

    booking = request(organizer, room, at(2, "10:00"), at(2, "11:00"))

    assert booking.policy_version == 2


def test_without_any_policy_version_the_defaults_apply_and_nothing_is_written(organizer, room):
    from bookings.rules import policy_current

    UsagePolicy.objects.all().delete()

    policy = policy_current()

    assert (policy.pk, policy.version, policy.min_advance_hours) == (None, 0, 24)
    assert not UsagePolicy.objects.exists()
    assert request(organizer, room, at(2, "10:00"), at(2, "11:00")).policy_version == 0
