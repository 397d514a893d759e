"""BK-11 on the meeting page, through the test client: an invitee answers with a plain
POST and is sent back to the page; a refusal is shown next to its field and changes
nothing; the organizer sees who comes, with counts, each person's answer, a decliner's
reason and the guests' addresses; nobody else sees that list."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bookings import services
from bookings.models import Participant
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.conftest import signed_in
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitee(db):
    return UserFactory(email="ivan@example.com", name="Ivan Invitee")


@pytest.fixture
def meeting(organizer, invitee, approver, policy):
    booking = book(
        organizer,
        RoomFactory(capacity=20, allows_external_guests=True),
        attendee_users=[invitee],
        attendee_emails=["gina@partner.example"],
        topic="Merger talks",
    )
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def page_url(booking) -> str:
    return reverse("bookings:meeting", args=[booking.pk])


def answer_url(booking) -> str:
    return reverse("bookings:meeting_answer", args=[booking.pk])


def row(booking, email, start=None) -> Participant:
    return Participant.objects.get(
        booking=booking, email=email, occurrence__start=start or at(2, "10:00")
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_an_invitee_sees_the_answer_form_and_not_the_list(client, meeting, invitee):
    body = text(signed_in(client, invitee).get(page_url(meeting)))

    assert 'data-testid="answer"' in body
    assert 'name="response" value="declined"' in body
    assert 'data-testid="who-comes"' not in body


def test_an_invitee_accepts_with_a_plain_post_and_returns_to_the_page(client, meeting, invitee):
    occurrence = row(meeting, "ivan@example.com").occurrence_id
    response = signed_in(client, invitee).post(
        answer_url(meeting), {"occurrence": occurrence, "response": "accepted"}, follow=True
    )

    assert response.redirect_chain == [(page_url(meeting), 302)]
    assert "Your answer is recorded: accepted." in text(response)
    assert row(meeting, "ivan@example.com").response == "accepted"
    assert AuditEvent.objects.get(action="participant.answered").data["via"] == "page"


def test_a_decline_without_a_reason_is_shown_at_the_reason_and_changes_nothing(
    client, meeting, invitee
):
    response = signed_in(client, invitee).post(
        answer_url(meeting), {"response": "declined", "reason": ""}
    )

    assert response.status_code == 200
    body = text(response)
    error = re.search(
        r'<small id="id_reason_error" class="field-error" role="alert">(.*?)</small>', body
    )
    assert error is not None
    assert "leave request" in error.group(1)
    assert 'aria-invalid="true"' in body
    # What was chosen is kept.
    assert re.search(r'value="declined"[^>]*checked', body)
    assert row(meeting, "ivan@example.com").response == "needs_action"


def test_the_organizer_sees_who_comes_and_why_others_do_not(client, meeting, organizer, invitee):
    services.participant_answer(
        participant=row(meeting, "gina@partner.example"),
        response="declined",
        reason="At a trade fair",
        actor=None,
        via="link",
    )

    body = text(signed_in(client, organizer).get(page_url(meeting)))

    assert 'data-testid="who-comes"' in body
    assert 'data-testid="answer"' not in body  # the organizer comes: nothing to answer
    assert "Coming: 1 · May come: 0 · Not coming: 1 · Not answered: 1" in body
    assert "gina@partner.example" in body
    assert "At a trade fair" in body
    assert "Ivan Invitee" in body


def test_the_organizer_cannot_answer_by_posting(client, meeting, organizer):
    response = signed_in(client, organizer).post(
        answer_url(meeting), {"response": "declined", "reason": "x"}, follow=True
    )

    assert "You have no meeting of this booking to answer" in text(response)
    assert row(meeting, "organizer@example.com").response == "accepted"


def test_someone_not_invited_gets_a_404(client, meeting):
    stranger = UserFactory()

    response = signed_in(client, stranger).post(answer_url(meeting), {"response": "accepted"})

    assert response.status_code == 404


def test_a_series_answer_for_the_rest_applies_to_the_later_meetings(
    client, organizer, invitee, approver, policy
):
    series = book(
        organizer,
        RoomFactory(capacity=20),
        attendee_users=[invitee],
        recurrence_rule={"freq": "weekly", "count": 3},
    )
    services.booking_approve(booking=series, actor=approver)
    second = row(series, "ivan@example.com", at(9, "10:00"))

    body = text(signed_in(client, invitee).get(page_url(series)))
    assert "This meeting and the rest of the series" in body

    client.post(
        answer_url(series),
        {
            "occurrence": second.occurrence_id,
            "response": "declined",
            "reason": "Course",
            "scope": "following",
        },
    )

    answers = list(
        Participant.objects.filter(booking=series, user=invitee)
        .order_by("occurrence__start")
        .values_list("response", flat=True)
    )
    assert answers == ["needs_action", "declined", "declined"]


def test_the_organizer_picks_which_meeting_of_a_series_to_see(
    client, organizer, invitee, approver, policy
):
    series = book(
        organizer,
        RoomFactory(capacity=20),
        attendee_users=[invitee],
        recurrence_rule={"freq": "weekly", "count": 2},
    )
    services.booking_approve(booking=series, actor=approver)
    second = row(series, "ivan@example.com", at(9, "10:00"))
    services.participant_answer(
        participant=second, response="tentative", reason="", actor=invitee, via="page"
    )
    client = signed_in(client, organizer)

    first_page = text(client.get(page_url(series)))
    second_page = text(client.get(page_url(series), {"answers": second.occurrence_id}))

    assert "May come: 0" in first_page
    assert "May come: 1" in second_page


def test_admin_shows_the_next_meetings_counts_but_not_who_or_why(
    client, meeting, invitee, supervisor
):
    services.participant_answer(
        participant=row(meeting, "gina@partner.example"),
        response="declined",
        reason="At a trade fair",
        actor=None,
        via="link",
    )

    response = signed_in(client, supervisor).get(
        reverse("admin:bookings_booking_change", args=[meeting.pk])
    )

    body = text(response)
    assert "Coming: 1 · May come: 0 · Not coming: 1 · Not answered: 1" in body
    assert "At a trade fair" not in body


def test_home_shows_my_answer_and_where_to_give_it(client, meeting, invitee, organizer):
    body = text(signed_in(client, invitee).get(reverse("home")))

    assert 'data-testid="home-answer"' in body
    assert "Not answered" in body
    assert f'href="{page_url(meeting)}#answer"' in body

    services.participant_answer(
        participant=row(meeting, "ivan@example.com"),
        response="accepted",
        actor=invitee,
        via="page",
    )
    body = text(client.get(reverse("home")))
    assert "Accepted" in body
    assert f'href="{page_url(meeting)}#answer"' not in body

    # The organizer comes: no answer shown on their home page.
    assert 'data-testid="home-answer"' not in text(
        signed_in(client, organizer).get(reverse("home"))
    )


def test_the_choice_of_meetings_names_their_weekday_in_the_readers_language(
    client, organizer, invitee, approver, policy
):
    series = book(
        organizer,
        RoomFactory(capacity=20),
        attendee_users=[invitee],
        recurrence_rule={"freq": "weekly", "count": 2},
    )
    services.booking_approve(booking=series, actor=approver)

    chinese = signed_in(client, organizer, language="zh-hans").get(page_url(series))

    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", chinese.content.decode())
    assert "周三 2026-12-09 10:00–11:00" in options
    assert "周三 2026-12-16 10:00–11:00" in options
    assert not [o for o in options if "Wed" in o]
