"""X-1: personal API tokens. A signed-in user makes one on their security page (or with
a session-authenticated API call) and sees its secret once; only the secret's SHA-256 is
stored. There is no way to trade a password for a token: that would skip two-factor
sign-in and the sign-in rate limits (DESIGN "The REST layer")."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meetingops.errors import ApplicationError, PermissionDeniedError
from oversight import audit
from security.models import ApiToken

# 32 random bytes: 43 URL-safe characters.
SECRET_BYTES = 32
MAX_ACTIVE_TOKENS = 20
# `last_used_at` is written at most this often, so a busy script does not write a row
# on every request.
USE_RECORD_INTERVAL = dt.timedelta(minutes=1)


class ApiTokenError(ApplicationError):
    code = "invalid_token_request"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`; return it with its secret, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise ApiTokenError(
            _("Name the token after what will use it, e.g. “calendar sync”."),
            code="name_required",
            fields={"name": [_("This field is required.")]},
        )
    with transaction.atomic():
        # One at a time per user, so the limit below holds under concurrent requests.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise ApiTokenError(
                _("You have %(max)s active API tokens; revoke one first.")
                % {"max": MAX_ACTIVE_TOKENS},
                code="too_many_tokens",
                extra={"value": MAX_ACTIVE_TOKENS},
            )
        secret = secrets.token_urlsafe(SECRET_BYTES)
        token = ApiToken.objects.create(
            user=user, name=name[:100], key_hash=secret_hash(secret), prefix=secret[:8]
        )
        audit.record(
            actor=user,
            action="apitoken.created",
            target=token,
            data={"name": token.name, "prefix": token.prefix},
        )
    return token, secret


def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke a token for good. Its owner may, and IT (`security.change_apitoken`).
    Revoking a revoked token changes nothing."""
    if token.user_id != actor.pk and not actor.has_perm("security.change_apitoken"):
        raise PermissionDeniedError(
            _("You can revoke only your own API tokens."), code="not_token_owner"
        )
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="apitoken.revoked",
            target=token,
            data={"name": token.name, "prefix": token.prefix, "owner": token.user_id},
        )
    return token


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The active token with this secret, with its user; None for an unknown or revoked
    one. Looked up by hash: the secret is never compared or stored."""
    if not secret:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=secret_hash(secret), revoked_at__isnull=True)
        .first()
    )


def api_token_mark_used(*, token: ApiToken, now: dt.datetime | None = None) -> None:
    """Record that the token was used, at most once per USE_RECORD_INTERVAL."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < USE_RECORD_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - USE_RECORD_INTERVAL)
    ).update(last_used_at=now)
    token.last_used_at = now
