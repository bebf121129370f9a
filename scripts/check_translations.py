"""Fail when a Chinese catalogue has an untranslated or fuzzy entry, or when a string marked for
translation in the code is missing from the catalogues (makemessages is run first by .ci/run)."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", "staticfiles", "var"}


def main() -> int:
    problems = []
    catalogues = [
        p
        for p in ROOT.rglob("zh_Hans/LC_MESSAGES/*.po")
        if not SKIP & set(p.relative_to(ROOT).parts)
    ]
    if not catalogues:
        print("No Chinese catalogue found.")
        return 1
    for path in catalogues:
        po = polib.pofile(str(path))
        for entry in po.untranslated_entries():
            problems.append(f"{path.relative_to(ROOT)}: untranslated: {entry.msgid!r}")
        for entry in po.fuzzy_entries():
            problems.append(f"{path.relative_to(ROOT)}: fuzzy: {entry.msgid!r}")
    for line in problems:
        print(line)
    print(f"{len(catalogues)} catalogues checked, {len(problems)} problems.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
