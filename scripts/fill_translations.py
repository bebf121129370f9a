"""Fill a .po catalogue from a JSON object {msgid: translation} (for a plural entry the value is the
one Chinese form). Prints the msgids still untranslated. Usage:
    python scripts/fill_translations.py clients/locale/zh_Hans/LC_MESSAGES/django.po new.json
"""

import json
import sys

import polib


def main() -> None:
    po = polib.pofile(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as handle:
        translations = json.load(handle)
    missing = []
    for entry in po:
        if entry.msgid in translations:
            value = translations[entry.msgid]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.translated():
            missing.append(entry.msgid)
    po.save()
    print("untranslated:", missing)


if __name__ == "__main__":
    main()
