"""BK-17 secrets at rest: Fernet under ENCRYPTION_KEYS (newest first), or a key derived
from SECRET_KEY; keys rotate without losing a secret."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from meetingops import crypto

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def test_a_secret_round_trips_and_is_not_stored_in_clear(settings):
    settings.ENCRYPTION_KEYS = [NEW]
    token = crypto.encrypt("SecretKey-123")
    assert "SecretKey-123" not in token
    assert crypto.decrypt(token) == "SecretKey-123"


def test_without_keys_one_derived_from_secret_key_is_used(settings):
    settings.ENCRYPTION_KEYS = []
    token = crypto.encrypt("abc")
    assert crypto.decrypt(token) == "abc"
    assert crypto.keys() == [crypto.derived_key(settings.SECRET_KEY)]
    settings.SECRET_KEY = settings.SECRET_KEY + "-changed"
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(token)


def test_a_new_key_in_front_still_reads_the_old_secrets_and_rotation_moves_them(settings):
    settings.ENCRYPTION_KEYS = [OLD]
    token = crypto.encrypt("abc")
    settings.ENCRYPTION_KEYS = [NEW, OLD]
    assert crypto.decrypt(token) == "abc"
    rotated = crypto.rotate(token)
    settings.ENCRYPTION_KEYS = [NEW]
    assert crypto.decrypt(rotated) == "abc"
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(token)


def test_an_unreadable_secret_says_so_without_its_value(settings):
    settings.ENCRYPTION_KEYS = [NEW]
    with pytest.raises(crypto.SecretUnreadable) as error:
        crypto.decrypt("not-a-token")
    assert "not-a-token" not in str(error.value)


@pytest.mark.django_db
def test_the_rotate_command_re_encrypts_every_stored_provider_secret(settings, capsys):
    from bookings.models import Provider
    from oversight.models import AuditEvent
    from tests.bookings.remote_fakes import TENCENT_SECRET, tencent_provider

    settings.ENCRYPTION_KEYS = [OLD]
    provider = tencent_provider()
    settings.ENCRYPTION_KEYS = [NEW, OLD]
    call_command("encryption_rotate")
    assert "Re-encrypted 1 provider secret" in capsys.readouterr().out
    settings.ENCRYPTION_KEYS = [NEW]  # the old key dropped: nothing lost
    assert Provider.objects.get(pk=provider.pk).secret() == TENCENT_SECRET
    event = AuditEvent.objects.get(action="provider.secrets_rotated")
    assert TENCENT_SECRET not in str(event.data)
