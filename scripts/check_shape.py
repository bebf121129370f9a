"""The code's shape (issue 15): no app file over 500 lines (migrations aside) and no function over
60 lines, except the functions listed in ``SQL_TEXT`` whose length is one SQL statement's text.

Run by ``.ci/run`` next to ruff; exits 1 and names every offender with its length. Lines are
counted as the file shows them: a function from its ``def`` (decorators aside) to its last line,
docstring and comments included, since that is what a reader scrolls through.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "analytics",
    "approvals",
    "clients",
    "core",
    "dataruns",
    "feedback",
    "managers",
    "programme",
    "retention",
    "servicedesk",
    "vipservice",
)
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60

# "path:function" -> why its length is SQL text and not logic. Keep this list short: a function
# earns a place only when splitting it would cut one statement in pieces.
SQL_TEXT = {
    "clients/qualification/sql.py:changes_stage": (
        "one CREATE TABLE ... AS WITH statement (37 lines of SQL) that finds every client whose "
        "status changes; its comments say why each join is where it is"
    ),
}


def app_files() -> list[Path]:
    """The apps' Python files, migrations excluded, in path order."""
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def offences(path: Path, root: Path = ROOT) -> list[str]:
    """What is too long in one file, as ``path[:line]: what (n lines)`` strings; ``path`` is
    named relative to ``root``."""
    relative = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    found = []
    lines = len(text.splitlines())
    if lines > MAX_FILE_LINES:
        found.append(f"{relative}: file of {lines} lines (at most {MAX_FILE_LINES})")
    for node in ast.walk(ast.parse(text, filename=relative)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length > MAX_FUNCTION_LINES and f"{relative}:{node.name}" not in SQL_TEXT:
            found.append(
                f"{relative}:{node.lineno}: {node.name}() of {length} lines "
                f"(at most {MAX_FUNCTION_LINES})"
            )
    return found


def main() -> int:
    found = [offence for path in app_files() for offence in offences(path)]
    stale = [
        name
        for name in SQL_TEXT
        if not (ROOT / name.split(":")[0]).exists()
        or f"def {name.split(':')[1]}(" not in (ROOT / name.split(":")[0]).read_text()
    ]
    for offence in found:
        print(offence)
    for name in stale:
        print(f"{name}: listed in SQL_TEXT but not found; remove it from the list")
    return 1 if found or stale else 0


if __name__ == "__main__":
    sys.exit(main())
