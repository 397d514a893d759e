"""BK-17 / 001 §4: rooms and providers are written by their services: validated,
audited with the acting user and old/new values, nothing written on a refusal."""

from __future__ import annotations

import pytest

from bookings.models import Provider, Room
from bookings.services import (
    provider_create,
    provider_update,
    room_create,
    room_maintenance_end,
    room_maintenance_start,
    room_reinstate,
    room_retire,
    room_status_set,
    room_update,
)
from meetingops.errors import ApplicationError, InvalidTransition
from meetingops.updates import ModelInvalid
from oversight.models import AuditEvent
from tests.factories import ProviderFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_member(db):
    return UserFactory(email="it@example.com", is_staff=True, groups=["IT"])


def events(action: str):
    return AuditEvent.objects.filter(action=action)


def test_room_create_writes_the_room_and_audits_its_values_without_the_password(it_member):
    provider = ProviderFactory()

    room = room_create(
        actor=it_member,
        name="Tencent B",
        provider=provider,
        capacity=25,
        meeting_password="s3cret-pass",
    )

    assert Room.objects.get(pk=room.pk).capacity == 25
    event = events("room.created").get()
    assert (event.actor, event.target_id) == (it_member, str(room.pk))
    assert event.data["values"]["capacity"] == 25
    assert event.data["values"]["provider"] == {"id": provider.pk, "label": provider.name}
    assert event.data["values"]["meeting_password"] == "set"
    assert "s3cret-pass" not in str(event.data)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"name": "Taken"}, "name"),
        ({"status": "maintenance", "maintenance_reason": "  "}, "maintenance_reason"),
    ],
)
def test_room_create_refuses_a_bad_room_and_writes_nothing(it_member, fields, field):
    RoomFactory(name="Taken")
    rooms, audited = Room.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ModelInvalid) as refused:
        room_create(
            actor=it_member,
            **{"name": "New", "provider": ProviderFactory(), "capacity": 5, **fields},
        )

    assert field in refused.value.fields
    assert (Room.objects.count(), AuditEvent.objects.count()) == (rooms, audited)


def test_room_update_saves_what_changed_and_audits_old_and_new(it_member):
    room = RoomFactory(capacity=10, meeting_password="old-pass")

    updated = room_update(
        room=room,
        actor=it_member,
        data={"capacity": 30, "name": room.name, "meeting_password": "new-pass"},
    )

    assert updated.capacity == 30
    assert Room.objects.get(pk=room.pk).capacity == 30
    event = events("room.changed").get()
    assert event.actor == it_member
    assert event.data["changes"] == {
        "capacity": {"old": 10, "new": 30},
        "meeting_password": "changed",
    }
    assert "new-pass" not in str(event.data)
    assert "old-pass" not in str(event.data)


def test_room_update_that_changes_nothing_writes_and_audits_nothing(it_member):
    room = RoomFactory(capacity=10)

    room_update(room=room, actor=it_member, data={"capacity": 10})

    assert not AuditEvent.objects.exists()


def test_room_update_refuses_a_capacity_under_one_and_changes_nothing(it_member):
    room = RoomFactory(name="Tencent C", capacity=10)

    with pytest.raises(ModelInvalid) as refused:
        room_update(room=room, actor=it_member, data={"capacity": 0, "name": "Renamed"})

    assert "capacity" in refused.value.fields
    room.refresh_from_db()
    assert (room.capacity, room.name) == (10, "Tencent C")
    assert not AuditEvent.objects.exists()


def test_room_update_does_not_move_the_status(it_member):
    room = RoomFactory()

    with pytest.raises(TypeError):
        room_update(room=room, actor=it_member, data={"status": Room.Status.RETIRED})

    assert Room.objects.get(pk=room.pk).status == Room.Status.ACTIVE


def test_maintenance_start_records_the_reason_once(it_member):
    room = RoomFactory()

    moved = room_maintenance_start(room=room, actor=it_member, reason=" Licence expired ")

    assert (moved.status, moved.maintenance_reason) == ("maintenance", "Licence expired")
    event = events("room.maintenance_started").get()
    assert event.actor == it_member
    assert event.data["changes"] == {
        "status": {"old": "active", "new": "maintenance"},
        "maintenance_reason": {"old": "", "new": "Licence expired"},
    }


def test_maintenance_start_without_a_reason_is_refused_and_changes_nothing(it_member):
    room = RoomFactory()

    with pytest.raises(ApplicationError) as refused:
        room_maintenance_start(room=room, actor=it_member, reason="   ")

    assert refused.value.code == "reason_required"
    assert Room.objects.get(pk=room.pk).status == Room.Status.ACTIVE
    assert not AuditEvent.objects.exists()


def test_maintenance_end_makes_the_room_active_and_clears_the_reason(it_member):
    room = RoomFactory(status="maintenance", maintenance_reason="Licence expired")

    ended = room_maintenance_end(room=room, actor=it_member)

    assert (ended.status, ended.maintenance_reason) == ("active", "")
    event = events("room.maintenance_ended").get()
    assert event.data["changes"]["maintenance_reason"] == {"old": "Licence expired", "new": ""}


def test_a_room_not_under_maintenance_cannot_end_it(it_member):
    room = RoomFactory()

    with pytest.raises(InvalidTransition):
        room_maintenance_end(room=room, actor=it_member)

    assert not AuditEvent.objects.exists()


def test_a_retired_room_is_reinstated_before_it_is_put_under_maintenance(it_member):
    room = room_retire(room=RoomFactory(), actor=it_member)

    with pytest.raises(InvalidTransition) as refused:
        room_maintenance_start(room=room, actor=it_member, reason="Upgrade")
    reinstated = room_reinstate(room=room, actor=it_member)

    assert refused.value.code == "room_status_move"
    assert reinstated.status == Room.Status.ACTIVE
    assert list(
        AuditEvent.objects.filter(target_id=str(room.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["room.retired", "room.reinstated"]


@pytest.mark.parametrize(
    ("before", "status", "action"),
    [
        ("active", "maintenance", "room.maintenance_started"),
        ("maintenance", "active", "room.maintenance_ended"),
        ("active", "retired", "room.retired"),
        ("retired", "active", "room.reinstated"),
    ],
)
def test_room_status_set_moves_through_the_service_for_the_move(it_member, before, status, action):
    reason = "Licence expired" if before == "maintenance" else ""
    room = RoomFactory(status=before, maintenance_reason=reason)

    moved = room_status_set(room=room, actor=it_member, status=status, reason="Upgrade")

    assert Room.objects.get(pk=room.pk).status == status == moved.status
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [action]


def test_room_status_set_to_the_same_status_writes_nothing(it_member):
    room = RoomFactory()

    room_status_set(room=room, actor=it_member, status="active")

    assert not AuditEvent.objects.exists()


def test_provider_create_and_update_are_audited_with_old_and_new(it_member):
    provider = provider_create(
        actor=it_member, name="Jitsi East", kind="jitsi", base_url="https://meet.example.com"
    )

    retired = provider_update(provider=provider, actor=it_member, data={"is_active": False})

    assert not Provider.objects.get(pk=provider.pk).is_active
    assert retired.is_active is False
    created = events("provider.created").get()
    assert created.actor == it_member
    assert created.data["values"]["kind"] == "jitsi"
    assert events("provider.changed").get().data["changes"] == {
        "is_active": {"old": True, "new": False}
    }


def test_a_jitsi_provider_without_its_server_is_refused_and_nothing_written(it_member):
    provider = ProviderFactory()

    with pytest.raises(ModelInvalid) as created:
        provider_create(actor=it_member, name="Jitsi West", kind="jitsi")
    with pytest.raises(ModelInvalid) as updated:
        provider_update(provider=provider, actor=it_member, data={"base_url": ""})

    assert "base_url" in created.value.fields
    assert "base_url" in updated.value.fields
    assert Provider.objects.get(pk=provider.pk).base_url == "https://meet.example.com"
    assert Provider.objects.count() == 1
    assert not AuditEvent.objects.exists()
