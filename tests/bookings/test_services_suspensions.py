"""BK-2 / OV-5: a user whose right to book is suspended (until a moment) or removed
cannot request or move a meeting; the supervision team imposes and lifts suspensions,
in admin or through the services, every step audited, nothing deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bookings import selectors, services
from bookings.models import Booking, BookingSuspension
from bookings.rules import UsageRuleViolation
from meetingops.errors import PermissionDeniedError
from oversight.models import AuditEvent
from tests.bookings.conftest import NOW, at, book, payload
from tests.conftest import api_client, signed_in
from tests.factories import SuspensionFactory, UserFactory

pytestmark = pytest.mark.django_db


def suspend(user, supervisor, *, end=NOW + dt.timedelta(days=7), **extra):
    return services.booking_suspension_impose(
        user=user, actor=supervisor, reason="Three no-shows in a month", end=end, **extra
    )


def refused(code: str, organizer, room) -> UsageRuleViolation:
    before = (Booking.objects.count(), AuditEvent.objects.count())
    with pytest.raises(UsageRuleViolation) as error:
        book(organizer, room)
    assert error.value.code == code
    assert (Booking.objects.count(), AuditEvent.objects.count()) == before
    return error.value


def test_a_suspended_user_cannot_book_and_is_told_until_when_and_why(
    organizer, room, supervisor, policy
):
    suspend(organizer, supervisor, end=at(14, "09:00"))

    error = refused("booking_suspended", organizer, room)

    assert error.extra["value"] == at(14, "09:00").isoformat()
    assert error.extra["messages"] == {
        "en": "Your right to book meetings is suspended until 2026-12-21 09:00 (CST): "
        "Three no-shows in a month. Ask the supervision team if you think this is wrong.",
        "zh-hans": "您的预约权限已暂停使用，直至 2026-12-21 09:00 (CST)：Three no-shows in a "
        "month。如有异议，请联系监督小组。",
    }


def test_a_suspension_holds_until_its_end_and_not_a_minute_longer(
    organizer, room, supervisor, policy
):
    suspend(organizer, supervisor, end=NOW + dt.timedelta(minutes=1))
    refused("booking_suspended", organizer, room)

    suspend(UserFactory(), supervisor)  # someone else's changes nothing
    ended = suspend(
        UserFactory(email="other@example.com"),
        supervisor,
        start=NOW - dt.timedelta(days=2),
        end=NOW,
    )

    assert book(ended.user, room).status == Booking.Status.PENDING


def test_a_removed_right_outweighs_a_suspension_with_an_end(organizer, room, supervisor, policy):
    suspend(organizer, supervisor, end=at(14, "09:00"))
    suspend(organizer, supervisor, end=None)
    suspend(organizer, supervisor, end=at(21, "09:00"))

    refused("booking_right_removed", organizer, room)


def test_of_two_suspensions_the_one_ending_last_is_named(organizer, room, supervisor, policy):
    suspend(organizer, supervisor, end=at(14, "09:00"))
    suspend(organizer, supervisor, end=at(21, "09:00"))

    assert refused("booking_suspended", organizer, room).extra["value"] == (
        at(21, "09:00").isoformat()
    )


def test_a_suspension_that_has_not_started_does_not_stop_booking(
    organizer, room, supervisor, policy
):
    suspend(organizer, supervisor, start=NOW + dt.timedelta(minutes=1))

    assert book(organizer, room).status == Booking.Status.PENDING


def test_a_removed_right_has_no_end_and_a_lifted_suspension_stops_nothing(
    organizer, room, supervisor, policy
):
    removal = suspend(organizer, supervisor, end=None)
    assert refused("booking_right_removed", organizer, room).extra["value"] is None

    services.booking_suspension_lift(suspension=removal, actor=supervisor, reason="Appeal upheld")

    assert book(organizer, room).status == Booking.Status.PENDING
    assert list(
        AuditEvent.objects.filter(target_type="bookings.bookingsuspension")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["bookingsuspension.imposed", "bookingsuspension.lifted"]


def test_a_suspended_user_cannot_move_a_meeting_but_may_retitle_it(
    organizer, room, supervisor, policy
):
    booking = book(organizer, room)
    suspend(organizer, supervisor)

    with pytest.raises(UsageRuleViolation) as error:
        services.booking_change(
            booking=booking, actor=organizer, start=at(3, "10:00"), end=at(3, "11:00")
        )
    services.booking_change(booking=booking, actor=organizer, topic="Quarterly review (short)")

    assert error.value.code == "booking_suspended"
    booking.refresh_from_db()
    assert booking.topic == "Quarterly review (short)"
    assert [o.start for o in booking.occurrences.all()] == [at(2, "10:00")]


def test_the_approver_sees_the_suspension_among_the_rule_checks(
    organizer, room, supervisor, policy
):
    booking = book(organizer, room)
    suspend(organizer, supervisor)

    check = selectors.booking_pending_rule_check(booking=booking)

    assert [v.code for v in check.violations] == ["booking_suspended"]


def test_the_api_refuses_a_suspended_user_with_the_rules_shape(organizer, room, supervisor, policy):
    suspend(organizer, supervisor, end=None)
    client = api_client(organizer)

    response = client.post(
        "/api/v1/bookings/",
        payload(room, topic="Budget", expected_headcount=2),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "booking_right_removed"


@pytest.mark.parametrize(
    ("who", "code"),
    [("employee", "not_supervisor"), ("self", "own_suspension")],
)
def test_only_the_supervision_team_suspends_and_never_themselves(organizer, supervisor, who, code):
    actor, user = (organizer, UserFactory()) if who == "employee" else (supervisor, supervisor)

    with pytest.raises(PermissionDeniedError) as error:
        suspend(user, actor)

    assert error.value.code == code
    assert not BookingSuspension.objects.exists()


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"reason": "  "}, "reason_required"),
        ({"end": NOW - dt.timedelta(minutes=1)}, "end_before_start"),
        ({"end": dt.datetime(2026, 12, 24, 9, 0)}, "naive_datetime"),  # noqa: DTZ001
    ],
)
def test_a_suspension_needs_a_reason_and_an_end_after_its_start(
    organizer, supervisor, values, code
):
    arguments = {"user": organizer, "actor": supervisor, "reason": "No-shows", "end": None}

    with pytest.raises(services.BookingInputError) as error:
        services.booking_suspension_impose(**{**arguments, **values})

    assert error.value.code == code
    assert not BookingSuspension.objects.exists()


# -- admin --------------------------------------------------------------------------------

ADD = reverse("admin:bookings_bookingsuspension_add")


def test_the_supervision_team_suspends_and_lifts_in_admin(client, organizer, supervisor):
    client.force_login(supervisor)

    response = client.post(
        ADD,
        {
            "user": organizer.pk,
            "start_0": "2026-12-07",
            "start_1": "09:00:00",
            "end_0": "2026-12-21",
            "end_1": "09:00:00",
            "reason": "Three no-shows in a month",
        },
    )

    suspension = BookingSuspension.objects.get()
    assert response.status_code == 302
    assert (suspension.user, suspension.imposed_by, suspension.end) == (
        organizer,
        supervisor,
        at(14, "09:00"),
    )
    change = reverse("admin:bookings_bookingsuspension_change", args=[suspension.pk])
    assert client.post(change, {"lift_reason": ""}).status_code == 200  # a reason is needed
    assert client.post(change, {"lift_reason": "Appeal upheld"}).status_code == 302
    suspension.refresh_from_db()
    assert (suspension.lifted_by, suspension.lift_reason) == (supervisor, "Appeal upheld")
    # Lifted: history, read-only; never deleted.
    assert client.post(change, {"lift_reason": "Again"}).status_code == 403
    delete = reverse("admin:bookings_bookingsuspension_delete", args=[suspension.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(action__startswith="bookingsuspension.").count() == 2


def test_admin_refuses_a_suspension_of_oneself_and_one_ending_before_it_starts(
    client, supervisor, organizer
):
    client.force_login(supervisor)
    base = {"start_0": "2026-12-07", "start_1": "09:00:00", "reason": "No-shows"}

    own = client.post(ADD, {**base, "user": supervisor.pk}, HTTP_ACCEPT_LANGUAGE="en")
    backwards = client.post(
        ADD,
        {**base, "user": organizer.pk, "end_0": "2026-12-06", "end_1": "09:00:00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert (
        "You cannot suspend your own booking rights: ask another member of the supervision team."
        in own.content.decode()
    )
    assert "A suspension must start before it ends." in backwards.content.decode()
    assert not BookingSuspension.objects.exists()


def test_the_admin_lists_the_suspensions_in_force_apart(client, organizer, supervisor):
    in_force = SuspensionFactory(user=organizer, imposed_by=supervisor)
    lifted = SuspensionFactory(imposed_by=supervisor, lifted=True)
    SuspensionFactory(imposed_by=supervisor, start=NOW + dt.timedelta(days=1))
    signed_in(client, supervisor)
    changelist = reverse("admin:bookings_bookingsuspension_changelist")

    shown = client.get(changelist, {"state": "in_force"}).context["cl"].result_list

    assert list(shown) == [in_force]
    assert list(client.get(changelist, {"state": "lifted"}).context["cl"].result_list) == [lifted]


def test_approvers_see_suspensions_but_cannot_impose_them(client, organizer, supervisor):
    suspend(organizer, supervisor)
    client.force_login(
        UserFactory(email="approver@example.com", is_staff=True, groups=["Approvers"])
    )

    listed = client.get(reverse("admin:bookings_bookingsuspension_changelist"))

    assert listed.status_code == 200
    assert organizer.name in listed.content.decode()
    assert client.get(ADD).status_code == 403
