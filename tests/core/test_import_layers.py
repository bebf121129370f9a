"""The apps form layers (issue 15): no two apps import each other, directly or round a longer
cycle, at load or at call time; and an import inside a function is either ``AppConfig.ready()``'s
or carries a ``noqa: PLC0415`` with its reason (an ``apps.py`` may import at call time: its
``ready()`` and signal handlers run once the app registry is loaded, as ruff's per-file rule says). Read from the source with ``ast``, so an import
hidden in a function counts like one at the top."""

import ast
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
JUSTIFIED = re.compile(r"#\s*noqa:\s*PLC0415\s+-\s+\S")


def local_apps() -> dict[str, Path]:
    """The project's own installed apps (label → folder), third-party ones left out."""
    found = {}
    for config in apps.get_app_configs():
        path = Path(config.path)
        if path.is_relative_to(ROOT) and ".venv" not in path.parts:
            found[config.name] = path
    return found


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def imported_modules(tree: ast.AST) -> list[tuple[str, ast.stmt]]:
    """Every absolute import in ``tree`` as ``(module, node)``, wherever it stands."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
    return found


def app_edges(app_folders: dict[str, Path]) -> dict[tuple[str, str], str]:
    """``(importer, imported) → the first file`` for every import of one app by another."""
    edges: dict[tuple[str, str], str] = {}
    for app, folder in app_folders.items():
        for path in python_files(folder):
            for module, _node in imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
                target = module.split(".")[0]
                if target in app_folders and target != app:
                    edges.setdefault((app, target), str(path.relative_to(ROOT)))
    return edges


def find_cycle(edges) -> list[str]:
    """One cycle of the directed graph ``edges`` (pairs) as its nodes in order, or ``[]``."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str]:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return []
        for target in sorted(graph.get(node, ())):
            cycle = visit(target, [*path, node])
            if cycle:
                return cycle
        done.add(node)
        return []

    for node in sorted(graph):
        cycle = visit(node, [])
        if cycle:
            return cycle
    return []


def unjustified_function_imports(path: Path) -> list[str]:
    """Imports inside a function of ``path`` without a reasoned noqa, as ``file:line`` strings
    (none for an ``apps.py``)."""
    if path.name == "apps.py":
        return []
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for function in ast.walk(ast.parse(text)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for _module, node in imported_modules(function):
            if not JUSTIFIED.search(lines[node.lineno - 1]):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_two_apps_import_each_other_round_any_cycle():
    edges = app_edges(local_apps())
    cycle = find_cycle(edges)
    assert cycle == [], " -> ".join(
        f"{a} ({edges[(a, b)]})" for a, b in zip(cycle, cycle[1:], strict=False)
    )


def test_no_app_imports_inside_a_function_without_a_reason():
    found = [
        offence
        for folder in local_apps().values()
        for path in python_files(folder)
        for offence in unjustified_function_imports(path)
    ]
    assert found == []


def test_the_cycle_finder_finds_a_long_cycle_and_no_false_one():
    assert find_cycle({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == ["a", "b", "c", "a"]
    assert find_cycle({("a", "b"), ("b", "c"), ("a", "c")}) == []


def test_a_call_time_import_between_apps_is_an_edge_and_needs_a_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    for app in ("low", "high"):
        (tmp_path / app).mkdir()
    (tmp_path / "high" / "models.py").write_text("from low.models import Thing\n")
    low = tmp_path / "low" / "selectors.py"
    low.write_text(
        "def read():\n"
        "    from high.models import Other\n"
        "    from high.models import Else  # noqa: PLC0415 - the reason\n"
    )
    edges = app_edges({"low": tmp_path / "low", "high": tmp_path / "high"})
    assert find_cycle(edges) == ["high", "low", "high"]
    assert unjustified_function_imports(low) == ["low/selectors.py:2"]
