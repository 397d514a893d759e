"""BK-13 with the real Tencent Meeting and Zoom clients, faked at their HTTP boundary
(respx) with the providers' documented participant lists (tests/bookings/remote_fakes):
the reconciliation of a Tencent Meeting list (several stays of one person, late, left
early, absent, a joiner nobody invited), a Zoom list matched by address, and a
Tencent meeting nobody joined becoming a no-show on both the sign-in and the list."""

from __future__ import annotations

import pytest
import respx
import time_machine

from bookings import services
from bookings.models import AttendanceReport, Participant
from bookings.remote.tencent import TencentClient
from bookings.remote.zoom import ZoomClient
from bookings.services.attendance import (
    meeting_attendance_reconcile,
    meetings_close_due,
    participant_sign_in,
)
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.bookings.remote_fakes import (
    TENCENT_API,
    ZOOM_API,
    ZOOM_TOKEN_URL,
    tencent_participant,
    tencent_participants,
    zoom_participant,
    zoom_participants,
    zoom_token,
)
from tests.factories import ProviderFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

TENCENT_MEETING = "7567173273889276131"
ZOOM_MEETING = "85746065432"
TENCENT = {
    "app_id": "200000001",
    "sdk_id": "19000001",
    "secret_id": "AKIDTestSecretId",
    "secret_key": "TestSecretKey",
    "userid": "room-a",
}
ZOOM = {
    "account_id": "acct-Zx81",
    "client_id": "ClientIdForTests",
    "client_secret": "ClientSecretForTests",
    "user_id": "room-b@example.com",
}


def _t(hhmm: str):
    return at(2, hhmm)


@pytest.fixture
def colleagues(db):
    return [
        UserFactory(email="wang.lei@example.com", name="Wang Lei"),
        UserFactory(email="li.na@example.com", name="李娜"),
    ]


def _meeting(organizer, approver, colleagues, *, kind: str, code: str):
    provider = ProviderFactory(name=kind, kind=kind, base_url="")
    room = RoomFactory(provider=provider, capacity=20, allows_external_guests=True)
    booking = book(
        organizer,
        room,
        start=_t("17:00"),
        end=_t("18:00"),
        attendee_users=colleagues,
        attendee_emails=["guest@partner.example"],
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.meeting_code = code
    booking.save(update_fields=["meeting_code"])
    return booking


def _attendance(booking) -> dict:
    return {
        p.email: (p.attendance, p.minutes_attended)
        for p in Participant.objects.filter(booking=booking).order_by("pk")
    }


def test_a_tencent_meeting_list_reconciled_with_the_sign_ins(
    organizer, approver, colleagues, policy
):
    booking = _meeting(organizer, approver, colleagues, kind="tencent", code=TENCENT_MEETING)
    with time_machine.travel(_t("16:58"), tick=False):
        organizer_row = Participant.objects.get(booking=booking, user=organizer)
        participant_sign_in(participant=organizer_row, actor=organizer, via="page")
    stays = [
        # The organizer's enterprise userid is their mailbox name: a laptop, then a
        # phone overlapping it, then back after a break.
        tencent_participant("organizer", "Olga", _t("16:58"), _t("17:30")),
        tencent_participant("organizer", "Olga (phone)", _t("17:20"), _t("17:40")),
        tencent_participant("organizer", "Olga", _t("17:45"), None),
        # Wang Lei by userid, twenty minutes late.
        tencent_participant("wang.lei", "王磊", _t("17:20"), _t("18:02")),
        # 李娜 by her name alone (no enterprise account in the room's app): gone at 17:30.
        tencent_participant("", "李娜", _t("17:01"), _t("17:30")),
        # A phone nobody invited.
        tencent_participant("", "iPhone", _t("17:05"), _t("17:25")),
    ]
    client = TencentClient(credentials=TENCENT)
    with respx.mock(base_url=TENCENT_API) as tencent:
        route = tencent.get(f"/v1/meetings/{TENCENT_MEETING}/participants").respond(
            200, json=tencent_participants(stays)
        )
        with time_machine.travel(_t("18:00"), tick=False):
            meetings_close_due(client_for=lambda provider: client)
        with time_machine.travel(_t("18:05"), tick=False):
            swept = meetings_close_due(client_for=lambda provider: client)

    assert swept.reconciled == 1
    assert route.called
    assert route.calls.last.request.headers["X-TC-Key"] == "AKIDTestSecretId"
    assert _attendance(booking) == {
        # 17:00-17:40 (the two devices counted once), then 17:45-18:00.
        "organizer@example.com": ("present", 55),
        "wang.lei@example.com": ("late", 40),
        "li.na@example.com": ("left_early", 29),
        "guest@partner.example": ("absent", 0),
    }
    report = AttendanceReport.objects.get()
    assert report.source == "provider"
    assert [(u["name"], u["minutes"]) for u in report.unknown_joiners] == [("iPhone", 20)]


def test_a_zoom_list_is_matched_by_address(organizer, approver, colleagues, policy):
    booking = _meeting(organizer, approver, colleagues, kind="zoom", code=ZOOM_MEETING)
    with time_machine.travel(_t("17:02"), tick=False):
        organizer_row = Participant.objects.get(booking=booking, user=organizer)
        participant_sign_in(participant=organizer_row, actor=organizer, via="page")
    rows = [
        zoom_participant("Olga", "organizer@example.com", _t("17:00"), _t("18:00")),
        zoom_participant("W. Lei", "WANG.LEI@example.com", _t("17:03"), _t("17:58")),
        zoom_participant("Guest", "guest@partner.example", _t("17:00"), _t("17:40")),
    ]
    client = ZoomClient(credentials=ZOOM)
    with respx.mock(assert_all_called=False) as zoom:
        zoom.post(ZOOM_TOKEN_URL).respond(200, json=zoom_token())
        zoom.get(f"{ZOOM_API}/past_meetings/{ZOOM_MEETING}/participants").respond(
            200, json=zoom_participants(rows)
        )
        with time_machine.travel(_t("18:00"), tick=False):
            meetings_close_due(client_for=lambda provider: client)
        occurrence = booking.occurrences.get()
        with time_machine.travel(_t("18:05"), tick=False):
            report = meeting_attendance_reconcile(
                occurrence=occurrence, client_for=lambda provider: client
            )

    assert report.source == "provider"
    assert _attendance(booking) == {
        "organizer@example.com": ("present", 60),
        "wang.lei@example.com": ("present", 55),
        "li.na@example.com": ("absent", 0),
        "guest@partner.example": ("left_early", 40),
    }


def test_a_tencent_meeting_nobody_joined_is_a_no_show_on_both(
    organizer, approver, colleagues, policy
):
    booking = _meeting(organizer, approver, colleagues, kind="tencent", code=TENCENT_MEETING)
    client = TencentClient(credentials=TENCENT)
    with respx.mock(base_url=TENCENT_API) as tencent:
        tencent.get(f"/v1/meetings/{TENCENT_MEETING}/participants").respond(
            200, json=tencent_participants([])
        )
        with time_machine.travel(_t("17:11"), tick=False):
            assert meetings_close_due(client_for=lambda provider: client).no_shows == 1
    assert booking.occurrences.get().status == "no_show"
    assert AuditEvent.objects.get(action="booking.no_show").data["basis"] == (
        "sign_in_and_provider"
    )


def test_a_tencent_meeting_someone_is_in_is_kept_although_the_organizer_did_not_sign_in(
    organizer, approver, colleagues, policy
):
    booking = _meeting(organizer, approver, colleagues, kind="tencent", code=TENCENT_MEETING)
    client = TencentClient(credentials=TENCENT)
    with respx.mock(base_url=TENCENT_API) as tencent:
        tencent.get(f"/v1/meetings/{TENCENT_MEETING}/participants").respond(
            200,
            json=tencent_participants(
                [tencent_participant("organizer", "Olga", _t("17:02"), None)]
            ),
        )
        with time_machine.travel(_t("17:11"), tick=False):
            assert meetings_close_due(client_for=lambda provider: client).no_shows == 0
    assert booking.occurrences.get().status == "approved"


def test_a_tencent_refusal_leaves_the_sign_in_to_decide(organizer, approver, colleagues, policy):
    booking = _meeting(organizer, approver, colleagues, kind="tencent", code=TENCENT_MEETING)
    client = TencentClient(credentials=TENCENT)
    with respx.mock(base_url=TENCENT_API) as tencent:
        tencent.get(f"/v1/meetings/{TENCENT_MEETING}/participants").respond(503)
        with time_machine.travel(_t("17:11"), tick=False):
            meetings_close_due(client_for=lambda provider: client)
    assert booking.occurrences.get().status == "no_show"
    event = AuditEvent.objects.get(action="booking.no_show")
    assert event.data["basis"] == "sign_in_provider_failed"
    assert event.data["provider"]
