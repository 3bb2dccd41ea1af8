"""The shape of apps/lending: modules by job, dependencies one way, the ledger read through
its selectors only."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LENDING = ROOT / "apps" / "lending"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, under `if TYPE_CHECKING:`) for every import in the file."""
    tree = ast.parse(path.read_text())
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for stmt in block.body
        for node in ast.walk(stmt)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in typing_only) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.append((base, id(node) in typing_only))
            found += [(f"{base}.{alias.name}", id(node) in typing_only) for alias in node.names]
    return found


def _graph() -> dict[str, set[str]]:
    files = [p for p in LENDING.rglob("*.py") if "migrations" not in p.parts]
    modules = {_module(p): p for p in files}
    return {
        name: {target for target, typing in _imports(path) if target in modules and target != name and not typing}
        for name, path in modules.items()
    }


def test_services_module_is_gone_and_jobs_have_their_modules() -> None:
    assert not (LENDING / "services.py").exists() and not (LENDING / "api.py").exists()
    for name in ("errors", "risk", "origination", "servicing", "lists", "eod", "api/common", "api/loans",
                 "api/credit_lines", "api/applications"):
        assert (LENDING / f"{name}.py").exists(), name


def test_lending_has_no_import_cycle_and_eod_never_imports_servicing() -> None:
    graph = _graph()
    assert "apps.lending.servicing" not in graph["apps.lending.eod"]
    assert "apps.lending.eod" in graph["apps.lending.servicing"]
    visiting, done = set(), set()

    def visit(node: str, path: list[str]) -> None:
        assert node not in visiting, " -> ".join([*path, node])
        if node in done:
            return
        visiting.add(node)
        for target in sorted(graph[node]):
            visit(target, [*path, node])
        visiting.discard(node)
        done.add(node)

    for node in sorted(graph):
        visit(node, [])


def test_lending_reads_the_ledger_through_its_selectors_only() -> None:
    for path in LENDING.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        runtime = [target for target, typing in _imports(path) if not typing]
        assert not [t for t in runtime if t.startswith("apps.ledger.models")], path
