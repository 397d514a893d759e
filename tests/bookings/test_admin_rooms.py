"""BK-17 / BK-2 in Django admin: rooms, providers, blackout periods and the usage policy
are saved through their services, audited once in the services' shape; a save a service
refuses shows on the form and saves nothing; nothing is deleted."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from bookings.models import Blackout, Provider, Room
from bookings.services import blackout_create
from oversight.models import AuditEvent
from tests.bookings.conftest import at
from tests.factories import ProviderFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_member(db):
    return UserFactory(email="it@example.com", is_staff=True, groups=["IT"])


@pytest.fixture
def it_client(client, it_member):
    client.force_login(it_member)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def room_form(room: Room, **changes) -> dict:
    data = {
        "name": room.name,
        "provider": room.provider_id,
        "capacity": room.capacity,
        "preparation_minutes": room.preparation_minutes,
        "status": room.status,
        "maintenance_reason": room.maintenance_reason,
        "join_url": room.join_url,
        "meeting_code": room.meeting_code,
        "meeting_password": room.meeting_password,
    }
    return {**data, **changes}


def change(room: Room) -> str:
    return reverse("admin:bookings_room_change", args=[room.pk])


def actions() -> list[str]:
    """The events about bookings' rows (signing in is audited too)."""
    events = AuditEvent.objects.filter(target_type__startswith="bookings.").order_by("seq")
    return list(events.values_list("action", flat=True))


def test_a_room_put_under_maintenance_in_admin_leaves_one_maintenance_event(
    it_client, it_member, room
):
    response = it_client.post(
        change(room), room_form(room, status="maintenance", maintenance_reason="Licence expired")
    )

    assert response.status_code == 302
    room.refresh_from_db()
    assert (room.status, room.maintenance_reason) == ("maintenance", "Licence expired")
    assert actions() == ["room.maintenance_started"]
    event = AuditEvent.objects.get(action="room.maintenance_started")
    assert event.actor == it_member
    assert event.data["changes"]["maintenance_reason"] == {"old": "", "new": "Licence expired"}


def test_taking_a_room_out_of_maintenance_in_admin_clears_its_reason(it_client):
    room = RoomFactory(status="maintenance", maintenance_reason="Licence expired")

    response = it_client.post(change(room), room_form(room, status="active"))

    assert response.status_code == 302
    room.refresh_from_db()
    assert (room.status, room.maintenance_reason) == ("active", "")
    assert actions() == ["room.maintenance_ended"]


def test_editing_a_room_and_its_status_in_admin_audits_each_through_its_service(it_client, room):
    response = it_client.post(change(room), room_form(room, capacity=40, status="retired"))

    assert response.status_code == 302
    assert actions() == ["room.changed", "room.retired"]
    assert AuditEvent.objects.get(action="room.changed").data["changes"] == {
        "capacity": {"old": 10, "new": 40}
    }


def test_a_save_the_service_refuses_shows_on_the_form_and_saves_nothing(it_client):
    room = RoomFactory(status="retired", capacity=10)
    logged = LogEntry.objects.count()

    response = it_client.post(
        change(room), room_form(room, capacity=40, status="maintenance", maintenance_reason="Fix")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "made active again" in " ".join(errors["status"])
    room.refresh_from_db()
    assert (room.status, room.capacity) == ("retired", 10)
    assert actions() == []
    assert LogEntry.objects.count() == logged


def test_a_room_added_in_admin_is_audited_once_by_the_service(it_client, it_member):
    provider = ProviderFactory()

    response = it_client.post(
        reverse("admin:bookings_room_add"),
        room_form(Room(name="Zoom 1", provider=provider, capacity=8), meeting_password="pass-1234"),
    )

    assert response.status_code == 302
    room = Room.objects.get(name="Zoom 1")
    assert actions() == ["room.created"]
    event = AuditEvent.objects.get(action="room.created")
    assert (event.actor, event.target_id) == (it_member, str(room.pk))
    assert "pass-1234" not in str(event.data)


def test_a_provider_made_inactive_in_admin_is_audited_by_the_service(it_client):
    provider = ProviderFactory()

    response = it_client.post(
        reverse("admin:bookings_provider_change", args=[provider.pk]),
        {"name": provider.name, "kind": provider.kind, "base_url": provider.base_url},
    )

    assert response.status_code == 302
    assert not Provider.objects.get(pk=provider.pk).is_active
    assert actions() == ["provider.changed"]
    assert AuditEvent.objects.get(action="provider.changed").data["changes"] == {
        "is_active": {"old": True, "new": False}
    }


def test_a_blackout_ended_early_in_admin_is_audited_by_the_service(it_client, it_member, room):
    blackout = blackout_create(
        actor=it_member, room=room, start=at(2, "09:00"), end=at(2, "12:00"), reason="Upgrade"
    )

    response = it_client.post(
        reverse("admin:bookings_blackout_change", args=[blackout.pk]),
        {
            "room": room.pk,
            "start_0": "2026-12-09",
            "start_1": "09:00",
            "end_0": "2026-12-09",
            "end_1": "12:00",
            "reason": "Upgrade",
        },
    )

    assert response.status_code == 302
    assert not Blackout.objects.get(pk=blackout.pk).is_active
    assert actions() == ["blackout.created", "blackout.changed"]
    assert AuditEvent.objects.get(action="blackout.changed").data["changes"] == {
        "is_active": {"old": True, "new": False}
    }


@pytest.mark.parametrize("model", ["room", "provider", "blackout", "usagepolicy"])
def test_admin_deletes_none_of_them(client, model, room, policy, it_member):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    obj = {
        "room": lambda: room,
        "provider": lambda: room.provider,
        "blackout": lambda: blackout_create(
            actor=it_member, start=at(2, "09:00"), end=at(2, "12:00"), reason="Upgrade"
        ),
        "usagepolicy": lambda: policy,
    }[model]()

    response = client.post(
        reverse(f"admin:bookings_{model}_delete", args=[obj.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
