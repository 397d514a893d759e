"""BK-4 in Django admin: the approvers' queue, deciding one request or many through the
services, the review panels of a request, who sees what (SE-5), and the admins of
rooms, blackout periods and the versioned usage policy (BK-2, BK-7)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse, reverse_lazy

from bookings.models import (
    Blackout,
    Booking,
    NotificationDelivery,
    Occurrence,
    Room,
    UsagePolicy,
)
from bookings.services import booking_approve, booking_cancel, booking_change
from oversight.models import AuditEvent
from tests.bookings.conftest import SHANGHAI, at
from tests.bookings.conftest import book as request_booking
from tests.conftest import signed_in
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse_lazy("admin:bookings_booking_changelist")


def change_url(booking: Booking) -> str:
    return reverse("admin:bookings_booking_change", args=[booking.pk])


def book(organizer, room, day: int = 2, start: str = "10:00", end: str = "11:00", **extra):
    """A request on `day` from `start` to `end`, named for its slot unless told."""
    extra.setdefault("topic", f"Meeting {day} {start}")
    return request_booking(organizer, room, at(day, start), at(day, end), **extra)


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def approver_client(client, approver):
    return signed_in(client, approver)


def bulk(client, action: str, bookings, **data):
    return client.post(
        QUEUE,
        {"action": action, "_selected_action": [b.pk for b in bookings], **data},
    )


# -- the queue -----------------------------------------------------------------------------


def test_the_queue_lists_pending_requests_soonest_first_then_the_decided_ones(
    approver_client, approver, organizer, room, policy
):
    later = book(organizer, room, day=3, topic="Thursday review")
    decided = book(organizer, room, day=1, topic="Tuesday sync")
    booking_approve(booking=decided, actor=approver)
    sooner = book(organizer, room, day=2, topic="Wednesday planning")

    response = approver_client.get(QUEUE)

    assert [b.pk for b in response.context["cl"].result_list] == [sooner.pk, later.pk, decided.pk]


def test_the_queue_shows_the_first_start_in_the_viewers_time_zone(
    approver_client, approver, organizer, room, policy
):
    approver.time_zone = "Europe/London"
    approver.save(update_fields=["time_zone"])
    book(organizer, room, day=2, start="10:00", end="11:00")  # 02:00 in London

    content = approver_client.get(QUEUE).content.decode()

    assert "Dec. 9, 2026<br>2 a.m." in content


def test_the_queue_can_be_searched_by_the_organizers_email(
    approver_client, organizer, room, policy
):
    mine = book(organizer, room, day=2)
    other = book(UserFactory(email="someone@example.com"), room, day=3)

    response = approver_client.get(QUEUE, {"q": "organizer@example"})

    result = list(response.context["cl"].result_list)
    assert mine in result
    assert other not in result


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"meeting_from": "2026-12-09", "meeting_to": "2026-12-09"}, ["wednesday"]),
        ({"meeting_from": "2026-12-10"}, ["thursday"]),
        ({"meeting_to": "2026-12-09"}, ["tuesday", "wednesday"]),
        ({}, ["tuesday", "wednesday", "thursday"]),
    ],
)
def test_the_meeting_date_filter_keeps_bookings_with_a_meeting_in_the_range(
    approver_client, organizer, room, policy, query, expected
):
    for day, name in ((1, "tuesday"), (2, "wednesday"), (3, "thursday")):
        book(organizer, room, day=day, topic=name)

    response = approver_client.get(QUEUE, query)

    assert sorted(b.topic for b in response.context["cl"].result_list) == sorted(expected)


def bad_date_messages(response) -> list[str]:
    return [text for text in texts(response) if "is not a valid date" in text]


@pytest.mark.parametrize("bad", ["2026-13-45", "tomorrow", "09/12/2026", "2026-12-09T10:00"])
def test_a_malformed_meeting_date_is_reported_and_the_other_filters_still_apply(
    approver_client, approver, organizer, room, policy, bad
):
    book(organizer, room, day=1, topic="tuesday")
    booking_approve(booking=book(organizer, room, day=2, topic="wednesday"), actor=approver)
    book(organizer, room, day=3, topic="thursday")

    response = approver_client.get(QUEUE, {"meeting_from": bad, "status__exact": "pending"})

    assert response.status_code == 200
    assert sorted(b.topic for b in response.context["cl"].result_list) == ["thursday", "tuesday"]
    assert bad_date_messages(response) == [
        f"The meeting date “{bad}” is not a valid date, so the list is not filtered by it. "
        "Use the format YYYY-MM-DD."
    ]


def test_a_malformed_meeting_date_leaves_the_other_bound_in_force(
    approver_client, organizer, room, policy
):
    for day, name in ((1, "tuesday"), (2, "wednesday"), (3, "thursday")):
        book(organizer, room, day=day, topic=name)

    response = approver_client.get(
        QUEUE, {"meeting_from": "2026-12-10", "meeting_to": "2026-02-30"}
    )

    assert [b.topic for b in response.context["cl"].result_list] == ["thursday"]
    assert len(bad_date_messages(response)) == 1
    assert "2026-02-30" in bad_date_messages(response)[0]


def test_a_malformed_meeting_date_is_reported_once_when_facets_are_counted(
    approver_client, organizer, room, policy
):
    book(organizer, room, day=2)

    response = approver_client.get(QUEUE, {"meeting_to": "2026-12-99", "_facets": "1"})

    assert response.status_code == 200
    assert len(bad_date_messages(response)) == 1
    # Nothing is left over to be shown again on the next page.
    assert bad_date_messages(approver_client.get(QUEUE)) == []


def test_a_well_formed_meeting_date_gives_no_message(approver_client, organizer, room, policy):
    book(organizer, room, day=2)

    response = approver_client.get(QUEUE, {"meeting_from": "2026-12-09", "_facets": "1"})

    assert bad_date_messages(response) == []


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"meeting_from": "0001-01-01"}, True),
        ({"meeting_to": "0001-01-01"}, False),
        ({"meeting_from": "9999-12-31"}, False),
        ({"meeting_to": "9999-12-31"}, True),
    ],
)
def test_the_first_and_last_days_of_the_calendar_filter_without_an_error(
    approver_client, organizer, room, policy, query, shown
):
    # Midnight of 1 January of year 1 in Shanghai is before what a UTC datetime holds,
    # and the day after 31 December 9999 does not exist: the range is open there.
    booking = book(organizer, room, day=2)

    response = approver_client.get(QUEUE, query)

    assert response.status_code == 200
    assert bad_date_messages(response) == []
    assert (booking in response.context["cl"].result_list) is shown


@pytest.mark.parametrize("rows", [5, 30])
def test_the_queue_runs_a_fixed_number_of_queries_whatever_its_length(
    approver_client, approver, organizer, room, policy, django_assert_max_num_queries, rows
):
    rooms = [room, RoomFactory(name="Zoom B")]
    for index in range(rows):
        booking = book(
            organizer,
            rooms[index % 2],
            day=2 + index // 12,
            start=f"{8 + index % 12:02d}:00",
            end=f"{8 + index % 12:02d}:30",
            confidential=index % 3 == 0,
            topic=f"Topic {index}",
        )
        if index % 4 == 0:
            booking_approve(booking=booking, actor=approver)

    # Session, user, two for permissions, rooms and departments (filters), two counts, rows.
    with django_assert_max_num_queries(9):
        response = approver_client.get(QUEUE)

    assert len(response.context["cl"].result_list) == rows


# -- deciding in bulk ------------------------------------------------------------------------


def test_approving_selected_requests_approves_them_and_audits_each(
    approver_client, approver, organizer, room, policy
):
    bookings = [book(organizer, room, day=2), book(organizer, room, day=3)]

    response = bulk(approver_client, "approve_selected", bookings)

    assert response.status_code == 302
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.status == Booking.Status.APPROVED
    events = AuditEvent.objects.filter(action="booking.approved", actor=approver)
    assert sorted(int(e.target_id) for e in events) == sorted(b.pk for b in bookings)
    assert "Approved 2 booking requests." in texts(response)


def test_a_request_that_cannot_be_approved_is_reported_by_name_and_the_others_proceed(
    approver_client, approver, organizer, room, policy
):
    own = book(approver, room, day=2, topic="My own request")
    other = book(organizer, room, day=3)

    response = bulk(approver_client, "approve_selected", [own, other])

    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == Booking.Status.PENDING
    assert other.status == Booking.Status.APPROVED
    errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert [str(m) for m in errors] == [
        f"#{own.pk} “My own request”: You requested this booking: ask another approver to "
        "decide it."
    ]


def test_rejecting_selected_requests_first_asks_for_a_reason(
    approver_client, organizer, room, policy
):
    bookings = [book(organizer, room, day=2), book(organizer, room, day=3)]

    response = bulk(approver_client, "reject_selected", bookings)

    assert response.status_code == 200
    assert "admin/bookings/booking/reject_reason.html" in [t.name for t in response.templates]
    assert Booking.objects.filter(status=Booking.Status.PENDING).count() == 2


def test_rejecting_selected_requests_with_a_reason_rejects_them_with_that_reason(
    approver_client, approver, organizer, room, policy
):
    bookings = [book(organizer, room, day=2), book(organizer, room, day=3)]

    response = bulk(
        approver_client, "reject_selected", bookings, confirm="yes", reason="Room reserved"
    )

    assert response.status_code == 302
    assert set(Booking.objects.values_list("status", flat=True)) == {Booking.Status.REJECTED}
    assert set(Occurrence.objects.values_list("reason", flat=True)) == {"Room reserved"}
    event = AuditEvent.objects.filter(action="booking.rejected", actor=approver).first()
    assert event.data["reason"] == "Room reserved"


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_selected_requests_without_a_reason_changes_nothing(
    approver_client, organizer, room, policy, reason
):
    bookings = [book(organizer, room, day=2), book(organizer, room, day=3)]

    response = bulk(approver_client, "reject_selected", bookings, confirm="yes", reason=reason)

    assert response.status_code == 200
    assert "Say why the booking request is rejected." in response.content.decode()
    assert set(Booking.objects.values_list("status", flat=True)) == {Booking.Status.PENDING}
    assert not AuditEvent.objects.filter(action="booking.rejected").exists()


# -- deciding one on its page -------------------------------------------------------------


def test_an_approver_approves_a_request_from_its_page(approver_client, organizer, room, policy):
    booking = book(organizer, room)

    response = approver_client.post(reverse("admin:bookings_booking_approve", args=[booking.pk]))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED


def test_rejecting_from_its_page_asks_for_the_reason_then_rejects(
    approver_client, organizer, room, policy
):
    booking = book(organizer, room)
    url = reverse("admin:bookings_booking_reject", args=[booking.pk])

    asked = approver_client.post(url)
    rejected = approver_client.post(url, {"confirm": "yes", "reason": "Overlaps the audit"})

    assert asked.status_code == 200
    assert 'name="reason"' in asked.content.decode()
    assert rejected.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REJECTED


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_decision_urls_refuse_a_get(approver_client, organizer, room, policy, decision):
    booking = book(organizer, room)

    response = approver_client.get(reverse(f"admin:bookings_booking_{decision}", args=[booking.pk]))

    assert response.status_code == 405


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_decision_urls_need_the_csrf_token(client, approver, organizer, room, policy, decision):
    client.handler.enforce_csrf_checks = True
    signed_in(client, approver)
    booking = book(organizer, room)

    response = client.post(
        reverse(f"admin:bookings_booking_{decision}", args=[booking.pk]),
        {"confirm": "yes", "reason": "No"},
    )

    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


def test_the_page_of_a_pending_request_has_the_approve_and_reject_buttons(
    approver_client, organizer, room, policy
):
    booking = book(organizer, room)

    content = approver_client.get(change_url(booking)).content.decode()

    assert f'formaction="{reverse("admin:bookings_booking_approve", args=[booking.pk])}"' in content
    assert f'formaction="{reverse("admin:bookings_booking_reject", args=[booking.pk])}"' in content
    assert 'name="_save"' not in content


def test_an_approver_is_not_offered_to_decide_their_own_request(approver_client, approver, room):
    booking = book(approver, room, topic="My own planning")

    response = approver_client.get(change_url(booking))

    # The page is shown (its topic is there): only the decision buttons are missing.
    content = response.content.decode()
    assert response.status_code == 200
    assert "My own planning" in content
    assert reverse("admin:bookings_booking_approve", args=[booking.pk]) not in content
    assert reverse("admin:bookings_booking_reject", args=[booking.pk]) not in content


def test_the_change_history_names_its_rooms_in_a_fixed_number_of_queries(
    approver_client, approver, organizer, room, policy
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rooms = [RoomFactory(name=f"Room {n}") for n in range(3)]

    def page_queries(moves: int) -> tuple[int, str]:
        booking = book(organizer, room, day=1 + moves, topic=f"Moves {moves}")
        booking_approve(booking=booking, actor=approver)
        for target in rooms[:moves]:  # each move is a change request, then approved
            booking_change(booking=booking, actor=organizer, room=target)
            booking_approve(booking=booking, actor=approver)
        with CaptureQueriesContext(connection) as queries:
            content = approver_client.get(change_url(booking)).content.decode()
        return len(queries), content

    one, _ = page_queries(1)
    three, content = page_queries(3)

    assert three == one
    assert all(f"Room {n}" in content for n in range(3))


def test_a_reason_of_blanks_does_not_put_a_room_under_maintenance(client, it_member, room):
    signed_in(client, it_member)

    response = client.post(
        reverse("admin:bookings_room_change", args=[room.pk]),
        {
            "name": room.name,
            "provider": room.provider.pk,
            "capacity": 10,
            "preparation_minutes": 0,
            "status": "maintenance",
            "maintenance_reason": "   ",
        },
    )

    assert "Say why the room is under maintenance." in response.content.decode()
    room.refresh_from_db()
    assert room.status == Room.Status.ACTIVE


# -- the review panels -----------------------------------------------------------------------


def test_the_page_says_the_room_is_free_and_all_rules_pass(
    approver_client, organizer, room, policy
):
    booking = book(organizer, room)

    content = approver_client.get(change_url(booking)).content.decode()

    assert "The room is free for 1 pending meeting." in content
    assert "All rules pass (usage policy v1)." in content


def test_the_page_shows_a_blackout_added_since_the_request_as_a_conflict(
    approver_client, approver, organizer, room, policy
):
    booking = book(organizer, room, day=2, start="10:00", end="11:00")
    Blackout.objects.create(
        room=room, start=at(2, "09:00"), end=at(2, "12:00"), reason="Licence renewal"
    )

    content = approver_client.get(change_url(booking)).content.decode()

    assert "Tencent A cannot be booked from 2026-12-09 09:00 to 12:00: Licence renewal." in content


def test_the_page_shows_the_rule_a_tightened_policy_now_breaks(
    approver_client, organizer, room, policy
):
    booking = book(organizer, room, start="10:00", end="11:00")
    UsagePolicy.objects.create(version=2, max_duration_minutes=30)

    content = approver_client.get(change_url(booking)).content.decode()

    assert "Against usage policy v2:" in content
    assert "A meeting lasts at most 30 minutes." in content


def test_the_page_shows_the_organizers_late_cancellations_and_no_shows(
    approver_client, approver, organizer, room, policy
):
    cancelled = book(organizer, room, day=2, topic="Cancelled late")
    booking_approve(booking=cancelled, actor=approver)
    no_show = book(organizer, room, day=1, topic="Nobody came")
    booking_approve(booking=no_show, actor=approver)
    Occurrence.objects.filter(booking=no_show).update(status=Occurrence.Status.NO_SHOW)
    pending = book(organizer, room, day=3, topic="Now asked for")

    with time_machine.travel(at(2, "09:30"), tick=False):
        booking_cancel(booking=cancelled, actor=organizer)
        approver_client.force_login(approver)  # the Monday session has expired by now
        content = approver_client.get(change_url(pending)).content.decode()

    assert "3 bookings requested" in content
    assert "1 no-show" in content
    assert "1 late cancellation" in content


def test_the_page_shows_a_pending_change_with_the_current_and_proposed_values(
    approver_client, approver, organizer, room, policy
):
    booking = book(organizer, room, start="10:00", end="11:00")
    booking_approve(booking=booking, actor=approver)
    booking_change(booking=booking, actor=organizer, start=at(2, "14:00"), end=at(2, "15:00"))

    content = approver_client.get(change_url(booking)).content.decode()

    assert "Pending change" in content
    # One row of the change's table: the current value, then the proposed one.
    assert "<td>2026-12-09 Wed 10:00</td><td><strong>2026-12-09 Wed 14:00</strong></td>" in content


def test_the_page_shows_meeting_times_in_the_viewers_time_zone(
    approver_client, approver, organizer, room, policy
):
    approver.time_zone = "Europe/London"
    approver.save(update_fields=["time_zone"])
    booking = book(organizer, room, start="10:00", end="11:00")

    content = approver_client.get(change_url(booking)).content.decode()

    assert "2026-12-09 Wed 02:00–03:00" in content


def test_the_page_escapes_what_users_wrote(approver_client, organizer, room, policy):
    booking = book(organizer, room, topic="<script>alert(1)</script>", agenda="<b>x</b>")

    content = approver_client.get(change_url(booking)).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<b>x</b>" not in content


# -- who may do what -----------------------------------------------------------------------


def test_a_supervisor_sees_the_queue_but_no_actions(client, supervisor, organizer, room, policy):
    booking = book(organizer, room)
    signed_in(client, supervisor)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert booking in response.context["cl"].result_list
    assert response.context["action_form"] is None
    assert "formaction" not in client.get(change_url(booking)).content.decode()


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_supervisor_cannot_decide_through_the_url(
    client, supervisor, organizer, room, policy, decision
):
    booking = book(organizer, room)
    signed_in(client, supervisor)

    response = client.post(
        reverse(f"admin:bookings_booking_{decision}", args=[booking.pk]),
        {"confirm": "yes", "reason": "No"},
    )

    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


@pytest.mark.parametrize("action", ["approve_selected", "reject_selected"])
def test_a_supervisor_cannot_decide_through_the_actions(
    client, supervisor, organizer, room, policy, action
):
    booking = book(organizer, room)
    signed_in(client, supervisor)

    bulk(client, action, [booking], confirm="yes", reason="No")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


@pytest.mark.parametrize(
    "url",
    [
        lambda b: QUEUE,
        lambda b: change_url(b),
        lambda b: reverse("admin:bookings_booking_approve", args=[b.pk]),
    ],
    ids=["queue", "page", "approve"],
)
def test_an_employee_without_staff_status_gets_no_admin(client, organizer, room, policy, url):
    booking = book(organizer, room)
    signed_in(client, UserFactory(email="employee@example.com"))

    response = client.post(url(booking)) if "approve" in url(booking) else client.get(url(booking))

    assert response.status_code == 302
    assert "login" in response["Location"]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("admin:bookings_booking_add", []),
        ("admin:bookings_booking_delete", [1]),
        ("admin:bookings_room_delete", [1]),
        ("admin:bookings_provider_delete", [1]),
        ("admin:bookings_blackout_delete", [1]),
        ("admin:bookings_usagepolicy_delete", [1]),
    ],
)
def test_bookings_are_never_added_in_admin_and_nothing_is_deleted(client, name, args):
    signed_in(client, UserFactory(is_staff=True, is_superuser=True))

    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.fixture
def staff_without_view_booking(db):
    user = UserFactory(email="clerk@example.com", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="bookings", codename="change_booking")
    )
    return user


def test_a_confidential_topic_is_hidden_from_staff_without_view_booking(
    client, staff_without_view_booking, organizer, room, policy
):
    secret = book(organizer, room, day=2, topic="Merger talks", confidential=True)
    book(organizer, room, day=3, topic="Team lunch")
    signed_in(client, staff_without_view_booking)

    listed = client.get(QUEUE).content.decode()
    page = client.get(change_url(secret)).content.decode()
    history = client.get(reverse("admin:bookings_booking_history", args=[secret.pk]))

    assert "Team lunch" in listed
    assert "Merger talks" not in listed
    assert "Merger talks" not in page
    assert "Confidential meeting" in page
    assert history.status_code == 200
    assert "Merger talks" not in history.content.decode()


def test_a_search_does_not_find_a_confidential_topic_its_viewer_may_not_see(
    client, staff_without_view_booking, organizer, room, policy
):
    book(organizer, room, day=2, topic="Merger talks", confidential=True)
    # The positive control: the same search finds a topic this viewer may see.
    open_one = book(organizer, room, day=3, topic="Merger of the help desks")
    signed_in(client, staff_without_view_booking)

    response = client.get(QUEUE, {"q": "Merger"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [open_one]


@pytest.mark.parametrize("lookup", ["topic__icontains", "agenda__icontains", "topic"])
def test_an_address_filter_on_a_meetings_content_is_refused(
    client, staff_without_view_booking, organizer, room, policy, lookup
):
    book(organizer, room, day=2, topic="Merger talks", agenda="Merger", confidential=True)
    signed_in(client, staff_without_view_booking)

    probe = client.get(QUEUE, {lookup: "Merger talks" if lookup == "topic" else "Merger"})
    by_status = client.get(QUEUE, {"status": "pending"})

    # Django answers a refused lookup with a 400 (DisallowedModelAdminLookup), counting nothing.
    assert probe.status_code == 400
    assert "Merger" not in probe.content.decode()
    assert by_status.status_code == 200
    assert len(by_status.context["cl"].result_list) == 1


def test_an_approver_sees_a_confidential_topic(approver_client, organizer, room, policy):
    book(organizer, room, topic="Merger talks", confidential=True)

    assert "Merger talks" in approver_client.get(QUEUE).content.decode()


# -- rooms, blackout periods, usage policy ---------------------------------------------------


def test_a_room_put_under_maintenance_without_a_reason_is_refused(client, it_member, room):
    signed_in(client, it_member)
    data = {
        "name": room.name,
        "provider": room.provider.pk,
        "capacity": 10,
        "preparation_minutes": 0,
        "status": "maintenance",
        "maintenance_reason": "",
    }

    refused = client.post(reverse("admin:bookings_room_change", args=[room.pk]), data)
    saved = client.post(
        reverse("admin:bookings_room_change", args=[room.pk]),
        {**data, "maintenance_reason": "Licence expired"},
    )

    assert refused.status_code == 200
    assert "Say why the room is under maintenance." in refused.content.decode()
    assert saved.status_code == 302
    room.refresh_from_db()
    assert room.status == Room.Status.MAINTENANCE
    event = AuditEvent.objects.get(action="room.maintenance_started")
    assert event.data["changes"]["status"] == {"old": "active", "new": "maintenance"}


def test_a_blackout_added_in_admin_records_who_added_it_and_is_audited(
    client, approver, room, policy
):
    signed_in(client, approver)

    response = client.post(
        reverse("admin:bookings_blackout_add"),
        {
            "room": room.pk,
            "start_0": "2026-12-24",
            "start_1": "00:00",
            "end_0": "2026-12-26",
            "end_1": "00:00",
            "reason": "Christmas",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    blackout = Blackout.objects.get()
    assert blackout.created_by == approver
    assert blackout.start == dt.datetime(2026, 12, 24, tzinfo=SHANGHAI)
    assert AuditEvent.objects.filter(action="blackout.created", actor=approver).exists()


def test_a_blackout_over_booked_meetings_warns_that_they_stay_booked(
    client, approver, organizer, room, policy
):
    book(organizer, room, day=2, start="10:00", end="11:00")
    signed_in(client, approver)

    response = client.post(
        reverse("admin:bookings_blackout_add"),
        {
            "room": "",
            "start_0": "2026-12-09",
            "start_1": "09:00",
            "end_0": "2026-12-09",
            "end_1": "12:00",
            "reason": "Network upgrade",
            "is_active": "on",
        },
    )

    assert (
        "1 booked meeting falls within this blackout period; it is not cancelled automatically: "
        "ask its organizer to move or cancel it (the bookings list's meeting date filter "
        "finds it)." in texts(response)
    )


def policy_form(policy: UsagePolicy, **changes) -> dict:
    data = {
        "min_advance_hours": policy.min_advance_hours,
        "max_duration_minutes": policy.max_duration_minutes,
        "horizon_days": policy.horizon_days,
        "workday_start": policy.workday_start.strftime("%H:%M"),
        "workday_end": policy.workday_end.strftime("%H:%M"),
        "allowed_weekdays": policy.allowed_weekdays,
        "user_weekly_quota_hours": policy.user_weekly_quota_hours,
        "department_weekly_quota_hours": policy.department_weekly_quota_hours,
        "auto_approve_max_headcount": policy.auto_approve_max_headcount,
        "auto_approve_max_minutes": policy.auto_approve_max_minutes,
        "reminder_lead_minutes": policy.reminder_lead_minutes,
        "sign_in_opens_minutes": policy.sign_in_opens_minutes,
        "no_show_grace_minutes": policy.no_show_grace_minutes,
        "cancellation_deadline_hours": policy.cancellation_deadline_hours,
    }
    return {**data, **changes}


def test_saving_the_usage_policy_adds_version_2_and_leaves_version_1_unchanged(
    client, it_member, policy
):
    signed_in(client, it_member)

    response = client.post(
        reverse("admin:bookings_usagepolicy_change", args=[policy.pk]),
        policy_form(policy, max_duration_minutes=120),
    )

    assert response.status_code == 302
    old, new = UsagePolicy.objects.order_by("version")
    assert (old.version, old.max_duration_minutes, old.created_by) == (1, 240, None)
    assert (new.version, new.max_duration_minutes, new.created_by) == (2, 120, it_member)
    event = AuditEvent.objects.get(action="usagepolicy.created")
    assert event.data["values"]["max_duration_minutes"] == 120
    assert event.data["changes"]["max_duration_minutes"] == {"old": 240, "new": 120}


def test_adding_a_usage_policy_starts_from_the_one_in_force(client, it_member, policy):
    UsagePolicy.objects.create(version=2, min_advance_hours=48)
    signed_in(client, it_member)

    response = client.get(reverse("admin:bookings_usagepolicy_add"))

    assert response.context["adminform"].form.initial["min_advance_hours"] == 48


def test_an_old_usage_policy_version_is_read_only(client, it_member, policy):
    UsagePolicy.objects.create(version=2)
    signed_in(client, it_member)
    url = reverse("admin:bookings_usagepolicy_change", args=[policy.pk])

    page = client.get(url)
    post = client.post(url, policy_form(policy, max_duration_minutes=60))

    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    assert UsagePolicy.objects.count() == 2


def test_the_usage_policy_list_shows_the_newest_version_first(client, it_member, policy):
    UsagePolicy.objects.create(version=2)
    UsagePolicy.objects.create(version=3)
    signed_in(client, it_member)

    response = client.get(reverse("admin:bookings_usagepolicy_changelist"))

    assert [p.version for p in response.context["cl"].result_list] == [3, 2, 1]


# -- emails sent (X-3) -----------------------------------------------------------------------


NOTIFICATIONS = "/admin/bookings/notificationdelivery/"


def test_it_sees_who_was_emailed_but_not_a_confidential_topic(
    client, it_member, organizer, room, policy
):
    booking = book(organizer, room, topic="Merger talks", confidential=True)
    NotificationDelivery.objects.create(
        booking=booking, kind="approved", key="k1", email=organizer.email, user=organizer
    )

    response = signed_in(client, it_member).get(NOTIFICATIONS, {"q": organizer.email})

    assert response.status_code == 200
    page = response.content.decode()
    assert organizer.email in page
    assert f"#{booking.pk}" in page
    assert room.name in page
    assert "Merger talks" not in page
    detail = client.get(f"{NOTIFICATIONS}{NotificationDelivery.objects.get().pk}/change/")
    assert detail.status_code == 200
    assert "Merger talks" not in detail.content.decode()


def test_the_email_record_cannot_be_added_changed_or_deleted(
    client, supervisor, organizer, room, policy
):
    booking = book(organizer, room)
    sent = NotificationDelivery.objects.create(
        booking=booking, kind="approved", key="k1", email=organizer.email
    )
    signed_in(client, supervisor)

    assert client.get(NOTIFICATIONS).status_code == 200
    assert client.get(f"{NOTIFICATIONS}add/").status_code == 403
    assert client.post(f"{NOTIFICATIONS}{sent.pk}/delete/", {"post": "yes"}).status_code == 403
    assert (
        client.post(f"{NOTIFICATIONS}{sent.pk}/change/", {"email": "x@example.com"}).status_code
        == 403
    )
    sent.refresh_from_db()
    assert sent.email == organizer.email


def test_approvers_and_employees_do_not_see_the_email_record(client, approver, organizer):
    for user in (approver, organizer):
        assert signed_in(client, user).get(NOTIFICATIONS).status_code in (302, 403)


@pytest.mark.parametrize("emails", [2, 12])
def test_the_email_record_list_takes_a_bounded_number_of_queries(
    client, supervisor, organizer, room, policy, emails, django_assert_max_num_queries
):
    for n in range(emails):
        booking = book(
            organizer, room, day=2 + n // 6, start=f"{8 + n % 6:02d}:00", end=f"{8 + n % 6:02d}:30"
        )
        NotificationDelivery.objects.create(
            booking=booking, kind="approved", key=f"k{n}", email=organizer.email
        )
    signed_in(client, supervisor)

    with django_assert_max_num_queries(12):
        response = client.get(NOTIFICATIONS)

    assert response.content.decode().count(organizer.email) == emails


@pytest.mark.postgres
@pytest.mark.parametrize("viewer", ["approver", "supervisor"])
def test_the_queue_is_read_in_the_order_of_its_index(request, organizer, room, policy, viewer):
    """A million bookings' queue is a page of its index, never a sort of them all: the
    queue's order must be the index's (PostgreSQL, sorting disabled, takes no Sort)."""
    from django.db import connection

    from bookings.selectors import booking_list_for_review

    book(organizer, room)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
    plan = booking_list_for_review(actor=request.getfixturevalue(viewer))[:50].explain()

    assert "booking_queue_idx" in plan
    assert "Sort" not in plan
