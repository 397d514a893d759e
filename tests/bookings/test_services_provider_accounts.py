"""BK-17: a Tencent Meeting or Zoom provider account: what each kind needs, its secret
stored encrypted or read from the environment, `credentials()` for the clients, the
licensed participant cap held by the rooms, and audits that never carry the secret."""

from __future__ import annotations

import logging

import pytest

from bookings.models import Provider, Room
from bookings.services import provider_create, provider_update, room_create, room_update
from meetingops.updates import ModelInvalid
from oversight.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "SK-very-secret-4711"

TENCENT = {
    "app_id": "211153201",
    "sdk_id": "19367008",
    "secret_id": "AKIDtencent",
    "host_user": "host-userid",
    "registered": True,
}
ZOOM = {"account_id": "acct", "client_id": "cid", "host_user": "host@example.com"}


@pytest.fixture
def it_member(db):
    return UserFactory(email="it@example.com", is_staff=True, groups=["IT"])


def test_a_tencent_account_keeps_its_secret_encrypted_and_gives_the_clients_credentials(
    it_member,
):
    provider = provider_create(
        actor=it_member, name="Tencent", kind="tencent", secret=SECRET, **TENCENT
    )
    stored = Provider.objects.get(pk=provider.pk)
    assert SECRET not in stored.secret_encrypted
    assert stored.credentials() == {
        "app_id": "211153201",
        "sdk_id": "19367008",
        "secret_id": "AKIDtencent",
        "secret_key": SECRET,
        "userid": "host-userid",
        "host_user": "host-userid",
        "registered": True,
    }


def test_a_zoom_account_reads_its_secret_from_the_environment_when_named(it_member, monkeypatch):
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", SECRET)
    provider = provider_create(
        actor=it_member, name="Zoom", kind="zoom", secret_env="ZOOM_CLIENT_SECRET", **ZOOM
    )
    assert provider.secret_encrypted == ""
    assert provider.credentials() == {
        "account_id": "acct",
        "client_id": "cid",
        "client_secret": SECRET,
        "user_id": "host@example.com",
        "host_user": "host@example.com",
    }


@pytest.mark.parametrize(
    ("kind", "values", "missing"),
    [
        ("tencent", {**TENCENT, "app_id": ""}, "app_id"),
        ("tencent", {**TENCENT, "secret_id": ""}, "secret_id"),
        ("tencent", {**TENCENT, "host_user": ""}, "host_user"),
        ("zoom", {**ZOOM, "account_id": ""}, "account_id"),
        ("zoom", {**ZOOM, "client_id": ""}, "client_id"),
    ],
)
def test_each_kind_is_refused_without_what_it_needs(it_member, kind, values, missing):
    with pytest.raises(ModelInvalid) as refused:
        provider_create(actor=it_member, name="P", kind=kind, secret=SECRET, **values)
    assert missing in refused.value.fields
    assert not Provider.objects.filter(name="P").exists()


def test_a_remote_account_without_a_secret_or_its_variable_is_refused(it_member):
    with pytest.raises(ModelInvalid) as refused:
        provider_create(actor=it_member, name="P", kind="zoom", **ZOOM)
    assert "secret_env" in refused.value.fields


def test_an_environment_variable_is_named_as_one(it_member):
    with pytest.raises(ModelInvalid) as refused:
        provider_create(actor=it_member, name="P", kind="zoom", secret_env="bad name", **ZOOM)
    assert "secret_env" in refused.value.fields


def test_the_audit_says_the_secret_was_set_or_changed_never_what_it_is(it_member, caplog):
    caplog.set_level(logging.DEBUG)
    provider = provider_create(
        actor=it_member, name="Tencent", kind="tencent", secret=SECRET, **TENCENT
    )
    provider_update(provider=provider, actor=it_member, data={}, secret=SECRET + "-new")
    provider_update(provider=provider, actor=it_member, data={}, secret=SECRET + "-new")
    events = list(AuditEvent.objects.filter(target_type="bookings.provider").order_by("seq"))
    assert [e.action for e in events] == ["provider.created", "provider.changed"]
    assert events[0].data["values"]["secret"] == "set"
    assert events[1].data == {"changes": {"secret": "changed"}}
    assert all(SECRET not in str(e.data) for e in events)
    assert SECRET not in caplog.text
    assert Provider.objects.get(pk=provider.pk).secret() == SECRET + "-new"


def test_an_empty_secret_keeps_the_stored_one(it_member):
    provider = provider_create(
        actor=it_member, name="Tencent", kind="tencent", secret=SECRET, **TENCENT
    )
    provider_update(provider=provider, actor=it_member, data={"host_user": "other"}, secret="")
    provider.refresh_from_db()
    assert (provider.host_user, provider.secret()) == ("other", SECRET)


def test_a_room_cannot_hold_more_than_its_providers_licence(it_member):
    provider = provider_create(
        actor=it_member, name="Zoom", kind="zoom", secret=SECRET, participant_cap=100, **ZOOM
    )
    with pytest.raises(ModelInvalid) as refused:
        room_create(actor=it_member, name="Big", provider=provider, capacity=300)
    assert "capacity" in refused.value.fields
    room = room_create(actor=it_member, name="Fits", provider=provider, capacity=100)
    with pytest.raises(ModelInvalid):
        room_update(room=room, actor=it_member, data={"capacity": 101})
    assert Room.objects.get(pk=room.pk).capacity == 100


def test_a_cap_below_a_rooms_capacity_is_refused_naming_the_room(it_member):
    provider = provider_create(actor=it_member, name="Zoom", kind="zoom", secret=SECRET, **ZOOM)
    room_create(actor=it_member, name="Hall", provider=provider, capacity=300)
    with pytest.raises(ModelInvalid) as refused:
        provider_update(provider=provider, actor=it_member, data={"participant_cap": 100})
    assert "Hall" in refused.value.fields["participant_cap"][0]
