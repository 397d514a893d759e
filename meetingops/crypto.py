"""Secrets stored in the database (a provider's SecretKey or client secret, BK-17),
encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`).

The keys are settings.ENCRYPTION_KEYS, newest first, as a MultiFernet: it encrypts
with the first key and decrypts with any of them, so a key is rotated without losing
data. Put a new key in front, run `manage.py encryption_rotate` (it re-encrypts every
stored secret under the new key), then drop the old key. With no keys configured, one
is derived from SECRET_KEY (HKDF-SHA256), so a laptop needs no set-up; changing
SECRET_KEY then makes stored secrets unreadable, which is why production should set
ENCRYPTION_KEYS.

Nothing here logs a value, and errors never carry one."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_DERIVATION_INFO = b"meetingops field encryption v1"


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys decrypts (a key dropped too
    early, or SECRET_KEY changed while ENCRYPTION_KEYS was empty)."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from Django's SECRET_KEY when ENCRYPTION_KEYS is empty."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def keys() -> list[bytes]:
    """The keys in use, newest first."""
    configured = [k.encode() if isinstance(k, str) else k for k in settings.ENCRYPTION_KEYS]
    return configured or [derived_key(settings.SECRET_KEY)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys()])


def encrypt(plain: str) -> str:
    """`plain` encrypted under the newest key, as text for a TextField."""
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text of `token`, decrypted with whichever configured key made it;
    SecretUnreadable when none does."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadable("no configured key decrypts this secret") from None


def rotate(token: str) -> str:
    """`token` re-encrypted under the newest key (the same plain text)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadable("no configured key decrypts this secret") from None
