"""BK-8: recurring series — occurrences from one rule, a preview that says which are
free, and decisions on one occurrence or the whole series."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings import recurrence, services
from bookings.conflicts import BookingConflict
from bookings.models import Booking, Occurrence
from bookings.recurrence import InvalidRecurrence
from tests.bookings.conftest import SHANGHAI, at, book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Occurrence.Status
WEEKLY_4 = {"freq": "weekly", "weekdays": [3], "count": 4}


def series(organizer, room, rule=WEEKLY_4, start=None, end=None, **extra):
    return services.booking_request(
        organizer=organizer,
        room=room,
        start=start or at(2, "10:00"),
        end=end or at(2, "11:00"),
        topic="Team stand-up",
        expected_headcount=4,
        recurrence_rule=rule,
        **extra,
    ).booking


# -- the pure function --------------------------------------------------------------


def slots(rule: dict, start=None, end=None):
    return recurrence.occurrence_slots(
        start=start or at(2, "10:00"),
        end=end or at(2, "11:00"),
        rule=recurrence.rule_from(rule),
        tz="Asia/Shanghai",
    )


def test_weekly_on_chosen_weekdays_until_a_date():
    got = slots({"freq": "weekly", "weekdays": [1, 3], "until": "2026-12-21"})

    assert [s.astimezone(SHANGHAI).strftime("%a %d %H:%M") for s, _ in got] == [
        "Wed 09 10:00",
        "Mon 14 10:00",
        "Wed 16 10:00",
        "Mon 21 10:00",
    ]


def test_daily_with_a_count_and_an_interval():
    got = slots({"freq": "daily", "interval": 2, "count": 3})

    assert [s.astimezone(SHANGHAI).day for s, _ in got] == [9, 11, 13]
    assert all(e - s == dt.timedelta(hours=1) for s, e in got)


def test_monthly_keeps_the_day_of_the_month():
    got = slots({"freq": "monthly", "count": 3})

    assert [s.astimezone(SHANGHAI).date().isoformat() for s, _ in got] == [
        "2026-12-09",
        "2027-01-09",
        "2027-02-09",
    ]


def test_times_repeat_in_local_time_across_a_daylight_saving_change():
    start = dt.datetime(2027, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))  # 09:00 EST
    got = recurrence.occurrence_slots(
        start=start,
        end=start + dt.timedelta(hours=1),
        rule=recurrence.rule_from({"freq": "weekly", "count": 2}),
        tz="America/New_York",
    )

    local = [s.astimezone(dt.timezone(dt.timedelta(hours=-4))).hour for s, _ in got[1:]]
    assert local == [9]  # 09:00 EDT the week after the clocks change


@pytest.mark.parametrize(
    "rule",
    [
        {"freq": "yearly", "count": 2},
        {"freq": "weekly"},
        {"freq": "weekly", "count": 2, "until": "2027-01-01"},
        {"freq": "weekly", "count": 0},
        {"freq": "weekly", "count": 201},
        {"freq": "daily", "weekdays": [1], "count": 3},
        {"freq": "weekly", "weekdays": [8], "count": 3},
        {"freq": "weekly", "interval": 13, "count": 3},
        {"freq": "weekly", "until": "next year"},
        {"freq": "weekly", "count": "many"},
        {"freq": ["weekly"], "count": 2},
        {"freq": "weekly", "weekdays": "mon", "count": 2},
        ["weekly"],
    ],
)
def test_a_rule_that_makes_no_sense_is_refused(rule):
    with pytest.raises(InvalidRecurrence):
        recurrence.rule_from(rule)


# -- preview and booking ------------------------------------------------------------


def test_preview_lists_each_occurrence_as_free_or_taken_and_why(organizer, room):
    book(
        UserFactory(),
        room,
        at(16, "10:30"),
        at(16, "11:30"),
        topic="Secret board meeting",
        expected_headcount=2,
    )

    preview = services.series_preview(
        organizer=organizer,
        room=room,
        start=at(2, "10:00"),
        end=at(2, "11:00"),
        recurrence_rule={"freq": "weekly", "count": 4},
    )

    assert [p["free"] for p in preview] == [True, True, False, True]
    problem = preview[2]["problems"][0]
    assert problem["code"] == "conflict"
    assert "10:30" in problem["detail"]
    assert "Secret board meeting" not in str(preview)


def test_preview_flags_occurrences_that_break_a_rule(organizer, room):
    preview = services.series_preview(
        organizer=organizer,
        room=room,
        start=at(2, "10:00"),
        end=at(2, "11:00"),
        recurrence_rule={"freq": "daily", "count": 5},
    )

    assert [p["free"] for p in preview] == [True, True, True, False, False]  # Wed to Sun
    assert preview[3]["problems"][0]["code"] == "weekday"


def test_a_series_with_a_taken_occurrence_is_refused_whole_by_default(organizer, room):
    book(UserFactory(), room, at(16, "10:00"), at(16, "11:00"), topic="x", expected_headcount=2)

    with pytest.raises(BookingConflict):
        series(organizer, room)

    assert Booking.objects.filter(organizer=organizer).count() == 0


def test_a_series_can_skip_its_unavailable_occurrences(organizer, room):
    book(UserFactory(), room, at(16, "10:00"), at(16, "11:00"), topic="x", expected_headcount=2)

    booking = series(organizer, room, skip_unavailable=True)

    starts = list(booking.occurrences.values_list("start", flat=True))
    assert starts == [at(2, "10:00"), at(9, "10:00"), at(23, "10:00")]
    assert booking.recurrence["count"] == 4


def test_approving_the_series_confirms_every_occurrence(organizer, room, approver):
    booking = series(organizer, room)

    services.booking_approve(booking=booking, actor=approver)

    assert set(booking.occurrences.values_list("status", flat=True)) == {S.APPROVED}


def test_one_occurrence_can_be_approved_or_rejected_alone(organizer, room, approver):
    booking = series(organizer, room)
    first, second, *_ = booking.occurrences.all()

    services.booking_approve(booking=booking, actor=approver, occurrence=first)
    services.booking_reject(booking=booking, actor=approver, occurrence=second, reason="Holiday")

    booking.refresh_from_db()
    assert list(booking.occurrences.values_list("status", flat=True)) == [
        S.APPROVED,
        S.REJECTED,
        S.PENDING,
        S.PENDING,
    ]
    assert booking.status == Booking.Status.PENDING


def test_cancelling_one_occurrence_keeps_the_rest(organizer, room, approver):
    booking = series(organizer, room)
    services.booking_approve(booking=booking, actor=approver)
    third = booking.occurrences.all()[2]

    services.booking_cancel(booking=booking, actor=organizer, occurrence=third)

    booking.refresh_from_db()
    assert list(booking.occurrences.values_list("status", flat=True)) == [
        S.APPROVED,
        S.APPROVED,
        S.CANCELLED,
        S.APPROVED,
    ]
    assert booking.status == Booking.Status.APPROVED


def test_cancelling_the_series_cancels_only_meetings_still_to_come(organizer, room, approver):
    import time_machine

    booking = series(organizer, room)
    services.booking_approve(booking=booking, actor=approver)

    with time_machine.travel(at(10, "09:00"), tick=False):
        services.booking_cancel(booking=booking, actor=organizer)

    assert list(booking.occurrences.values_list("status", flat=True)) == [
        S.APPROVED,
        S.APPROVED,
        S.CANCELLED,
        S.CANCELLED,
    ]
