"""BK-17 and SE-5 in a real browser: the pages of Tencent Meeting and Zoom rooms pass
axe-core (no serious or critical finding): IT's provider account form (its write-only
secret), the providers' meetings list and a failed one, a booking's page with its
provider panel, the approver's decision box asking a manual room's meeting password,
and the meeting page saying the link is on its way. The approver then types the
password and approves from the keyboard."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from bookings.models import Booking, ProviderMeeting
from bookings.services import remote_meetings
from security import roles
from tests.bookings.remote_fakes import FakeClient, permanent, remote_room, tencent_provider
from tests.e2e.conftest import DESKTOP, axe_summary, axe_violations
from tests.factories import BookingFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _staff(group: str, **extra):
    return UserFactory(is_staff=True, groups=[group], language="", **extra)


def _assert_pages_accessible(page: Page, pages: list[tuple[str, str]]) -> None:
    report = []
    for where, path in pages:
        response = page.goto(path)
        assert response is not None, f"{where}: {path}"
        assert response.status == 200, f"{where}: {path}"
        found = axe_violations(page)
        if found:
            report.append(f"{where} ({path}):\n{axe_summary(found)}")
    assert not report, "\n".join(report)


@pytest.fixture
def failed(monkeypatch):
    """An approved meeting in a Tencent Meeting room whose creation the provider refused."""
    fake = FakeClient(prefix="t")
    fake.fail = [permanent(400, "invalid userid")]
    monkeypatch.setattr("bookings.remote.provider_client", lambda provider: fake)
    organizer = UserFactory(email="organizer@example.com", language="")
    booking = BookingFactory(
        organizer=organizer, room=remote_room(tencent_provider()), topic="Budget", approved=True
    )
    row = ProviderMeeting.objects.get(booking=booking)
    remote_meetings.provider_meeting_sync(meeting_id=row.pk)
    row.refresh_from_db()
    assert row.state == ProviderMeeting.State.FAILED
    return row


def test_it_pages_of_providers_and_their_meetings_pass_axe(page: Page, sign_in, failed):
    it = _staff(roles.IT, is_superuser=True)
    page.set_viewport_size(DESKTOP)
    sign_in(it)
    _assert_pages_accessible(
        page,
        [
            ("provider add", reverse("admin:bookings_provider_add")),
            (
                "provider account",
                reverse("admin:bookings_provider_change", args=[failed.provider_id]),
            ),
            ("provider meetings", reverse("admin:bookings_providermeeting_changelist")),
            ("failed meeting", reverse("admin:bookings_providermeeting_change", args=[failed.pk])),
            (
                "booking with its provider panel",
                reverse("admin:bookings_booking_change", args=[failed.booking_id]),
            ),
        ],
    )


def test_the_meeting_page_says_the_link_is_on_its_way_and_passes_axe(page: Page, sign_in, failed):
    booking = failed.booking
    sign_in(booking.organizer)
    _assert_pages_accessible(
        page, [("meeting page", reverse("bookings:meeting", args=[booking.pk])), ("home", "/")]
    )
    page.goto(reverse("bookings:meeting", args=[booking.pk]))
    expect(page.get_by_test_id("link-on-its-way")).to_be_visible()


def test_the_approver_types_the_manual_rooms_password_and_approves(page: Page, sign_in):
    approver = _staff(roles.APPROVERS)
    room = RoomFactory(manual=True, name="Manual A", join_url="https://meet.example.com/fixed")
    booking = BookingFactory(room=room, topic="Merger talks", confidential=True)
    page.set_viewport_size(DESKTOP)
    sign_in(approver)
    change = reverse("admin:bookings_booking_change", args=[booking.pk])
    _assert_pages_accessible(page, [("decision box with the password", change)])

    page.goto(change)
    page.locator("#id_meeting_password").fill("735190")
    page.locator("#id_meeting_password").press("Tab")
    page.locator('input[type="submit"].default').press("Enter")
    page.wait_for_url("**/admin/bookings/booking/**")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert booking.meeting_password == "735190"


def test_without_the_password_the_approval_is_refused_on_the_page(page: Page, sign_in):
    approver = _staff(roles.APPROVERS)
    room = RoomFactory(manual=True, name="Manual B", join_url="https://meet.example.com/fixed")
    booking = BookingFactory(room=room, topic="Merger talks", confidential=True)
    sign_in(approver)
    page.goto(reverse("admin:bookings_booking_change", args=[booking.pk]))
    page.locator('input[type="submit"].default').click()
    expect(page.locator(".messagelist .error")).to_be_visible()
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.PENDING
