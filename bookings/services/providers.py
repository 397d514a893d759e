"""BK-17: the providers that give a room's meetings their join link, and the accounts of
the remote ones (Tencent Meeting, Zoom). Never deleted (rooms name them): a provider
no longer used is made inactive.

A remote provider's secret (Tencent's SecretKey, Zoom's client secret) is given to
these services in clear, stored encrypted (meetingops.crypto) and audited only as
"changed": it never enters the audit log, a log line or a page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from bookings.models import Provider
from meetingops.crypto import SecretUnreadable
from meetingops.updates import created_values, model_create, model_update, model_validate
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

PROVIDER_FIELDS = (
    "name",
    "kind",
    "base_url",
    "is_active",
    "app_id",
    "sdk_id",
    "secret_id",
    "registered",
    "account_id",
    "client_id",
    "host_user",
    "participant_cap",
    "secret_env",
)


def provider_create(
    *, actor: User, name: str, kind: str, secret: str = "", **values: Any
) -> Provider:
    """A new provider; `values`: any other of PROVIDER_FIELDS; `secret`: a remote
    provider's secret, stored encrypted. Raises ModelInvalid (a name taken, an unknown
    kind, a Jitsi provider without its server, a remote one without its credentials)
    and then writes nothing."""
    data = {"name": name, "kind": kind, **values}
    with transaction.atomic():
        provider = model_create(
            model=Provider,
            data=data,
            fields=PROVIDER_FIELDS,
            secret_encrypted=_encrypted(secret),
        )
        audit.record(
            actor=actor,
            action="provider.created",
            target=provider,
            data={
                "values": {
                    **created_values(provider, PROVIDER_FIELDS),
                    "secret": "set" if secret else "",
                }
            },
        )
    return provider


def _encrypted(secret: str) -> str:
    probe = Provider()
    probe.secret_set(secret)
    return probe.secret_encrypted


def _secret_differs(provider: Provider, secret: str) -> bool:
    try:
        return provider.secret_encrypted == "" or provider.secret() != secret
    except SecretUnreadable:
        return True  # unreadable: a new one replaces it


def provider_update(
    *, provider: Provider, actor: User, data: Mapping[str, Any], secret: str = ""
) -> Provider:
    """Edit a provider (any of PROVIDER_FIELDS; `is_active` off retires it); `secret`,
    when given, replaces the stored one (empty keeps it). Audited with old and new
    values, the secret as "changed" only; nothing written when nothing changes."""
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        secret_changed = False
        if secret:
            stored = Provider(secret_encrypted=provider.secret_encrypted)
            if _secret_differs(stored, secret):
                provider.secret_set(secret)
                secret_changed = True
        changes = model_update(instance=provider, data=data, fields=PROVIDER_FIELDS)
        if secret_changed:
            if not changes:
                model_validate(provider)
            provider.save(update_fields=["secret_encrypted"])
            changes["secret"] = "changed"  # noqa: S105 - the audit's word, no secret
        if changes:
            audit.record(
                actor=actor, action="provider.changed", target=provider, data={"changes": changes}
            )
    return provider


def provider_secrets_rotate(*, actor: User | None = None) -> int:
    """Re-encrypt every stored provider secret under the newest of ENCRYPTION_KEYS (the
    same secrets: nothing a reader sees changes), so that an older key can then be
    dropped. Audited once, with how many. Returns how many were re-encrypted;
    meetingops.crypto.SecretUnreadable (nothing written) when one is unreadable with
    every configured key."""
    from meetingops.crypto import rotate

    with transaction.atomic():
        rows = list(Provider.objects.select_for_update().exclude(secret_encrypted=""))
        for row in rows:
            row.secret_encrypted = rotate(row.secret_encrypted)
        Provider.objects.bulk_update(rows, ["secret_encrypted"])
        if rows:
            audit.record(
                actor=actor,
                action="provider.secrets_rotated",
                data={"providers": [row.pk for row in rows]},
            )
    return len(rows)
