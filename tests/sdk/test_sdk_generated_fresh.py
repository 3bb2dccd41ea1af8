"""The committed SDK code is what `make sdk` generates from the committed openapi/openapi.yaml.

Not marked `sdk`: it runs in `make test`. Each SDK is regenerated into a temp dir (offline,
pinned generators) and compared file by file with the committed code.
"""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from tests.sdk.missing import missing

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "openapi.yaml"


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("sdk_generate", ROOT / "sdk" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["sdk_generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator():  # type: ignore[no-untyped-def]
    if not SPEC.exists():
        missing("openapi/openapi.yaml is not committed yet: run `make schema` (tests/contract fails for it)")
    return _generator()


def test_python_sdk_generated_code_is_fresh(generator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if importlib.util.find_spec("openapi_python_client") is None:
        missing("openapi-python-client is not installed: pip install -r requirements-dev.txt")
    fresh = generator.generate_python(SPEC, tmp_path)
    diff = generator.differences(generator.PY_TARGET, fresh)
    assert not diff, "sdk/python/src/openbank/_generated is stale, run `make sdk`:\n" + "\n".join(diff)


def test_typescript_sdk_generated_code_is_fresh(generator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("node") is None:
        missing("node is not installed: the TypeScript SDK needs Node 20+")
    if not generator.TS_BIN.exists():
        missing("sdk/typescript/node_modules is missing: run `npm ci` in sdk/typescript")
    fresh = generator.generate_typescript(SPEC, tmp_path)
    diff = generator.differences(generator.TS_TARGET, fresh)
    assert not diff, "sdk/typescript/src/generated/openapi.ts is stale, run `make sdk`:\n" + "\n".join(diff)


def test_a_changed_schema_is_detected(generator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The check is not vacuous: a schema with one operation renamed yields a difference."""
    if importlib.util.find_spec("openapi_python_client") is None:
        missing("openapi-python-client is not installed: pip install -r requirements-dev.txt")
    import yaml

    schema = yaml.safe_load(SPEC.read_text())
    first_path = next(iter(schema["paths"].values()))
    operation = next(op for method, op in first_path.items() if method in {"get", "post"})
    operation["operationId"] = operation["operationId"] + "_renamed"
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(schema, sort_keys=False))
    out = tmp_path / "out"
    out.mkdir()
    fresh = generator.generate_python(changed, out)
    diff = generator.differences(generator.PY_TARGET, fresh)
    assert any("_renamed" in line for line in diff), diff
