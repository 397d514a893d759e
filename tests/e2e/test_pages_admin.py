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


def test_approver_admin_pages_pass_axe(
    page: Page, sign_in, assert_accessible, approver, queue_data
):
    page.set_viewport_size(DESKTOP)
    sign_in(approver)
    report = []
    for where, path in [
        ("admin index", "/admin/"),
        ("booking queue", QUEUE),
        ("booking queue, pending", QUEUE + "?status__exact=pending"),
        ("pending single booking", _change(queue_data["single"])),
        ("pending series", _change(queue_data["series"])),
        ("booking history", _change(queue_data["single"]) + "history/"),
        ("room list", reverse("admin:bookings_room_changelist")),
        ("users list", reverse("admin:security_user_changelist")),
    ]:
        page.goto(path)
        found = axe_violations(page)
        if found:
            report.append(f"{where}:\n{axe_summary(found)}")
    assert not report, "\n".join(report)


def test_queue_shows_start_status_and_series_columns_at_1280_px(
    page: Page, sign_in, approver, queue_data
):
    page.set_viewport_size(DESKTOP)
    sign_in(approver)
    page.goto(QUEUE)

    width = DESKTOP["width"]
    for column in ("first_meeting", "status", "series"):
        for cell in (f"#result_list th.column-{column}", f"#result_list td.field-{column}"):
            box = page.locator(cell).first.bounding_box()
            assert box is not None, cell
            assert box["x"] >= 0, cell
            assert box["x"] + box["width"] <= width, f"{cell} ends at {box['x'] + box['width']}"
    screenshot(page, "admin-queue-en-desktop")
