"""X-1: the booking endpoints under /api/v1/bookings/ — the same services, rules and
permissions as the pages, one error shape, and what each viewer may see (SE-5)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import Throttled
from rest_framework.test import APIClient

from bookings import services
from bookings.models import Booking, BookingChange, Occurrence
from meetingops.api import api_exception_handler
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book, payload
from tests.conftest import api_client
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Occurrence.Status
BOOKINGS = "/api/v1/bookings/"


def csrf_client(user) -> tuple[APIClient, str]:
    """A signed-in browser: CSRF enforced, holding the cookie a page gave it."""
    client = APIClient(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    client.force_login(user)
    return client, client.cookies["csrftoken"].value


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# -- the whole path, with a session and with a token -------------------------------------


@pytest.mark.parametrize("auth", ["session", "token"])
def test_an_employee_requests_lists_reads_changes_and_cancels_a_booking(auth, organizer, room):
    client = api_client(organizer, auth=auth)

    created = client.post(BOOKINGS, payload(room))
    assert created.status_code == 201, created.json()
    booking_id = created.json()["id"]
    assert created.json()["status"] == "pending"
    assert created.json()["organizer"] == {"id": organizer.pk, "name": "Olga Organizer"}

    listed = client.get(BOOKINGS)
    assert [b["id"] for b in listed.json()["results"]] == [booking_id]

    read = client.get(f"{BOOKINGS}{booking_id}/").json()
    assert read["topic"] == "Budget 2027"
    assert when(read["occurrences"][0]["start"]) == at(2, "10:00")

    changed = client.patch(
        f"{BOOKINGS}{booking_id}/",
        {"topic": "Budget 2027, final", "end": at(2, "11:30").isoformat()},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["topic"] == "Budget 2027, final"
    assert when(changed.json()["occurrences"][0]["end"]) == at(2, "11:30")

    cancelled = client.post(f"{BOOKINGS}{booking_id}/cancel/", {"reason": "No budget"})
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["occurrences"][0]["reason"] == "No budget"
    assert list(
        AuditEvent.objects.filter(
            target_type="bookings.booking", target_id=str(booking_id)
        ).values_list("action", flat=True)
    ) == ["booking.cancelled", "booking.changed", "booking.requested"]


def test_times_come_back_in_the_users_own_time_zone_with_a_token(room):
    user = UserFactory(time_zone="Europe/Berlin")
    client = api_client(user, auth="token")

    created = client.post(BOOKINGS, payload(room)).json()

    assert created["occurrences"][0]["start"] == "2026-12-09T03:00:00+01:00"


def test_a_series_is_requested_with_its_recurrence(organizer, room):
    body = payload(room, recurrence={"freq": "weekly", "weekdays": [3], "count": 3})

    created = api_client(organizer).post(BOOKINGS, body).json()

    assert [when(o["start"]) for o in created["occurrences"]] == [
        at(2, "10:00"),
        at(9, "10:00"),
        at(16, "10:00"),
    ]
    assert created["recurrence"]["count"] == 3


def test_invitees_are_given_by_user_id_and_email(organizer):
    room = RoomFactory(allows_external_guests=True)
    colleague = UserFactory(name="Cora Colleague")
    body = payload(room, attendee_user_ids=[colleague.pk], attendee_emails=["Guest@Partner.com"])

    created = api_client(organizer).post(BOOKINGS, body).json()

    assert created["attendees"] == {
        "users": [{"id": colleague.pk, "name": "Cora Colleague"}],
        "guest_emails": ["guest@partner.com"],
        "guests": 1,
    }


@pytest.mark.parametrize("auto_approve", [False, True], ids=["pending", "auto-approved"])
def test_the_created_booking_is_shown_as_reading_it_back_shows_it(
    organizer, policy, auto_approve, django_assert_max_num_queries
):
    """The create response is built from the rows the service wrote, not read again."""
    policy.auto_approve = auto_approve
    policy.save()
    room = RoomFactory(allows_external_guests=True, capacity=10)
    colleague = UserFactory(name="Cora Colleague")
    body = payload(
        room,
        expected_headcount=3,
        attendee_user_ids=[colleague.pk],
        attendee_emails=["b@partner.com", "a@partner.com"],
    )
    client = api_client(organizer)

    with CaptureQueriesContext(connection) as writing:
        created = client.post(BOOKINGS, body).json()

    # No SELECT of the booking's parts after the service returns (a re-read would).
    reads = [q["sql"] for q in writing.captured_queries if q["sql"].startswith("SELECT")]
    assert not [r for r in reads if 'FROM "bookings_booking"' in r or "bookings_attendee" in r]
    assert created["status"] == ("approved" if auto_approve else "pending")
    assert (created["join"] is not None) == auto_approve
    with django_assert_max_num_queries(8):
        assert client.get(f"{BOOKINGS}{created['id']}/").json() == created


# -- authentication and CSRF --------------------------------------------------------------


def test_a_session_post_without_the_csrf_token_is_refused(organizer, room):
    client = api_client(organizer, enforce_csrf_checks=True)

    response = client.post(BOOKINGS, payload(room))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "CSRF" in response.json()["detail"]
    assert not Booking.objects.exists()


def test_a_session_post_with_the_csrf_token_is_accepted(organizer, room):
    client, token = csrf_client(organizer)

    response = client.post(BOOKINGS, payload(room), HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 201, response.json()


def test_a_token_request_needs_no_csrf_token(organizer, room):
    client = api_client(organizer, auth="token", enforce_csrf_checks=True)

    assert client.post(BOOKINGS, payload(room)).status_code == 201


def test_a_request_without_credentials_is_refused_naming_the_scheme():
    response = APIClient().get(BOOKINGS)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


# -- rules, conflicts and bad input -----------------------------------------------------------


def test_a_usage_rule_violation_names_the_rule_and_its_value(organizer, room):
    body = payload(room, start=at(0, "14:00").isoformat(), end=at(0, "15:00").isoformat())

    response = api_client(organizer).post(BOOKINGS, body)

    assert response.status_code == 400
    assert response.json()["code"] == "min_advance"
    assert response.json()["value"] == 24
    assert "24" in response.json()["detail"]


def test_a_taken_slot_is_a_409_naming_the_slot_but_not_the_other_meeting(organizer, room):
    book(UserFactory(), room, topic="Secret merger")
    body = payload(room, start=at(2, "10:30").isoformat(), end=at(2, "11:30").isoformat())

    response = api_client(organizer).post(BOOKINGS, body)

    assert response.status_code == 409
    error = response.json()
    assert error["code"] == "conflict"
    assert "10:00" in error["detail"]
    assert "11:00" in error["detail"]
    assert when(error["conflicts"][0]["start"]) == at(2, "10:00")
    assert "Secret merger" not in response.content.decode()


BAD_INPUT = {
    "start is not a time": ({"start": "tomorrow"}, "invalid", "start"),
    "headcount is not a number": ({"expected_headcount": "many"}, "invalid", "expected_headcount"),
    "topic is missing": ({"topic": None}, "invalid", "topic"),
    "naive start": ({"start": "2026-12-09T10:00:00"}, "naive_datetime", "start"),
    "naive end": ({"end": "2026-12-09 11:00"}, "naive_datetime", "end"),
    "start in year 1": ({"start": "0001-01-01T00:00:00+00:00"}, "invalid", "start"),
    "unknown room": ({"room": 999_999}, "invalid", "room"),
    "room is text": ({"room": "Tencent A"}, "invalid", "room"),
    "unknown mode": ({"mode": "telepathy"}, "invalid", "mode"),
    "invitees not a list": ({"attendee_user_ids": "7"}, "invalid", "attendee_user_ids"),
    "unknown invitee": ({"attendee_user_ids": [999_999]}, "invalid", "attendee_user_ids"),
    "bad guest email": ({"attendee_emails": ["not-an-email"]}, "invalid", "attendee_emails.0"),
    "recurrence not an object": ({"recurrence": "weekly"}, "invalid", "recurrence"),
    "recurrence interval text": (
        {"recurrence": {"freq": "daily", "interval": "often", "count": 2}},
        "invalid",
        "recurrence.interval",
    ),
}
SERVICE_ERRORS = {
    "headcount is zero": ({"expected_headcount": 0}, "headcount_invalid"),
    "headcount is negative": ({"expected_headcount": -3}, "headcount_invalid"),
    "topic is blank": ({"topic": "   "}, "topic_required"),
    "end before start": ({"end": at(2, "09:00").isoformat()}, "end_before_start"),
    "end equals start": ({"end": at(2, "10:00").isoformat()}, "end_before_start"),
    "unknown frequency": ({"recurrence": {"freq": "hourly", "count": 3}}, "invalid_recurrence"),
    "series without an end": ({"recurrence": {"freq": "weekly"}}, "invalid_recurrence"),
    "series too long": ({"recurrence": {"freq": "daily", "count": 500}}, "invalid_recurrence"),
    "weekday 9": (
        {"recurrence": {"freq": "weekly", "weekdays": [9], "count": 2}},
        "invalid_recurrence",
    ),
    "a rule giving no meeting": (
        {"recurrence": {"freq": "weekly", "weekdays": [1], "until": "2026-12-10"}},
        "invalid_recurrence",
    ),
    "both end date and count": (
        {"recurrence": {"freq": "daily", "count": 2, "until": "2027-01-01"}},
        "invalid_recurrence",
    ),
    "interval 99": (
        {"recurrence": {"freq": "daily", "interval": 99, "count": 2}},
        "invalid_recurrence",
    ),
}


@pytest.mark.parametrize(("change", "code", "field"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_malformed_input_is_a_400_naming_the_field(organizer, room, change, code, field):
    response = api_client(organizer).post(BOOKINGS, payload(room, **change))

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert field in response.json()["fields"]
    assert response.json()["detail"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize(("change", "code"), SERVICE_ERRORS.values(), ids=SERVICE_ERRORS.keys())
def test_input_the_services_refuse_is_a_400_with_their_code(organizer, room, change, code):
    response = api_client(organizer).post(BOOKINGS, payload(room, **change))

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    # The one error shape: each field named with messages a person reads, not codes.
    assert body["fields"], body
    assert all(messages == [body["detail"]] for messages in body["fields"].values()), body
    if "recurrence" in change:
        assert all(name.startswith("recurrence") for name in body["fields"])
    assert not Booking.objects.exists()


def test_inviting_a_closed_account_is_a_400_that_says_what_to_do(organizer, room):
    former = UserFactory(name="Fay Former", is_active=False)

    response = api_client(organizer).post(BOOKINGS, payload(room, attendee_user_ids=[former.pk]))

    assert response.status_code == 400
    assert response.json()["code"] == "inactive_invitee"
    assert response.json()["fields"] == {"attendee_user_ids": [response.json()["detail"]]}
    assert "Fay Former" in response.json()["detail"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"room": 1, "topic": ', "application/json", 400, "malformed"),
        ("[1, 2]", "application/json", 400, "invalid"),
        ("null", "application/json", 400, "invalid"),
        (b"\xff\xfe", "application/json", 400, "malformed"),
        ("room=1&topic=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("room 1", "text/plain", 415, "unsupported_media_type"),
    ],
    ids=["broken JSON", "a list", "null", "not UTF-8", "a form", "plain text"],
)
def test_a_body_that_is_not_a_json_object_is_refused(organizer, body, content_type, status, code):
    response = api_client(organizer).post(BOOKINGS, body, content_type=content_type)

    assert response.status_code == status
    assert response.json()["code"] == code


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_a_body_over_the_size_limit_is_a_413_before_it_is_read(organizer, room):
    client, token = csrf_client(organizer)
    body = json.dumps(payload(room, agenda="x" * 20_000))

    response = client.post(BOOKINGS, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Booking.objects.exists()


def test_the_default_size_limit_refuses_a_two_megabyte_agenda(organizer, room):
    body = payload(room, agenda="x" * 2_000_000)

    response = api_client(organizer, auth="token", HTTP_ACCEPT_LANGUAGE="en").post(BOOKINGS, body)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    assert response.json()["detail"] == (
        f"The request body is larger than {limit_kb} KB: send less at a time."
    )


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (Throttled(wait=30), 429, "throttled"),
        (DjangoPermissionDenied(), 403, "permission_denied"),
        (Http404("No Booking matches the given query."), 404, "not_found"),
        (RequestDataTooBig(), 413, "too_large"),
    ],
)
def test_other_errors_keep_the_one_shape(error, status, code):
    response = api_exception_handler(error, {})

    assert response.status_code == status
    assert set(response.data) == {"code", "detail", "fields"}
    assert response.data["code"] == code


def test_throttling_says_when_to_come_back():
    assert api_exception_handler(Throttled(wait=30), {}).headers["Retry-After"] == "30"


def test_an_error_that_is_a_bug_stays_a_500():
    assert api_exception_handler(ZeroDivisionError(), {}) is None


# -- who sees what (SE-5, 000 §3.2.2) ---------------------------------------------------------


@pytest.mark.parametrize("confidential", [False, True])
def test_a_booking_is_invisible_to_employees_not_on_it(organizer, room, confidential):
    booking = book(organizer, room, topic="Merger", confidential=confidential)

    response = api_client(UserFactory()).get(f"{BOOKINGS}{booking.pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "Merger" not in response.content.decode()


@pytest.mark.parametrize("role", ["organizer", "invitee", "approver"])
def test_a_confidential_booking_shows_its_topic_to_those_entitled(organizer, room, approver, role):
    invitee = UserFactory()
    booking = book(organizer, room, topic="Merger", confidential=True, attendee_users=[invitee])
    viewer = {"organizer": organizer, "invitee": invitee, "approver": approver}[role]

    response = api_client(viewer).get(f"{BOOKINGS}{booking.pk}/")

    assert response.status_code == 200
    assert response.json()["topic"] == "Merger"


@pytest.mark.parametrize(
    ("role", "sees_emails"), [("organizer", True), ("invitee", False), ("approver", False)]
)
def test_external_guests_addresses_are_shown_to_the_organizer_only(
    organizer, approver, role, sees_emails
):
    room = RoomFactory(allows_external_guests=True)
    invitee = UserFactory()
    booking = book(organizer, room, attendee_users=[invitee], attendee_emails=["guest@partner.com"])
    viewer = {"organizer": organizer, "invitee": invitee, "approver": approver}[role]

    attendees = api_client(viewer).get(f"{BOOKINGS}{booking.pk}/").json()["attendees"]

    assert attendees["guests"] == 1
    assert attendees["guest_emails"] == (["guest@partner.com"] if sees_emails else None)
    assert ("guest@partner.com" in json.dumps(attendees)) is sees_emails


@pytest.mark.parametrize(
    ("role", "state", "sees_link"),
    [
        ("organizer", "approved", True),
        ("invitee", "approved", True),
        ("approver", "approved", False),
        # Approved, so the booking has its link, then cancelled: no meeting to join.
        ("organizer", "cancelled", False),
        ("invitee", "cancelled", False),
    ],
)
def test_the_join_link_is_for_the_people_of_an_approved_meeting(
    organizer, room, approver, role, state, sees_link
):
    invitee = UserFactory()
    booking = book(organizer, room, password_required=True, attendee_users=[invitee])
    services.booking_approve(booking=booking, actor=approver)
    if state == "cancelled":
        services.booking_cancel(booking=booking, actor=organizer)
    booking.refresh_from_db()
    assert booking.join_url
    viewer = {"organizer": organizer, "invitee": invitee, "approver": approver}[role]

    join = api_client(viewer).get(f"{BOOKINGS}{booking.pk}/").json()["join"]

    if sees_link:
        assert join["url"].startswith("https://meet.example.com/")
        assert len(join["password"]) == 6
    else:
        assert join is None


# -- decisions: role × action -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "action", "body", "status", "code"),
    [
        ("organizer", "approve", {}, 403, "not_approver"),
        ("organizer", "reject", {"reason": "no"}, 403, "not_approver"),
        ("invitee", "approve", {}, 403, "not_approver"),
        ("invitee", "cancel", {}, 403, "not_organizer"),
        ("stranger", "approve", {}, 404, "not_found"),
        ("stranger", "cancel", {}, 404, "not_found"),
        ("approver", "reject", {}, 400, "reason_required"),
        ("approver", "reject", {"reason": "  "}, 400, "reason_required"),
    ],
)
def test_a_decision_is_refused_to_those_not_entitled(
    organizer, room, approver, role, action, body, status, code
):
    invitee = UserFactory()
    booking = book(organizer, room, attendee_users=[invitee])
    viewer = {
        "organizer": organizer,
        "invitee": invitee,
        "approver": approver,
        "stranger": UserFactory(),
    }[role]

    response = api_client(viewer).post(f"{BOOKINGS}{booking.pk}/{action}/", body)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert Booking.objects.get().status == Booking.Status.PENDING


@pytest.mark.parametrize(
    ("action", "body", "status"),
    [
        ("approve", {"note": "Fine"}, "approved"),
        ("reject", {"reason": "Room needed for training"}, "rejected"),
    ],
)
def test_an_approver_decides_a_request(organizer, room, approver, action, body, status):
    booking = book(organizer, room)

    response = api_client(approver).post(f"{BOOKINGS}{booking.pk}/{action}/", body)

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == status
    assert AuditEvent.objects.filter(action=f"booking.{status}", actor=approver).exists()


def test_an_approver_decides_one_meeting_of_a_series(organizer, room, approver):
    booking = book(organizer, room, recurrence_rule={"freq": "daily", "count": 3})
    second = booking.occurrences.order_by("start")[1]

    response = api_client(approver).post(
        f"{BOOKINGS}{booking.pk}/reject/", {"reason": "Holiday", "occurrence": second.pk}
    )

    assert [o["status"] for o in response.json()["occurrences"]] == [
        "pending",
        "rejected",
        "pending",
    ]


def test_a_meeting_of_another_booking_cannot_be_named(organizer, room):
    booking = book(organizer, room)
    other = book(organizer, room, at(3, "10:00"), at(3, "11:00"))

    response = api_client(organizer).post(
        f"{BOOKINGS}{booking.pk}/cancel/", {"occurrence": other.occurrences.get().pk}
    )

    assert response.status_code == 400
    assert "occurrence" in response.json()["fields"]
    assert Occurrence.objects.filter(status=S.CANCELLED).count() == 0


def test_cancelling_one_meeting_of_a_series_keeps_the_others(organizer, room):
    booking = book(organizer, room, recurrence_rule={"freq": "daily", "count": 2})
    first = booking.occurrences.order_by("start")[0]

    response = api_client(organizer).post(
        f"{BOOKINGS}{booking.pk}/cancel/", {"occurrence": first.pk}
    )

    assert [o["status"] for o in response.json()["occurrences"]] == ["cancelled", "pending"]


def test_a_time_change_of_an_approved_booking_waits_for_the_approver(organizer, room, approver):
    booking = book(organizer, room)
    services.booking_approve(booking=booking, actor=approver)

    response = api_client(organizer).patch(
        f"{BOOKINGS}{booking.pk}/",
        {"start": at(2, "14:00").isoformat(), "end": at(2, "15:00").isoformat()},
    )

    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "pending"
    assert body["pending_change"]["proposed"]["start"] == at(2, "14:00").isoformat()
    assert [o["status"] for o in body["occurrences"]] == ["approved", "pending"]
    # The old slot still stands: its people keep the link.
    assert body["join"] is not None
    assert BookingChange.objects.get().status == BookingChange.Status.PENDING


def test_a_change_to_a_taken_slot_is_a_409(organizer, room):
    booking = book(organizer, room)
    book(UserFactory(), room, at(2, "14:00"), at(2, "15:00"))

    response = api_client(organizer).patch(
        f"{BOOKINGS}{booking.pk}/",
        {"start": at(2, "14:30").isoformat(), "end": at(2, "15:30").isoformat()},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_a_naive_time_in_a_change_is_refused(organizer, room):
    booking = book(organizer, room)

    response = api_client(organizer).patch(
        f"{BOOKINGS}{booking.pk}/", {"start": "2026-12-09T14:00"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "naive_datetime"


def test_an_invitee_cannot_change_the_booking(organizer, room):
    invitee = UserFactory()
    booking = book(organizer, room, attendee_users=[invitee])

    response = api_client(invitee).patch(f"{BOOKINGS}{booking.pk}/", {"topic": "Mine now"})

    assert response.status_code == 403
    assert response.json()["code"] == "not_organizer"


# -- series preview ------------------------------------------------------------------------------


def test_the_series_preview_shows_which_meetings_are_free_and_why_not(organizer, room):
    book(UserFactory(), room, at(3, "10:00"), at(3, "11:00"), topic="Secret merger")
    body = {
        "room": room.pk,
        "start": at(2, "10:00").isoformat(),
        "end": at(2, "11:00").isoformat(),
        "recurrence": {"freq": "daily", "count": 4},
    }

    response = api_client(organizer).post(f"{BOOKINGS}series-preview/", body)

    assert response.status_code == 200, response.json()
    preview = response.json()
    assert [p["free"] for p in preview] == [True, False, True, False]
    assert preview[1]["problems"][0]["code"] == "conflict"
    assert preview[3]["problems"][0]["code"] == "weekday"  # Saturday
    assert "Secret merger" not in response.content.decode()
    assert not Booking.objects.filter(organizer=organizer).exists()


# -- the list ----------------------------------------------------------------------------------


def test_the_list_holds_what_i_organize_or_am_invited_to(organizer, room):
    mine = book(organizer, room)
    invited = book(UserFactory(), room, at(3, "10:00"), at(3, "11:00"), attendee_users=[organizer])
    book(UserFactory(), room, at(4, "10:00"), at(4, "11:00"))
    uninvited = book(
        UserFactory(), room, at(2, "14:00"), at(2, "15:00"), attendee_users=[organizer]
    )
    uninvited.attendees.update(is_active=False)

    results = api_client(organizer).get(BOOKINGS).json()["results"]

    assert {b["id"] for b in results} == {mine.pk, invited.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=approved", ["approved"]),
        ("status=pending", ["wednesday", "thursday"]),
        ("date_from=2026-12-10", ["thursday", "approved"]),
        ("date_to=2026-12-09", ["wednesday"]),
        ("date_from=2026-12-10&date_to=2026-12-10", ["thursday"]),
        ("room=other", ["approved"]),
    ],
)
def test_the_list_filters(organizer, room, approver, query, expected):
    other = RoomFactory()
    made = {
        "wednesday": book(organizer, room, topic="wednesday"),
        "thursday": book(organizer, room, at(3, "10:00"), at(3, "11:00"), topic="thursday"),
        "approved": book(organizer, other, at(4, "10:00"), at(4, "11:00"), topic="approved"),
    }
    services.booking_approve(booking=made["approved"], actor=approver)

    response = api_client(organizer).get(f"{BOOKINGS}?{query.replace('other', str(other.pk))}")

    assert sorted(b["topic"] for b in response.json()["results"]) == sorted(expected)


@pytest.mark.parametrize(
    "query",
    [
        "status=lost",
        "room=abc",
        "date_from=yesterday",
        "date_to=9999-12-31",
        "date_from=0001-01-01",
        "page=9",
    ],
)
def test_bad_list_filters_are_a_4xx(organizer, query):
    response = api_client(organizer).get(f"{BOOKINGS}?{query}")

    assert response.status_code in (400, 404)
    assert response.json()["code"] in ("invalid", "not_found")


def _many_bookings(organizer, approver, count: int) -> None:
    rooms = [RoomFactory(allows_external_guests=True) for _ in range(count)]
    for index, room in enumerate(rooms):
        booking = book(
            organizer,
            room,
            at(2 + index % 3, "10:00"),
            at(2 + index % 3, "11:00"),
            attendee_users=[UserFactory()],
            attendee_emails=[f"guest{index}@partner.com"],
            confidential=index % 2 == 0,
            recurrence_rule={"freq": "weekly", "count": 2},
        )
        if index % 3 == 0:
            services.booking_approve(booking=booking, actor=approver)


@pytest.mark.parametrize("count", [5, 25])
def test_the_list_asks_the_same_few_queries_for_5_or_25_bookings(
    organizer, approver, count, django_assert_max_num_queries
):
    _many_bookings(organizer, approver, count)
    client = api_client(organizer)

    with django_assert_max_num_queries(7):
        response = client.get(BOOKINGS)

    assert len(response.json()["results"]) == count


def test_the_list_asks_a_bounded_number_of_queries_with_a_token_too(
    organizer, approver, django_assert_max_num_queries
):
    _many_bookings(organizer, approver, 6)
    client = api_client(organizer, auth="token")

    with django_assert_max_num_queries(7):
        response = client.get(BOOKINGS)

    assert response.status_code == 200
    assert len(response.json()["results"]) == 6


def test_the_list_is_paginated(organizer, room):
    for day in (2, 3, 4):
        book(organizer, room, at(day, "10:00"), at(day, "11:00"))

    page = api_client(organizer).get(f"{BOOKINGS}?page_size=2").json()

    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]


def test_an_overseer_without_the_approver_role_reads_any_booking(organizer, room):
    supervisor = UserFactory()
    supervisor.user_permissions.add(Permission.objects.get(codename="view_booking"))
    booking = book(organizer, room, confidential=True, topic="Merger")

    body = api_client(supervisor).get(f"{BOOKINGS}{booking.pk}/").json()

    assert body["topic"] == "Merger"
    assert body["join"] is None


def test_an_unknown_room_or_meeting_id_says_where_to_find_one(organizer, room):
    client = api_client(organizer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    unknown_room = client.post(BOOKINGS, payload(room, room=999_999)).json()
    booking = book(organizer, room)
    unknown_meeting = client.post(f"{BOOKINGS}{booking.pk}/cancel/", {"occurrence": 999_999}).json()

    assert unknown_room["fields"]["room"] == [
        "There is no room 999999: GET /api/v1/rooms/ lists them."
    ]
    assert unknown_meeting["fields"]["occurrence"] == [
        "This booking has no meeting 999999: use the id of one of its occurrences."
    ]
    assert booking.occurrences.get().status == "pending"
