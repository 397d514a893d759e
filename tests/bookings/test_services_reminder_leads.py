"""BK-12: a meeting's own reminder lead times, set on its request and changed later from
the service, the booking form and the API: whole minutes, 1 to a week, at most five;
empty keeps the usage policy's. A change on an approved meeting re-plans the reminders
still to send."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from bookings import services
from bookings.models import Booking, Reminder
from bookings.validation import BookingInputError, clean_reminder_leads
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book, payload
from tests.bookings.test_pages_book import field_error, form_data
from tests.conftest import api_client, signed_in

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("", ""),
        ("  ", ""),
        ("15,1440", "1440,15"),
        (" 60 , 15 ,60", "60,15"),
        ("60，15", "60,15"),
        ("10080", "10080"),
        ("1,2,3,4,5", "5,4,3,2,1"),
    ],
)
def test_lead_times_are_stored_largest_first_each_once(typed, stored):
    assert clean_reminder_leads(typed) == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("soon", "whole minutes"),
        ("15,", "whole minutes"),
        ("1.5", "whole minutes"),
        ("-5", "whole minutes"),
        ("１５", "whole minutes"),  # full-width digits
        ("0", "from 1 to 10080"),
        ("10081", "from 1 to 10080"),
        ("1,2,3,4,5,6", "at most 5"),
    ],
)
def test_lead_times_that_are_not_whole_minutes_within_a_week_are_refused(typed, says):
    with translation.override("en"), pytest.raises(BookingInputError) as refused:
        clean_reminder_leads(typed)
    assert refused.value.code == "reminder_leads_invalid"
    assert says in refused.value.detail
    assert "reminder_lead_minutes" in refused.value.fields


def _pending_leads(booking: Booking) -> set[tuple[str, int, dt.datetime]]:
    return set(
        Reminder.objects.filter(
            occurrence__booking=booking, sent_at__isnull=True, voided_at__isnull=True
        ).values_list("participant__email", "lead_minutes", "due_at")
    )


def test_a_request_with_its_own_lead_times_is_reminded_at_them(organizer, room, approver, policy):
    booking = book(organizer, room, reminder_lead_minutes="30,120")
    assert booking.reminder_lead_minutes == "120,30"

    services.booking_approve(booking=booking, actor=approver)

    start = at(2, "10:00")
    assert _pending_leads(booking) == {
        ("organizer@example.com", 120, start - dt.timedelta(minutes=120)),
        ("organizer@example.com", 30, start - dt.timedelta(minutes=30)),
    }


def test_a_request_with_bad_lead_times_is_refused_and_writes_nothing(organizer, room):
    with pytest.raises(BookingInputError):
        book(organizer, room, reminder_lead_minutes="0")
    assert not Booking.objects.exists()


def test_changing_the_lead_times_of_an_approved_meeting_replans_at_once(
    organizer, room, approver, policy
):
    booking = book(organizer, room)
    services.booking_approve(booking=booking, actor=approver)
    assert {lead for _e, lead, _d in _pending_leads(booking)} == {1440, 15}

    services.booking_change(booking=booking, actor=organizer, reminder_lead_minutes="60,15")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED  # a plain change: no approver
    assert {lead for _e, lead, _d in _pending_leads(booking)} == {60, 15}
    assert Reminder.objects.filter(lead_minutes=1440, voided_at__isnull=False).count() == 1
    assert Reminder.objects.filter(lead_minutes=15).count() == 1  # kept, not made again
    event = AuditEvent.objects.filter(action="booking.changed").get()
    assert event.data["changes"] == {"reminder_lead_minutes": {"old": "", "new": "60,15"}}


def test_emptying_the_lead_times_goes_back_to_the_policys(organizer, room, approver, policy):
    booking = book(organizer, room, reminder_lead_minutes="60")
    services.booking_approve(booking=booking, actor=approver)

    services.booking_change(booking=booking, actor=organizer, reminder_lead_minutes="")

    assert {lead for _e, lead, _d in _pending_leads(booking)} == {1440, 15}


def test_a_reminder_already_sent_is_not_planned_again(organizer, room, approver, policy):
    booking = book(organizer, room)
    services.booking_approve(booking=booking, actor=approver)
    Reminder.objects.filter(lead_minutes=1440).update(sent_at=at(0, "09:00"))

    services.booking_change(booking=booking, actor=organizer, reminder_lead_minutes="1440,60")

    assert Reminder.objects.filter(lead_minutes=1440).count() == 1
    assert {lead for _e, lead, _d in _pending_leads(booking)} == {60}


def test_a_change_to_bad_lead_times_is_refused_and_changes_nothing(
    organizer, room, approver, policy
):
    booking = book(organizer, room)
    services.booking_approve(booking=booking, actor=approver)
    before = _pending_leads(booking)

    with pytest.raises(BookingInputError):
        services.booking_change(booking=booking, actor=organizer, reminder_lead_minutes="abc")

    booking.refresh_from_db()
    assert booking.reminder_lead_minutes == ""
    assert _pending_leads(booking) == before


# -- the API ---------------------------------------------------------------------------------


def test_the_api_takes_shows_and_changes_the_lead_times(organizer, room, approver, policy):
    client = api_client(organizer)
    created = client.post(BOOKINGS, payload(room, reminder_lead_minutes="15,60"), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["settings"]["reminder_lead_minutes"] == "60,15"
    booking = Booking.objects.get()
    services.booking_approve(booking=booking, actor=approver)

    changed = client.patch(
        f"{BOOKINGS}{booking.pk}/", {"reminder_lead_minutes": "30"}, format="json"
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["settings"]["reminder_lead_minutes"] == "30"
    assert {lead for _e, lead, _d in _pending_leads(booking)} == {30}


def test_the_api_refuses_bad_lead_times_with_their_code(organizer, room):
    response = api_client(organizer).post(
        BOOKINGS, payload(room, reminder_lead_minutes="1,2,3,4,5,6"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reminder_leads_invalid"
    assert "reminder_lead_minutes" in response.json()["fields"]


# -- the booking form ------------------------------------------------------------------------


def test_the_form_offers_reminders_with_the_policys_lead_times_as_its_hint(
    client, organizer, policy
):
    html = signed_in(client, organizer).get(reverse("bookings:book")).content.decode()

    assert 'name="reminder_lead_minutes"' in html
    assert "Empty: the usage policy&#x27;s, 1440,15." in html


def test_the_form_books_with_its_own_lead_times(client, organizer, room):
    signed_in(client, organizer)
    response = client.post(
        reverse("bookings:book"), form_data(room, reminder_lead_minutes="90, 10")
    )
    assert response.status_code == 303
    assert Booking.objects.get().reminder_lead_minutes == "90,10"


def test_the_form_shows_bad_lead_times_at_their_field(client, organizer, room):
    signed_in(client, organizer)
    response = client.post(reverse("bookings:book"), form_data(room, reminder_lead_minutes="20000"))
    assert response.status_code == 422
    assert "from 1 to 10080" in field_error(response.content.decode(), "reminder_lead_minutes")
    assert not Booking.objects.exists()
