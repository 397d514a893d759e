"""BK-17: the providers that give a room's meetings their join link. Never deleted
(rooms name them): a provider no longer used is made inactive."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from bookings.models import Provider
from meetingops.updates import created_values, model_create, model_update
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

PROVIDER_FIELDS = ("name", "kind", "base_url", "is_active")


def provider_create(
    *, actor: User, name: str, kind: str, base_url: str = "", is_active: bool = True
) -> Provider:
    """A new provider. Raises ModelInvalid (a name taken, an unknown kind, a Jitsi
    provider without its server) and then writes nothing."""
    data = {"name": name, "kind": kind, "base_url": base_url, "is_active": is_active}
    with transaction.atomic():
        provider = model_create(model=Provider, data=data, fields=PROVIDER_FIELDS)
        audit.record(
            actor=actor,
            action="provider.created",
            target=provider,
            data={"values": created_values(provider, PROVIDER_FIELDS)},
        )
    return provider


def provider_update(*, provider: Provider, actor: User, data: Mapping[str, Any]) -> Provider:
    """Edit a provider (any of PROVIDER_FIELDS; `is_active` off retires it). Audited
    with old and new values; nothing written when nothing changes."""
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        changes = model_update(instance=provider, data=data, fields=PROVIDER_FIELDS)
        if changes:
            audit.record(
                actor=actor, action="provider.changed", target=provider, data={"changes": changes}
            )
    return provider
