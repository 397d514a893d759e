"""BK-4, X-2 and the admin's accessibility in a real browser: approvers, IT and the
supervision team work in Django admin; every page they open passes axe-core (no serious
or critical finding), the queue's key columns fit a 1280 px screen, and a decision
taken from a filtered queue returns to that filtered queue.

Language checks read `<html lang>`, not translated words (the catalogue is compiled at
the merge)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from playwright.sync_api import Page, expect

from bookings.models import Booking
from oversight.models import AuditEvent
from security import roles
from tests.e2e.conftest import DESKTOP, axe_summary, axe_violations, screenshot
from tests.factories import (
    BookingFactory,
    DepartmentFactory,
    RoomFactory,
    UserFactory,
    next_wednesday_at,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

QUEUE = "/admin/bookings/booking/"
PENDING_QUEUE = QUEUE + "?status__exact=pending"
BEAT = "admin:django_celery_beat_periodictask"


def _staff(group: str, **extra):
    return UserFactory(is_staff=True, groups=[group], language="", **extra)


@pytest.fixture
def approver():
    return _staff(roles.APPROVERS)


@pytest.fixture
def queue_data():
    """The queue as approvers see it: long topics, names, departments and rooms (what
    pushed the start, status and series columns out of a 1280 px screen), a pending
    single meeting, a pending weekly series and an approved meeting."""
    department = DepartmentFactory(name="Regional Sales and Partner Development Centre")
    organizer = UserFactory(
        name="Ouyang Xiaoming-Alexandra",
        email="ouyang.xiaoming.alexandra@example.com",
        department=department,
    )
    room = RoomFactory(name="Tencent Meeting Large Room A (headquarters)", capacity=10)
    single = BookingFactory(
        organizer=organizer,
        room=room,
        topic="Quarterly review of the regional sales pipeline with our channel partners",
    )
    series = BookingFactory(
        organizer=organizer,
        room=RoomFactory(name="Zoom B", capacity=20),
        topic="Weekly sync of the partner onboarding programme and its training plan",
        series=True,
    )
    BookingFactory(room=room, topic="Kick-off", approved=True, start=next_wednesday_at("14:00"))
    return {"single": single, "series": series, "room": room}


def _change(booking: Booking) -> str:
    return reverse("admin:bookings_booking_change", args=[booking.pk])


def _assert_pages_accessible(page: Page, pages: list[tuple[str, str]]) -> None:
    """axe on each page in turn; every page's findings are reported together."""
    report = []
    for where, path in pages:
        response = page.goto(path)
        assert response is not None, f"{where}: {path}"
        assert response.status == 200, f"{where}: {path}"
        found = axe_violations(page)
        if found:
            report.append(f"{where} ({path}):\n{axe_summary(found)}")
    assert not report, "\n".join(report)


def test_an_approvers_admin_pages_pass_axe(page: Page, sign_in, approver, queue_data):
    page.set_viewport_size(DESKTOP)
    sign_in(approver)
    single, series = queue_data["single"], queue_data["series"]

    _assert_pages_accessible(
        page,
        [
            ("admin index", "/admin/"),
            ("booking queue", QUEUE),
            ("booking queue, pending", QUEUE + "?status__exact=pending"),
            ("pending single booking", _change(single)),
            ("pending series", _change(series)),
            ("booking history", reverse("admin:bookings_booking_history", args=[single.pk])),
            ("room list", reverse("admin:bookings_room_changelist")),
            ("room form", reverse("admin:bookings_room_change", args=[queue_data["room"].pk])),
            ("blackout form", reverse("admin:bookings_blackout_add")),
            ("users list", reverse("admin:security_user_changelist")),
            ("user page", reverse("admin:security_user_change", args=[approver.pk])),
        ],
    )


def test_it_admin_pages_pass_axe(page: Page, sign_in, queue_data):
    it = _staff(roles.IT)
    task = PeriodicTask.objects.order_by("pk").first()
    page.set_viewport_size(DESKTOP)
    sign_in(it)

    _assert_pages_accessible(
        page,
        [
            ("admin index", "/admin/"),
            ("audit list", reverse("admin:oversight_auditevent_changelist")),
            ("audit event", reverse("admin:oversight_auditevent_change", args=[_event().pk])),
            ("schedules list", reverse(f"{BEAT}_changelist")),
            (
                "schedule page",
                reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]),
            ),
            ("users list", reverse("admin:security_user_changelist")),
            ("user page", reverse("admin:security_user_change", args=[it.pk])),
            ("user add", reverse("admin:security_user_add")),
            ("department add", reverse("admin:security_department_add")),
        ],
    )


def test_a_supervisors_admin_pages_pass_axe(page: Page, sign_in, queue_data):
    supervisor = _staff(roles.SUPERVISORS)
    page.set_viewport_size(DESKTOP)
    sign_in(supervisor)

    _assert_pages_accessible(
        page,
        [
            ("admin index", "/admin/"),
            ("booking queue", QUEUE),
            ("pending series", _change(queue_data["series"])),
            ("audit list", reverse("admin:oversight_auditevent_changelist")),
            ("audit event", reverse("admin:oversight_auditevent_change", args=[_event().pk])),
            ("suspension form", reverse("admin:bookings_bookingsuspension_add")),
        ],
    )


@pytest.mark.parametrize("page_locale", ["zh-CN"])
def test_the_queue_and_a_booking_pass_axe_in_chinese(page: Page, sign_in, approver, queue_data):
    page.set_viewport_size(DESKTOP)
    sign_in(approver)

    page.goto(QUEUE)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    _assert_pages_accessible(
        page, [("queue (zh)", QUEUE), ("pending series (zh)", _change(queue_data["series"]))]
    )
    page.goto(QUEUE)
    screenshot(page, "admin-queue-zh-desktop")


def _event() -> AuditEvent:
    return AuditEvent.objects.filter(action="booking.requested").order_by("seq").first()


def _inside(page: Page, selector: str, container: str) -> None:
    """The element is wholly on screen: inside the viewport and not clipped by the
    scrolling container it sits in."""
    box = page.locator(selector).first.bounding_box()
    frame = page.locator(container).first.bounding_box()
    assert box is not None, selector
    assert frame is not None, container
    right = min(DESKTOP["width"], frame["x"] + frame["width"])
    assert box["x"] >= max(0, frame["x"]), selector
    assert box["x"] + box["width"] <= right + 0.5, (
        f"{selector} ends at {box['x'] + box['width']:.0f} px, past {right:.0f} px"
    )


def test_the_queues_start_status_and_series_columns_fit_1280_px(
    page: Page, sign_in, approver, queue_data
):
    page.set_viewport_size(DESKTOP)
    sign_in(approver)
    page.goto(QUEUE)

    for column in ("first_meeting", "status", "series"):
        _inside(page, f"#result_list th.column-{column}", "#changelist .results")
        _inside(page, f"#result_list td.field-{column}", "#changelist .results")
    screenshot(page, "admin-queue-en-desktop")


def test_approving_from_the_filtered_queue_returns_to_the_filtered_queue(
    page: Page, live_server, sign_in, assert_accessible, approver, queue_data
):
    single = queue_data["single"]
    page.set_viewport_size(DESKTOP)
    sign_in(approver)
    page.goto(QUEUE + "?status__exact=pending")

    page.get_by_role("link", name=single.topic).click()
    expect(page.locator(".booking-when")).to_contain_text("10:00")
    screenshot(page, "admin-booking-en-desktop")
    page.get_by_role("button", name="Approve", exact=True).click()

    expect(page).to_have_url(
        re.compile(re.escape(live_server.url + QUEUE + "?status__exact=pending") + "$")
    )
    expect(page.locator("ul.messagelist")).to_contain_text("Approved 1 booking request.")
    assert_accessible("the filtered queue with its message")
    single.refresh_from_db()
    assert single.status == Booking.Status.APPROVED
    expect(page.get_by_role("link", name=single.topic)).to_have_count(0)


def test_one_meeting_of_a_series_is_approved_from_its_page(
    page: Page, sign_in, approver, queue_data
):
    series = queue_data["series"]
    first, second = list(series.occurrences.order_by("start"))[:2]
    page.set_viewport_size(DESKTOP)
    sign_in(approver)
    page.goto(_change(series))

    page.locator(f'button[formaction*="/meetings/{second.pk}/approve/"]').click()

    expect(page.locator("ul.messagelist")).to_contain_text("Approved the meeting of")
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status) == ("pending", "approved")
    expect(page.locator(f'button[formaction*="/meetings/{second.pk}/"]')).to_have_count(0)


def test_one_meeting_of_a_series_is_rejected_with_a_reason_from_the_keyboard(
    page: Page, sign_in, assert_accessible, approver, queue_data
):
    series = queue_data["series"]
    first, second = list(series.occurrences.order_by("start"))[:2]
    page.set_viewport_size(DESKTOP)
    sign_in(approver)
    page.goto(_change(series))

    page.locator(f'button[formaction*="/meetings/{first.pk}/reject/"]').focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Reason")).to_be_visible()
    assert_accessible("the reason asked before rejecting one meeting")
    page.get_by_label("Reason").fill("The trainer is away that week")
    page.get_by_role("button", name="Reject", exact=True).click()

    expect(page.locator("ul.messagelist")).to_contain_text("Rejected the meeting of")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.reason) == ("rejected", "The trainer is away that week")
    assert second.status == "pending"
