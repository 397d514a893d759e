"""BK-11: the invitation's one-click signed link, for an external guest without an
account: GET shows that one meeting with the link's answer preselected and changes
nothing (mail scanners open links); POST records it for that participant only; a link
that is not valid is a 404 page, one after the meeting's end a 410 page."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from bookings import links, services
from bookings.models import AnswerDigest, Participant
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(organizer, approver, policy):
    booking = book(
        organizer,
        RoomFactory(name="Tencent A", capacity=20, allows_external_guests=True),
        attendee_users=[UserFactory(email="ivan@example.com")],
        attendee_emails=["gina@partner.example", "otto@other.example"],
        topic="Merger talks",
        agenda="Secret numbers",
        confidential=True,
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def guest(booking, email="gina@partner.example") -> Participant:
    return Participant.objects.get(booking=booking, email=email)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


def csrf_post(browser: Client, path: str, data: dict):
    """A POST as the page's form makes it: with the CSRF token the GET gave."""
    page = browser.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    return browser.post(path, {**data, "csrfmiddlewaretoken": token.group(1)})


def test_the_get_shows_the_one_meeting_with_the_answer_preselected(browser, meeting):
    response = browser.get(path_of(links.answer_url(guest(meeting), "declined")))

    assert response.status_code == 200
    body = text(response)
    # SE-5: a confidential meeting shows its invitee what an invitee may see.
    assert "Merger talks" in body
    assert 'data-testid="confidential-notice"' in body
    assert re.search(r'value="declined"[^>]*checked', body)
    assert "Tencent A" in body
    # Nothing of anyone else: no other guest, no agenda, no join link.
    assert "otto@other.example" not in body
    assert "ivan@example.com" not in body
    assert "Secret numbers" not in body
    assert response["X-Robots-Tag"] == "noindex"


def test_opening_the_link_changes_nothing(browser, meeting):
    for response in ("accepted", "declined", "tentative", ""):
        browser.get(path_of(links.answer_url(guest(meeting), response)))

    assert guest(meeting).response == "needs_action"
    assert not AuditEvent.objects.filter(action="participant.answered").exists()
    assert not AnswerDigest.objects.exists()


def test_the_post_records_the_guests_decline_with_its_reason(browser, meeting):
    path = path_of(links.answer_url(guest(meeting), "declined"))

    response = csrf_post(browser, path, {"response": "declined", "reason": "At a trade fair"})

    assert response.status_code == 302
    assert response["Location"] == path.split("?")[0]
    row = guest(meeting)
    assert (row.response, row.response_reason) == ("declined", "At a trade fair")
    assert guest(meeting, "otto@other.example").response == "needs_action"
    event = AuditEvent.objects.get(action="participant.answered")
    assert (event.actor, event.data["via"]) == (None, "link")
    assert "Thank you: your answer is recorded" in text(browser.get(response["Location"]))


def test_a_decline_without_a_reason_asks_for_it_and_changes_nothing(browser, meeting):
    path = path_of(links.answer_url(guest(meeting), "declined"))

    response = csrf_post(browser, path, {"response": "declined", "reason": ""})

    assert response.status_code == 200
    assert 'id="id_reason_error"' in text(response)
    assert guest(meeting).response == "needs_action"


def test_the_post_needs_the_csrf_token(browser, meeting):
    path = path_of(links.answer_url(guest(meeting)))

    response = browser.post(path, {"response": "accepted"})

    assert response.status_code == 403
    assert guest(meeting).response == "needs_action"


def test_a_link_answers_for_its_own_participant_only(browser, meeting):
    gina, otto = guest(meeting), guest(meeting, "otto@other.example")
    path = path_of(links.answer_url(gina))

    # Whatever the form says of a meeting, the link's participant is who answers.
    csrf_post(browser, path, {"response": "accepted", "occurrence": otto.occurrence_id + 999})

    gina.refresh_from_db()
    otto.refresh_from_db()
    assert (gina.response, otto.response) == ("accepted", "needs_action")


def test_a_forged_or_altered_token_is_a_404_page(browser, meeting):
    token = links.participant_token(guest(meeting), links.ANSWER)
    other = guest(meeting, "otto@other.example")

    for bad in (token[:-2] + "xx", "nonsense", links.participant_token(other, links.SIGN_IN)):
        response = browser.get(f"/invitation/{bad}/")
        assert response.status_code == 404
        assert "This link is not valid" in text(response)
        assert "Merger talks" not in text(response)


def test_a_removed_guests_link_is_a_404_page(browser, meeting, organizer):
    url = path_of(links.answer_url(guest(meeting)))
    attendee = meeting.attendees.get(email="gina@partner.example")
    services.booking_attendee_remove(booking=meeting, actor=organizer, attendee=attendee)

    response = browser.get(url)

    assert response.status_code == 404
    assert "You are no longer invited" in text(response)


def test_the_link_is_gone_after_the_meeting_ends(browser, meeting):
    path = path_of(links.answer_url(guest(meeting)))

    with time_machine.travel(at(2, "11:00"), tick=False):
        response = browser.get(path)

    assert response.status_code == 410
    assert "This meeting has ended" in text(response)
    assert "Merger talks" not in text(response)


def test_during_the_meeting_the_link_shows_it_but_takes_no_answer(browser, meeting):
    path = path_of(links.answer_url(guest(meeting)))

    with time_machine.travel(at(2, "10:30"), tick=False):
        body = text(browser.get(path))

    assert 'data-testid="answer-form"' not in body
    assert "This meeting has started" in body


def test_a_guest_of_a_series_may_answer_the_rest_without_seeing_it(
    browser, organizer, approver, policy
):
    series = book(
        organizer,
        RoomFactory(capacity=20, allows_external_guests=True),
        attendee_emails=["gina@partner.example"],
        recurrence_rule={"freq": "weekly", "count": 3},
    )
    services.booking_approve(booking=series, actor=approver)
    first = Participant.objects.get(
        booking=series, email="gina@partner.example", occurrence__start=at(2, "10:00")
    )
    path = path_of(links.answer_url(first))

    body = text(browser.get(path))
    assert "This meeting and the 2 later meetings of the series" in body
    assert at(9, "10:00").strftime("%Y-%m-%d") not in body

    csrf_post(browser, path, {"response": "accepted", "scope": "following"})

    assert set(Participant.objects.filter(booking=series).values_list("response", flat=True)) == {
        "accepted"
    }


def test_a_series_link_answers_its_own_meeting_only_by_default(
    browser, organizer, approver, policy
):
    series = book(
        organizer,
        RoomFactory(capacity=20, allows_external_guests=True),
        attendee_emails=["gina@partner.example"],
        recurrence_rule={"freq": "weekly", "count": 3},
    )
    services.booking_approve(booking=series, actor=approver)
    second = Participant.objects.get(
        booking=series, email="gina@partner.example", occurrence__start=at(9, "10:00")
    )

    csrf_post(browser, path_of(links.answer_url(second)), {"response": "tentative"})

    assert list(
        Participant.objects.filter(booking=series, role="guest")
        .order_by("occurrence__start")
        .values_list("response", flat=True)
    ) == ["needs_action", "tentative", "needs_action"]
