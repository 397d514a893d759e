"""Fill msgstr entries of locale/zh_Hans/LC_MESSAGES/django.po from a Python file that
defines a dict T {msgid: translation}; prints what is still untranslated.
A key "context\x04msgid" fills the entry with that msgctxt (pgettext), as gettext
itself keys them. Usage: python scripts/translate.py FILE.py [FILE.py ...]; then
manage.py compilemessages."""

import runpy
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"

table: dict[str, str] = {}
for path in sys.argv[1:]:
    table.update(runpy.run_path(path)["T"])
po = polib.pofile(str(PO))
for entry in po:
    key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
    if key in table:
        value = table[key]
        if isinstance(value, list | tuple):  # plural forms given: Chinese needs one
            value = value[0]
        if entry.msgid_plural:  # Chinese has one plural form
            entry.msgstr_plural = {0: value}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
po.metadata_is_fuzzy = False
po.save()
po[:] = [e for e in po if not e.obsolete]  # strings no longer in the code
missing = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
print(f"{len(missing)} untranslated", *missing, sep="\n  ")
