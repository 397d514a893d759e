"""Every page an employee can open, axe-checked in one sweep, in English and Chinese:
the pages with their data (a series with a colleague and a guest), the pages a person
meets on the way (confirmations, empty lists, the meeting an invitee sees, a confidential
one seen from inside) and the error pages. The other browser tests check each page's
behaviour; this one makes sure no page is left out of axe, and prints each page's
findings by impact (`pytest -s`) for the record."""

from __future__ import annotations

import collections

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from bookings.models import Attendee
from tests.e2e.conftest import axe_summary
from tests.factories import BookingFactory, RoomFactory, UserFactory, next_wednesday_at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _axe_all(page: Page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


@pytest.fixture
def world():
    """An organizer with an approved weekly series (a colleague and a guest invited), a
    pending request, and a confidential meeting a colleague is invited to."""
    organizer = UserFactory(name="Olga Organizer")
    colleague = UserFactory(name="Ivan Invitee")
    approver = UserFactory(name="Ada Approver", is_staff=True, is_superuser=True)
    room = RoomFactory(name="Tencent A", capacity=20, allows_external_guests=True)
    series = BookingFactory(
        organizer=organizer,
        room=room,
        topic="Quarterly review",
        series=True,
        approved_by=approver,
        attendee_users=[colleague],
        attendee_emails=["gina@partner.example"],
    )
    pending = BookingFactory(
        organizer=organizer, room=room, topic="Budget", start=next_wednesday_at("15:00")
    )
    secret = BookingFactory(
        organizer=organizer,
        room=RoomFactory(name="Zoom B"),
        topic="Board only",
        confidential=True,
        start=next_wednesday_at("13:00"),
        attendee_users=[colleague],
        approved_by=approver,
    )
    guest = Attendee.objects.get(booking=series, email="gina@partner.example")
    return {
        "organizer": organizer,
        "colleague": colleague,
        "room": room,
        "series": series,
        "pending": pending,
        "secret": secret,
        "guest": guest,
        "day": next_wednesday_at("10:00").date().isoformat(),
    }


def _organizer_pages(world) -> list[str]:
    series, pending = world["series"], world["pending"]
    first = series.occurrences.order_by("start").first()
    return [
        reverse("home"),
        reverse("security:profile"),
        reverse("bookings:book"),
        reverse("bookings:book") + f"?room={world['room'].pk}&date={world['day']}&start=16:00",
        reverse("bookings:calendar") + f"?date={world['day']}",
        reverse("bookings:calendar_room", args=[world["room"].pk]),
        reverse("bookings:calendar_mine"),
        reverse("bookings:mine"),
        reverse("bookings:mine") + "?tab=pending",
        reverse("bookings:mine") + "?tab=rejected",
        reverse("bookings:meeting", args=[series.pk]),
        reverse("bookings:meeting", args=[pending.pk]),
        reverse("bookings:meeting_change", args=[series.pk]),
        reverse("bookings:meeting_cancel", args=[series.pk]),
        reverse("bookings:meeting_cancel", args=[series.pk]) + f"?occurrence={first.pk}",
        reverse("bookings:meeting_attendee_remove", args=[series.pk, world["guest"].pk]),
        reverse("security:tokens"),
    ]


def _sweep(page: Page, paths: list[str], *, who: str, language: str, expect_status=200):
    findings = {}
    for path in paths:
        response = page.goto(path)
        assert response is not None, path
        assert response.status == expect_status, f"{path}: {response.status}"
        violations = _axe_all(page)
        findings[path] = violations
        serious = [v for v in violations if v.get("impact") in {"serious", "critical"}]
        assert not serious, f"axe on {path} ({who}, {language}):\n{axe_summary(serious)}"
    for path, violations in findings.items():
        counts = collections.Counter(v.get("impact") for v in violations)
        shown = ", ".join(f"{impact} {n}" for impact, n in sorted(counts.items())) or "none"
        print(f"axe {language} {who:9} {path}: {shown}")  # noqa: T201 (the record, with -s)


@pytest.mark.parametrize("page_locale", ["en-US", "zh-CN"])
def test_every_page_of_an_organizer_passes_axe(page: Page, sign_in, world, page_locale):
    sign_in(world["organizer"])
    _sweep(page, _organizer_pages(world), who="organizer", language=page_locale)


@pytest.mark.parametrize("page_locale", ["en-US", "zh-CN"])
def test_an_invitees_pages_and_the_error_pages_pass_axe(page: Page, sign_in, world, page_locale):
    sign_in(world["colleague"])
    invitee_pages = [
        reverse("home"),
        reverse("bookings:meeting", args=[world["series"].pk]),
        reverse("bookings:meeting", args=[world["secret"].pk]),
        reverse("bookings:mine"),
        reverse("bookings:calendar_mine"),
    ]
    _sweep(page, invitee_pages, who="invitee", language=page_locale)
    # Not the organizer: the change page is refused, in the site's look.
    refused = [reverse("bookings:meeting_change", args=[world["series"].pk])]
    response = page.goto(refused[0])
    assert response is not None
    _sweep(page, refused, who="invitee", language=page_locale, expect_status=response.status)
    assert response.status in (403, 404)
    _sweep(page, ["/no-such-page/"], who="invitee", language=page_locale, expect_status=404)


@pytest.mark.parametrize("page_locale", ["en-US", "zh-CN"])
def test_a_guests_sign_in_link_and_its_refusal_pass_axe(page: Page, world, page_locale):
    """BK-13: the reminder's sign-in link, opened by a guest with no account, and a link
    that is not valid (its 404 page)."""
    from bookings import links
    from bookings.models import Participant

    first = world["series"].occurrences.order_by("start").first()
    guest = Participant.objects.get(occurrence=first, email="gina@partner.example")
    path = links.sign_in_url(guest).removeprefix(links.absolute(""))
    _sweep(page, [path], who="guest", language=page_locale)
    _sweep(page, ["/sign-in/not-a-link/"], who="guest", language=page_locale, expect_status=404)
