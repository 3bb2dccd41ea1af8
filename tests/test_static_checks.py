"""Lint is part of the suite, so a red lint cannot land (mypy runs in `make typecheck` and CI)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "apps", "platform", "tests", "manage.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# The layering of the business apps, lower first (docs/decisions/0008-app-layering.md): an app
# imports only from apps below it. Apps not listed (developers) sit on top and may import any.
LAYERS = ["core", "customers", "oauth", "ledger", "accounts", "lending"]


def _upward_imports(root: Path) -> list[str]:
    import ast

    found = []
    for path in sorted((root / "apps").rglob("*.py")):
        app = path.relative_to(root / "apps").parts[0]
        if app not in LAYERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                package = list(path.relative_to(root).with_suffix("").parts[:-1])  # relative imports resolved
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                modules = [module] + [f"{module}.{alias.name}" for alias in node.names if module == "apps"]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] != "apps" or len(parts) < 2 or parts[1] == app:
                    continue
                other = parts[1]
                if other not in LAYERS or LAYERS.index(other) > LAYERS.index(app):
                    found.append(f"{path.relative_to(root)}:{node.lineno} {app} imports {module}")
    return found


def test_apps_import_only_from_lower_layers() -> None:
    assert _upward_imports(ROOT) == []


def test_the_layering_check_sees_an_upward_import(tmp_path: Path) -> None:
    (tmp_path / "apps" / "oauth").mkdir(parents=True)
    (tmp_path / "apps" / "oauth" / "views.py").write_text(
        "def f():\n    from apps.accounts.selectors import consentable_accounts\n", encoding="utf-8"
    )
    (tmp_path / "apps" / "customers").mkdir()
    (tmp_path / "apps" / "customers" / "views.py").write_text("from ..oauth.i18n import x\nfrom . import models\n", encoding="utf-8")
    (tmp_path / "apps" / "core").mkdir()
    (tmp_path / "apps" / "core" / "x.py").write_text("import apps.developers.views\nfrom apps import lending\n", encoding="utf-8")
    assert _upward_imports(tmp_path) == [
        "apps/core/x.py:1 core imports apps.developers.views",
        "apps/core/x.py:2 core imports apps.lending",
        "apps/customers/views.py:1 customers imports apps.oauth.i18n",
        "apps/oauth/views.py:2 oauth imports apps.accounts.selectors",
    ]
