"""The committed OpenAPI contract is what the code generates, and it is clean."""
from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "openapi" / "openapi.yaml"


def _generate(tmp_path: Path) -> str:
    target = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    return target.read_text()


def test_committed_schema_matches_the_code(tmp_path: Path) -> None:
    generated = _generate(tmp_path)
    assert COMMITTED.exists(), "run `make schema` and commit openapi/openapi.yaml"
    assert yaml.safe_load(COMMITTED.read_text()) == yaml.safe_load(generated), (
        "openapi/openapi.yaml is stale: run `make schema` and commit the result"
    )


def test_every_operation_declares_scopes_and_problem_errors() -> None:
    schema = yaml.safe_load(COMMITTED.read_text())
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            where = f"{method.upper()} {path}"
            security = operation.get("security") or []
            assert security and all(req.get("oauth2") for req in security), f"{where} declares no OAuth scopes"
            assert "401" in operation["responses"], where
            problem = operation["responses"]["401"]["content"]
            assert "application/problem+json" in problem, where
            assert operation["operationId"].replace("_", "").isalnum(), where


def test_no_generated_enum_names() -> None:
    schema = yaml.safe_load(COMMITTED.read_text())
    names = schema["components"]["schemas"].keys()
    ugly = [n for n in names if any(ch.isdigit() for ch in n) and n.endswith("Enum")]
    assert not ugly, f"give these enums deliberate names in ENUM_NAME_OVERRIDES: {ugly}"
