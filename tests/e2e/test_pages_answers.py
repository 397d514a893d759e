"""BK-11 in a real browser: an invitee answers from the meeting page (a decline asks
for its reason at the field), the organizer reads who comes and why others do not, and
an external guest answers with the invitation's one-click link, without an account.
Every page passes axe; the guest's page in English and Chinese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from bookings import links
from bookings.models import Participant
from tests.e2e.conftest import screenshot
from tests.e2e.steps import LANGUAGES, signed_in_without_javascript, words
from tests.factories import BookingFactory, RoomFactory, UserFactory

# The live server needs a transactional database; the role groups the migrations made
# are restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _meeting(organizer, invitee, **extra):
    return BookingFactory(
        organizer=organizer,
        room=RoomFactory(name="Tencent A", capacity=20, allows_external_guests=True),
        topic="Quarterly review",
        # A superuser approves: no role group needed (a transactional test's flush may
        # have emptied them).
        approved_by=UserFactory(is_staff=True, is_superuser=True),
        attendee_users=[invitee],
        attendee_emails=["gina@partner.example"],
        **extra,
    )


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_an_invitee_declines_from_the_meeting_page_and_the_organizer_reads_why(
    page: Page, sign_in, assert_accessible, browser, live_server
):
    organizer = UserFactory(name="Olga Organizer")
    invitee = UserFactory(name="Ivan Invitee")
    booking = _meeting(organizer, invitee)
    sign_in(invitee)

    page.goto(f"/meetings/{booking.pk}/")
    answer = page.get_by_test_id("answer")
    expect(answer).to_contain_text("Not answered")
    assert_accessible("the meeting page with the answer form")
    answer.get_by_label("Decline: leave request, with a reason").check()
    answer.get_by_role("button", name="Send my answer").click()

    # Refused at the field, nothing changed.
    reason = page.get_by_label("Reason", exact=True)
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_reason_error")).to_contain_text("leave request")
    assert_accessible("the meeting page with the answer refused")
    reason.fill("Annual leave that week")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("status")).to_contain_text("Your answer is recorded: declined.")
    expect(page.get_by_test_id("my-answer")).to_contain_text("Declined")
    row = Participant.objects.get(booking=booking, user=invitee)
    assert (row.response, row.response_reason) == ("declined", "Annual leave that week")

    # The organizer, in a browser of their own, reads who comes.
    with signed_in_without_javascript(browser, live_server.url, organizer) as other:
        other.goto(f"/meetings/{booking.pk}/")
        who = other.get_by_test_id("who-comes")
        expect(who.get_by_test_id("answer-counts")).to_contain_text("Not coming: 1")
        ivan = who.get_by_test_id("who-comes-row").filter(has_text="Ivan Invitee")
        expect(ivan).to_contain_text("Declined")
        expect(ivan).to_contain_text("Annual leave that week")
        expect(who).to_contain_text("gina@partner.example")

    page.context.clear_cookies()
    sign_in(organizer)
    page.goto(f"/meetings/{booking.pk}/")
    expect(page.get_by_test_id("who-comes")).to_be_visible()
    assert_accessible("the meeting page with who comes")


def test_an_invitee_accepts_without_javascript(browser, live_server):
    invitee = UserFactory()
    booking = _meeting(UserFactory(), invitee)

    with signed_in_without_javascript(browser, live_server.url, invitee) as page:
        page.goto(f"/meetings/{booking.pk}/")
        page.get_by_label("Accept: I will come").check()
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_role("status")).to_contain_text("Your answer is recorded: accepted.")

    assert Participant.objects.get(booking=booking, user=invitee).response == "accepted"


@pytest.mark.parametrize("page_locale", ["en-US", "zh-CN"])
def test_a_guest_declines_with_the_one_click_link(page: Page, assert_accessible, page_locale):
    language = LANGUAGES[page_locale]
    booking = _meeting(UserFactory(name="Olga Organizer"), UserFactory())
    gina = Participant.objects.get(booking=booking, email="gina@partner.example")

    # No account, no sign-in: the link is all the guest has.
    page.goto(_path(links.answer_url(gina, "declined")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly review")
    decline = page.get_by_label(words(language, "Decline: leave request, with a reason"))
    expect(decline).to_be_checked()
    assert_accessible(f"the guest's answer page ({page_locale})")
    screenshot(page, f"answer-link-{page_locale[:2]}-desktop")
    gina.refresh_from_db()
    assert gina.response == "needs_action"  # opening the link changed nothing

    page.get_by_label(words(language, "Reason"), exact=True).fill("Travelling that day")
    page.get_by_role("button", name=words(language, "Send my answer")).click()

    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_test_id("current-answer")).to_contain_text(words(language, "Declined"))
    assert_accessible(f"the guest's answer page after answering ({page_locale})")
    gina.refresh_from_db()
    assert (gina.response, gina.response_reason) == ("declined", "Travelling that day")


def test_a_link_that_does_not_work_is_a_clear_page(page: Page, assert_accessible):
    response = page.goto("/invitation/not-a-real-token/")

    assert response.status == 404
    expect(page.get_by_test_id("link-message")).to_contain_text("This link is not valid")
    assert_accessible("the page of a link that is not valid")
