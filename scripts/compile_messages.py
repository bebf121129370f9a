"""Compile every .po catalogue to .mo with polib, so neither running nor testing needs GNU gettext.
Only catalogues whose .mo is missing or older are compiled."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", "staticfiles", "var"}


def main() -> None:
    for po_path in ROOT.rglob("*.po"):
        if SKIP & set(po_path.relative_to(ROOT).parts):
            continue
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


if __name__ == "__main__":
    main()
