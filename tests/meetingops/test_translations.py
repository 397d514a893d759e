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


def untranslated(po: polib.POFile) -> list[str]:
    """The live entries with an empty message (any plural form) or marked fuzzy."""
    return [
        e.msgid
        for e in po
        if not e.obsolete and ("fuzzy" in e.flags or not e.translated() or not _all_forms_given(e))
    ]


def _all_forms_given(entry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(v.strip() for v in entry.msgstr_plural.values())
    return bool(entry.msgstr.strip())


def stale(po: polib.POFile, mo: gettext.GNUTranslations) -> list[str]:
    """The translated entries the compiled catalogue does not say as the source does
    (every plural form, and with its context)."""

    def compiled(entry, n: int = 1) -> str:
        if entry.msgid_plural:
            if entry.msgctxt:
                return mo.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            return mo.ngettext(entry.msgid, entry.msgid_plural, n)
        if entry.msgctxt:
            return mo.pgettext(entry.msgctxt, entry.msgid)
        return mo.gettext(entry.msgid)

    found = []
    for e in po:
        if e.obsolete or not e.translated():
            continue
        if e.msgid_plural:
            # zh-hans has one plural form (nplurals=1): n=1 and n=2 both say form 0.
            forms = e.msgstr_plural
            ok = compiled(e, 1) == forms[0] and compiled(e, 2) == forms.get(1, forms[0])
        else:
            ok = compiled(e) == e.msgstr
        if not ok:
            found.append(e.msgid)
    return found


def test_every_string_is_translated_and_none_is_fuzzy():
    assert untranslated(polib.pofile(str(PO))) == []


def test_the_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    with MO.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)

    assert stale(po, mo) == [], "run: python manage.py compilemessages"


SAMPLE = """
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

msgid "Approve"
msgstr "通过"

#, fuzzy
msgid "Reject"
msgstr "驳回"

msgid "Pending"
msgstr ""

msgid "%(count)d meeting"
msgid_plural "%(count)d meetings"
msgstr[0] ""

msgctxt "room"
msgid "name"
msgstr "名称"
"""


def test_the_check_finds_an_empty_a_fuzzy_and_an_empty_plural_message():
    po = polib.pofile(SAMPLE)

    assert untranslated(po) == ["Reject", "Pending", "%(count)d meeting"]


def test_the_check_finds_a_compiled_catalogue_out_of_step_with_its_source(tmp_path):
    po = polib.pofile(SAMPLE)
    po.save_as_mofile(str(tmp_path / "django.mo"))
    po.find("Approve").msgstr = "批准"  # edited after compiling
    po.find("name", msgctxt="room").msgstr = "名字"
    with (tmp_path / "django.mo").open("rb") as handle:
        mo = gettext.GNUTranslations(handle)

    assert stale(po, mo) == ["Approve", "name"]


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
