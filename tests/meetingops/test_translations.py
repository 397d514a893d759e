"""X-2: the Chinese translation is complete and its compiled file is current."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

BASE = Path(__file__).resolve().parents[2]
PO = BASE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_every_string_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))

    assert [e.msgid for e in po if not e.translated() and not e.obsolete] == []
    assert [e.msgid for e in po if "fuzzy" in e.flags] == []


def test_the_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    with MO.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)

    def compiled(entry) -> str:
        if entry.msgid_plural:
            return mo.ngettext(entry.msgid, entry.msgid_plural, 1)
        return mo.gettext(entry.msgid)

    def source(entry) -> str:
        return entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr

    stale = [e.msgid for e in po if e.translated() and compiled(e) != source(e)]
    assert stale == [], "run: python manage.py compilemessages"


def test_chinese_uses_the_glossary_words():
    with translation.override("zh-hans"):
        assert translation.gettext("Sign in") == "登录"
        assert translation.gettext("Account security") == "账号安全"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "lang", "word"),
    [
        ("en-US,en;q=0.9", "en", "Sign in"),
        ("fr-FR", "zh-hans", "登录"),
        ("zh-CN", "zh-hans", "登录"),
    ],
)
def test_the_browser_language_chooses_and_chinese_is_the_default(
    client, accept_language, lang, word
):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=accept_language)

    content = response.content.decode()
    assert f'<html lang="{lang}">' in content
    assert word in content


@pytest.mark.django_db
def test_the_language_switch_is_kept_for_a_signed_in_user(client, user):
    client.force_login(user)

    response = client.post(reverse("language_set"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_changes_nothing(client, user):
    client.force_login(user)

    client.post(reverse("language_set"), {"language": "xx", "next": "/"})

    user.refresh_from_db()
    assert user.language == ""
