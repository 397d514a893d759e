"""BK-17 in admin: a provider account's secret is a write-only input (never rendered
back, empty keeps it), saved through the service and audited as "changed"; the
providers' meetings are listed with their state and error, on the booking's page too,
and "retry now" goes through the service."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings import services
from bookings.models import Provider, ProviderMeeting
from bookings.services import remote_meetings
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.bookings.remote_fakes import (
    TENCENT_SECRET,
    FakeClient,
    permanent,
    remote_room,
    tencent_provider,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_SECRET = "brand-new-SecretKey-0042"


@pytest.fixture
def it_member(db):
    return UserFactory(email="it@example.com", is_staff=True, groups=["IT"], is_superuser=True)


@pytest.fixture
def it_client(client, it_member):
    client.force_login(it_member)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def provider_form(provider: Provider, **changes) -> dict:
    data = {
        "name": provider.name,
        "kind": provider.kind,
        "base_url": provider.base_url,
        "is_active": "on" if provider.is_active else "",
        "app_id": provider.app_id,
        "sdk_id": provider.sdk_id,
        "secret_id": provider.secret_id,
        "registered": "on" if provider.registered else "",
        "account_id": provider.account_id,
        "client_id": provider.client_id,
        "host_user": provider.host_user,
        "participant_cap": provider.participant_cap or "",
        "secret_env": provider.secret_env,
        "secret": "",
    }
    return {**data, **changes}


def test_the_change_page_never_shows_the_secret_and_says_one_is_stored(it_client):
    provider = tencent_provider()
    page = it_client.get(reverse("admin:bookings_provider_change", args=[provider.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert TENCENT_SECRET not in html
    assert provider.secret_encrypted not in html
    assert 'type="password"' in html
    assert "A secret is stored (not shown)." in html
    assert "leave empty to keep the one stored" in html


def test_saving_with_the_secret_left_empty_keeps_it_and_audits_no_secret(it_client, it_member):
    provider = tencent_provider()
    response = it_client.post(
        reverse("admin:bookings_provider_change", args=[provider.pk]),
        provider_form(provider, host_user="new-host"),
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert (provider.host_user, provider.secret()) == ("new-host", TENCENT_SECRET)
    event = AuditEvent.objects.get(action="provider.changed")
    assert event.data == {"changes": {"host_user": {"old": "host-userid", "new": "new-host"}}}


def test_a_new_secret_is_stored_encrypted_audited_as_changed_and_not_logged(it_client, caplog):
    caplog.set_level(logging.DEBUG)
    provider = tencent_provider()
    url = reverse("admin:bookings_provider_change", args=[provider.pk])
    response = it_client.post(url, provider_form(provider, secret=NEW_SECRET))
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.secret() == NEW_SECRET
    event = AuditEvent.objects.get(action="provider.changed")
    assert event.data == {"changes": {"secret": "changed"}}
    assert NEW_SECRET not in caplog.text
    assert NEW_SECRET not in it_client.get(url).content.decode()
    # An error report of that request would show the secret as stars.
    assert response.wsgi_request.sensitive_post_parameters == ("secret",)


def test_a_new_tencent_account_is_added_with_its_secret(it_client):
    response = it_client.post(
        reverse("admin:bookings_provider_add"),
        {
            "name": "Tencent HQ",
            "kind": "tencent",
            "is_active": "on",
            "app_id": "211153201",
            "secret_id": "AKID",
            "host_user": "host",
            "participant_cap": "300",
            "secret": NEW_SECRET,
        },
    )
    assert response.status_code == 302
    provider = Provider.objects.get(name="Tencent HQ")
    assert (provider.secret(), provider.participant_cap) == (NEW_SECRET, 300)
    assert NEW_SECRET not in str(AuditEvent.objects.get(action="provider.created").data)


def test_a_remote_account_without_its_secret_is_refused_on_the_form(it_client):
    response = it_client.post(
        reverse("admin:bookings_provider_add"),
        {"name": "Zoom", "kind": "zoom", "account_id": "a", "client_id": "c", "host_user": "h"},
    )
    assert response.status_code == 200
    assert "Enter the secret, or the name of the environment variable" in response.content.decode()
    assert not Provider.objects.filter(name="Zoom").exists()


# -- the providers' meetings -------------------------------------------------------------


@pytest.fixture
def failed_meeting(organizer, approver, policy, monkeypatch, django_capture_on_commit_callbacks):
    fake = FakeClient(prefix="t")
    fake.fail = [permanent(400, "invalid userid")]
    monkeypatch.setattr("bookings.remote.provider_client", lambda provider: fake)
    booking = book(organizer, remote_room(tencent_provider()), confidential=True, topic="Merger")
    services.booking_approve(booking=booking, actor=approver)
    row = ProviderMeeting.objects.get(booking=booking)
    remote_meetings.provider_meeting_sync(meeting_id=row.pk)
    row.refresh_from_db()
    return row


def test_the_list_shows_a_failed_meeting_with_its_error_and_hides_a_confidential_topic(
    client, failed_meeting
):
    it = UserFactory(email="it2@example.com", is_staff=True, groups=["IT"])
    client.force_login(it)
    page = client.get(
        reverse("admin:bookings_providermeeting_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "invalid userid" in html
    assert "Failed" in html
    assert "Merger" not in html  # IT does not see a confidential meeting's topic
    assert f"#{failed_meeting.booking_id} (confidential meeting)" in html
    assert TENCENT_SECRET not in html


def test_retry_now_from_the_list_goes_through_the_service(
    client, failed_meeting, monkeypatch, django_capture_on_commit_callbacks
):
    it = UserFactory(email="it2@example.com", is_staff=True, groups=["IT"])
    client.force_login(it)
    monkeypatch.setattr("bookings.remote.provider_client", lambda provider: FakeClient("t"))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("admin:bookings_providermeeting_changelist"),
            {"action": "retry_selected", "_selected_action": [failed_meeting.pk]},
        )
    assert response.status_code == 302
    failed_meeting.refresh_from_db()
    assert failed_meeting.state == ProviderMeeting.State.PENDING
    assert AuditEvent.objects.get(action="providermeeting.retried").actor == it


def test_the_booking_page_shows_the_providers_meeting_with_a_retry_button(
    it_client, failed_meeting
):
    page = it_client.get(reverse("admin:bookings_booking_change", args=[failed_meeting.booking_id]))
    html = page.content.decode()
    assert "invalid userid" in html
    retry = reverse("admin:bookings_providermeeting_retry", args=[failed_meeting.pk])
    assert f'formaction="{retry}"' in html
    assert "Not given yet: Tencent Meeting could not schedule the meeting" in html


def test_the_booking_pages_retry_button_retries_and_returns_to_the_booking(
    it_client, failed_meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = it_client.post(
            reverse("admin:bookings_providermeeting_retry", args=[failed_meeting.pk])
        )
    assert response.status_code == 302
    assert response.url == reverse(
        "admin:bookings_booking_change", args=[failed_meeting.booking_id]
    )
    failed_meeting.refresh_from_db()
    assert failed_meeting.state == ProviderMeeting.State.PENDING


def test_an_approver_sees_the_state_but_no_retry_button(client, approver, failed_meeting):
    other = UserFactory(email="approver2@example.com", is_staff=True, groups=["Approvers"])
    client.force_login(other)
    html = client.get(
        reverse("admin:bookings_booking_change", args=[failed_meeting.booking_id]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "invalid userid" in html
    assert reverse("admin:bookings_providermeeting_retry", args=[failed_meeting.pk]) not in html
    response = client.post(
        reverse("admin:bookings_providermeeting_retry", args=[failed_meeting.pk])
    )
    assert response.status_code == 403


def test_the_list_reads_as_many_queries_for_many_meetings_as_for_one(
    client, organizer, approver, policy, django_assert_max_num_queries
):
    it = UserFactory(email="it2@example.com", is_staff=True, groups=["IT"])
    client.force_login(it)
    room = remote_room(tencent_provider())
    url = reverse("admin:bookings_providermeeting_changelist")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    services.booking_approve(booking=book(organizer, room), actor=approver)
    one = count()
    for hour in (12, 14, 16):
        booking = book(organizer, room, start=at(3, f"{hour}:00"), end=at(3, f"{hour}:30"))
        services.booking_approve(booking=booking, actor=approver)
    assert ProviderMeeting.objects.count() == 4
    assert count() == one
    with django_assert_max_num_queries(one):
        client.get(url)


def test_the_booking_page_says_the_link_is_on_its_way_while_the_meeting_waits(
    it_client, organizer, approver, policy
):
    booking = book(organizer, remote_room(tencent_provider()))
    services.booking_approve(booking=booking, actor=approver)  # the worker not run yet
    html = it_client.get(reverse("admin:bookings_booking_change", args=[booking.pk])).content
    assert "On its way from Tencent Meeting" in html.decode()
    assert "Waiting for the provider" in html.decode()
