"""Every test that drives a browser carries the ``browser`` marker, so ``-m "not browser"`` leaves
out all of them and ``-m browser`` runs all of them (a journey without it ran among the fast tests
and was skipped by the browser run)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
BROWSER_FIXTURES = {"page", "browser", "live_server"}


def _drives_browser(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            parametrized = " ".join(ast.unparse(d) for d in node.decorator_list)
            fixtures = {a.arg for a in node.args.args if f"'{a.arg}'" not in parametrized}
            if BROWSER_FIXTURES & fixtures:
                return True
        if isinstance(node, ast.ImportFrom) and node.module == "tests.browser.conftest":
            return True
    return False


def _module_marked_browser(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            return "mark.browser" in ast.unparse(node.value)
    return False


def test_every_module_that_drives_a_browser_is_marked_browser():
    unmarked = []
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if _drives_browser(tree) and not _module_marked_browser(tree):
            unmarked.append(str(path.relative_to(TESTS)))
    assert unmarked == []


def test_the_marker_check_finds_the_browser_journeys():
    journeys = sorted((TESTS / "browser").glob("test_*.py"))
    assert journeys
    assert all(_drives_browser(ast.parse(p.read_text(encoding="utf-8"))) for p in journeys)
