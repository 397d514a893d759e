"""SE-5 in the audit log's admin pages: IT reads the log but may not see bookings, so an
event about a confidential meeting shows it neither by label nor by data to a reader
who may not see that meeting, in the list, its search or the event's page; rows
written before labels lost their business content (the topic as label) included."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse, reverse_lazy

from bookings.services import booking_cancel
from oversight import audit
from oversight.models import AuditEvent
from tests.bookings.conftest import NOW, book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

LOG = reverse_lazy("admin:oversight_auditevent_changelist")
SECRET_TOPIC = "Merger talks"
OPEN_TOPIC = "Team lunch"


def event_url(event: AuditEvent) -> str:
    return reverse("admin:oversight_auditevent_change", args=[event.pk])


def signed_in(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def organizer(db):
    return UserFactory(email="organizer@example.com")


@pytest.fixture
def room(db):
    return RoomFactory(name="Tencent A", capacity=10)


@pytest.fixture
def it_member(db):
    return UserFactory(email="it@example.com", is_staff=True, groups=["IT"])


@pytest.fixture
def supervisor(db):
    """Reads the log and oversees bookings."""
    return UserFactory(email="supervisor@example.com", is_staff=True, groups=["Supervisors"])


@pytest.fixture
def meetings(organizer, room):
    """A confidential meeting and an open one, each with its events as written today
    (booking.requested, then booking.cancelled with a reason) and one written the old
    way, with the topic as label (str() of a booking)."""
    secret = book(organizer, room, topic=SECRET_TOPIC, confidential=True)
    booking_cancel(booking=secret, actor=organizer, reason="Merger called off by the board")
    public = book(organizer, room, topic=OPEN_TOPIC)
    old = {
        booking: audit.record(
            actor=organizer, action="booking.noted", target=booking, label=str(booking)
        )
        for booking in (secret, public)
    }
    return secret, public, old


def test_the_old_way_labelled_an_event_with_the_topic(meetings):
    secret, _public, old = meetings

    assert old[secret].target_label == SECRET_TOPIC


def test_todays_events_name_a_booking_by_its_id(meetings):
    secret, _public, _old = meetings

    labels = set(
        AuditEvent.objects.filter(target_id=str(secret.pk))
        .exclude(action="booking.noted")
        .values_list("target_label", flat=True)
    )

    assert labels == {f"booking #{secret.pk}"}


def test_the_log_lists_a_confidential_meetings_events_without_its_topic_or_data(
    client, it_member, meetings, django_assert_max_num_queries
):
    secret, _public, _old = meetings
    signed_in(client, it_member)

    # session, user, two for permissions, count, the events (the mask in the same
    # query), the date hierarchy's two, the two filters' choices
    with django_assert_max_num_queries(10):
        response = client.get(LOG)

    content = response.content.decode()
    assert response.status_code == 200
    shown = {event.pk for event in response.context["cl"].result_list}
    assert shown == set(AuditEvent.objects.values_list("pk", flat=True))  # all listed
    assert OPEN_TOPIC in content  # the old row of the open meeting keeps its label
    assert SECRET_TOPIC not in content
    assert "Merger" not in content
    assert f"#{secret.pk} (confidential meeting)" in content


@pytest.mark.parametrize("query", [SECRET_TOPIC, "Merger", "talks"])
def test_searching_the_log_for_a_hidden_topic_finds_nothing(client, it_member, meetings, query):
    signed_in(client, it_member)

    response = client.get(LOG, {"q": query})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_searching_the_log_finds_an_open_meetings_old_label(client, it_member, meetings):
    _secret, public, old = meetings
    signed_in(client, it_member)

    response = client.get(LOG, {"q": "lunch"})

    assert [e.pk for e in response.context["cl"].result_list] == [old[public].pk]


def test_searching_the_log_by_a_hidden_events_id_finds_it_still_hidden(client, it_member, meetings):
    secret, _public, old = meetings
    signed_in(client, it_member)

    response = client.get(LOG, {"q": str(secret.pk)})

    assert old[secret].pk in {e.pk for e in response.context["cl"].result_list}
    assert "Merger" not in response.content.decode()


@pytest.mark.parametrize(
    "lookup", ["target_label__icontains", "target_label", "data__icontains", "data__reason"]
)
def test_the_log_refuses_a_filter_on_labels_or_data_in_the_address(
    client, it_member, meetings, lookup
):
    signed_in(client, it_member)

    response = client.get(LOG, {lookup: "Merger"})

    assert response.status_code == 400
    assert "Merger" not in response.content.decode()


def test_the_log_still_filters_by_action_in_the_address(client, it_member, meetings):
    signed_in(client, it_member)

    response = client.get(LOG, {"action": "booking.cancelled"})

    assert [e.action for e in response.context["cl"].result_list] == ["booking.cancelled"]


@pytest.mark.parametrize("action", ["booking.noted", "booking.cancelled", "booking.requested"])
def test_a_confidential_meetings_event_page_shows_neither_topic_nor_data(
    client, it_member, meetings, action
):
    secret, _public, _old = meetings
    event = AuditEvent.objects.get(action=action, target_id=str(secret.pk))
    signed_in(client, it_member)

    response = client.get(event_url(event))

    content = response.content.decode()
    assert response.status_code == 200
    assert action in content
    assert "Merger" not in content
    assert "Hidden: a confidential meeting you may not see." in content


def test_an_open_meetings_event_page_shows_its_label_and_data(client, it_member, meetings):
    _secret, public, old = meetings
    requested = AuditEvent.objects.get(action="booking.requested", target_id=str(public.pk))
    signed_in(client, it_member)

    old_page = client.get(event_url(old[public])).content.decode()
    page = client.get(event_url(requested)).content.decode()

    assert OPEN_TOPIC in old_page
    assert "headcount" in page  # its data


def test_an_overseer_sees_the_confidential_meetings_events_and_finds_them(
    client, supervisor, meetings
):
    secret, _public, old = meetings
    cancelled = AuditEvent.objects.get(action="booking.cancelled", target_id=str(secret.pk))
    signed_in(client, supervisor)

    found = client.get(LOG, {"q": "Merger"})
    page = client.get(event_url(cancelled)).content.decode()

    assert [e.pk for e in found.context["cl"].result_list] == [old[secret].pk]
    assert SECRET_TOPIC in found.content.decode()
    assert "Merger called off by the board" in page


def test_an_it_member_invited_to_the_meeting_sees_its_events(client, organizer, room):
    colleague = UserFactory(email="it-invitee@example.com", is_staff=True, groups=["IT"])
    secret = book(
        organizer, room, topic=SECRET_TOPIC, confidential=True, attendee_users=[colleague]
    )
    old = audit.record(actor=organizer, action="booking.noted", target=secret, label=str(secret))
    signed_in(client, colleague)

    found = client.get(LOG, {"q": "Merger"})

    assert [e.pk for e in found.context["cl"].result_list] == [old.pk]
    assert SECRET_TOPIC in client.get(event_url(old)).content.decode()


def test_a_removed_invitee_no_longer_sees_the_meetings_events(client, organizer, room):
    colleague = UserFactory(email="it-invitee@example.com", is_staff=True, groups=["IT"])
    secret = book(
        organizer, room, topic=SECRET_TOPIC, confidential=True, attendee_users=[colleague]
    )
    secret.attendees.update(is_active=False)
    old = audit.record(actor=organizer, action="booking.noted", target=secret, label=str(secret))
    signed_in(client, colleague)

    assert list(client.get(LOG, {"q": "Merger"}).context["cl"].result_list) == []
    assert "Merger" not in client.get(event_url(old)).content.decode()
