"""Fail when a Chinese catalogue has an untranslated or fuzzy entry, a translation whose
``%`` placeholders differ from its message id's (``msgfmt --check-format``'s rule: the page would
raise or show a stray ``%``), or when a string marked for translation in the code is missing from
the catalogues (makemessages is run first by .ci/run)."""

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", "staticfiles", "var"}
# One printf directive as Python's ``%`` operator reads it.
DIRECTIVE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*\d*(?:\.\d+)?(?P<kind>[diouxXeEfFgGcrsa%])"
)


def _directives(text: str) -> tuple[list[tuple[str, str]], bool]:
    """(the sorted placeholders but ``%%``, whether a ``%`` is left that is no directive)."""
    found: list[tuple[str, str]] = []
    rest = DIRECTIVE.sub(lambda m: found.append((m["name"] or "", m["kind"])) or "", text)
    return sorted(d for d in found if d[1] != "%"), "%" in rest


def _format_problem(entry) -> str | None:
    """Why a ``python-format`` entry's translation would break its formatting, or None."""
    if "python-format" not in entry.flags or not entry.translated():
        return None
    if entry.msgid_plural:
        texts = list(entry.msgstr_plural.values())
        wanted = {name for name, _ in _directives(entry.msgid_plural)[0]}
        for text in texts:
            names, stray = _directives(text)
            if stray or not {name for name, _ in names} <= wanted:
                return "placeholders differ from the message id's"
        return None
    wanted, _stray = _directives(entry.msgid)
    got, stray = _directives(entry.msgstr)
    if stray:
        return "a stray % (write %% for a percent sign)"
    if got != wanted:
        return "placeholders differ from the message id's"
    return None


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
        for entry in po:
            problem = _format_problem(entry)
            if problem:
                problems.append(f"{path.relative_to(ROOT)}: {problem}: {entry.msgid!r}")
    for line in problems:
        print(line)
    print(f"{len(catalogues)} catalogues checked, {len(problems)} problems.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
