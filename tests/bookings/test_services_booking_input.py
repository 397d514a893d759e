"""BK-1/BK-5: a change passes every input check a request passes, and a topic or an
agenda holds only text that shows what it says (a topic is every email's subject)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from rest_framework.test import APIClient

from bookings import services
from bookings.models import Booking, BookingChange, Occurrence
from bookings.validation import BookingInputError
from tests.bookings.conftest import at, book

pytestmark = pytest.mark.django_db
S = Occurrence.Status
WEEKLY_3 = {"freq": "weekly", "weekdays": [3], "count": 3}


def approved(organizer, room, approver, **extra) -> Booking:
    booking = book(organizer, room, **extra)
    return services.booking_approve(booking=booking, actor=approver)


def refused(call, **kwargs) -> BookingInputError:
    with pytest.raises(BookingInputError) as error:
        call(**kwargs)
    return error.value


# -- a change is checked as a request is ---------------------------------------------------


@pytest.mark.parametrize("headcount", [0, -5])
@pytest.mark.parametrize("rule", [None, WEEKLY_3], ids=["single", "series"])
def test_a_change_to_a_headcount_under_one_is_refused_and_changes_nothing(
    organizer, room, approver, headcount, rule
):
    booking = approved(organizer, room, approver, recurrence_rule=rule)

    error = refused(
        services.booking_change, booking=booking, actor=organizer, expected_headcount=headcount
    )

    assert error.code == "headcount_invalid"
    assert list(error.fields) == ["expected_headcount"]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert booking.expected_headcount == 3
    assert not BookingChange.objects.exists()
    assert not booking.occurrences.filter(status=S.PENDING).exists()


def test_a_change_to_an_unknown_mode_is_refused(organizer, room, approver):
    booking = approved(organizer, room, approver)

    error = refused(services.booking_change, booking=booking, actor=organizer, mode="fax")

    assert error.code == "invalid_mode"
    booking.refresh_from_db()
    assert booking.mode == Booking.Mode.VIDEO


def test_a_change_of_time_is_checked_with_the_time_it_keeps(organizer, room):
    booking = book(organizer, room)

    error = refused(services.booking_change, booking=booking, actor=organizer, start=at(2, "11:30"))

    assert error.code == "end_before_start"


# -- topic and agenda ----------------------------------------------------------------------

BAD_TOPICS = {
    "CR/LF (a header injection)": "Budget\r\nBcc: everyone@example.com",
    "a line feed": "Budget\nreview",
    "a NUL": "Budget\x00",
    "an escape": "Budget \x1b[31mred",
    "a tab": "Budget\treview",
    "a line separator": "Budget\u2028review",
    "a right-to-left override": "Invoice \u202egnp.exe",
    "a left-to-right embedding": "\u202aBudget",
    "a first-strong isolate": "Budget \u2068review\u2069",
    "zero-width spaces only": "\u200b\u200b\u200b",
    "a zero-width joiner and a BOM": "\u200d\ufeff",
    "a Hangul filler": "\u3164",
    "combining marks only": "\u0301\u0301",
}


@pytest.mark.parametrize("topic", BAD_TOPICS.values(), ids=BAD_TOPICS.keys())
def test_a_request_with_a_topic_that_does_not_show_what_it_says_is_refused(organizer, room, topic):
    error = refused(book, organizer=organizer, room=room, topic=topic)

    assert error.code == "topic_invalid"
    assert list(error.fields) == ["topic"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("topic", BAD_TOPICS.values(), ids=BAD_TOPICS.keys())
def test_a_change_to_a_topic_that_does_not_show_what_it_says_is_refused(organizer, room, topic):
    booking = book(organizer, room)

    error = refused(services.booking_change, booking=booking, actor=organizer, topic=topic)

    assert error.code == "topic_invalid"
    booking.refresh_from_db()
    assert booking.topic == "Quarterly review"


def test_the_refusal_names_the_character_and_says_what_to_do(organizer, room):
    with translation.override("en"):
        error = refused(book, organizer=organizer, room=room, topic="Budget\r\nBcc: x")

    assert "U+000D" in error.detail
    assert "one line" in error.detail


@pytest.mark.parametrize(
    "topic",
    [
        "季度预算评审",
        "مراجعة الميزانية",
        "Budget\u200breview",
        "Café \u2014 5 mins",
        "שלום 1\u200f",
    ],
)
def test_topics_in_any_script_with_a_stray_format_character_are_kept(organizer, room, topic):
    assert book(organizer, room, topic=topic).topic == topic


def test_an_agenda_keeps_its_line_breaks_and_tabs(organizer, room):
    agenda = "1. Numbers\r\n2. Plans\n\t- hiring"

    booking = book(organizer, room, agenda=agenda)

    booking.refresh_from_db()
    assert booking.agenda == agenda


@pytest.mark.parametrize("agenda", ["1. Numbers\x00", "\x1b[2J", "a\x7fb", "see \u202eexe.txt"])
def test_an_agenda_with_other_control_characters_is_refused_in_request_and_change(
    organizer, room, agenda
):
    error = refused(book, organizer=organizer, room=room, agenda=agenda)
    assert error.code == "agenda_invalid"
    assert list(error.fields) == ["agenda"]

    booking = book(organizer, room, agenda="Numbers")
    error = refused(services.booking_change, booking=booking, actor=organizer, agenda=agenda)
    assert error.code == "agenda_invalid"
    booking.refresh_from_db()
    assert booking.agenda == "Numbers"


def test_the_api_refuses_a_topic_with_a_line_break_with_its_code_and_field(organizer, room):
    client = APIClient()
    client.force_login(organizer)
    body = {
        "room": room.pk,
        "start": at(2, "10:00").isoformat(),
        "end": at(2, "11:00").isoformat(),
        "topic": "Budget\r\nBcc: everyone@example.com",
        "expected_headcount": 3,
    }

    response = client.post("/api/v1/bookings/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "topic_invalid"
    assert "topic" in response.json()["fields"]
    assert not Booking.objects.exists()


def test_a_topic_accepted_is_one_every_email_can_carry(
    organizer, room, approver, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(organizer, room, topic="  Budget review \r\n")
        services.booking_approve(booking=booking, actor=approver)

    assert booking.topic == "Budget review"
    assert {m.to[0]: m.subject.endswith("Budget review") for m in mail.outbox} == {
        "approver@example.com": True,
        "organizer@example.com": True,
    }
