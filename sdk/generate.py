#!/usr/bin/env python3
"""Regenerate (or check) the code both SDKs derive from openapi/openapi.yaml.

    python sdk/generate.py                  # write sdk/python/src/openbank/_generated and
                                            # sdk/typescript/src/generated/openapi.ts
    python sdk/generate.py --check          # regenerate into a temp dir, exit 1 if stale
    python sdk/generate.py --only python    # or typescript
    python sdk/generate.py --spec other.yaml

Offline and deterministic: openapi-python-client 0.29.1 (requirements-dev.txt) with the
committed config sdk/python/openapi-python-client.yaml, whose post-hooks run the pinned
ruff with `--isolated` (so the result does not depend on where it is generated), and
openapi-typescript 7.13.0 from sdk/typescript/node_modules (package-lock.json).
Generation always happens in a temp dir first: a failed run never leaves half a client.
"""
from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SDK = Path(__file__).resolve().parent
ROOT = SDK.parent
SPEC = ROOT / "openapi" / "openapi.yaml"
PY_CONFIG = SDK / "python" / "openapi-python-client.yaml"
PY_TARGET = SDK / "python" / "src" / "openbank" / "_generated"
TS_DIR = SDK / "typescript"
TS_TARGET = TS_DIR / "src" / "generated" / "openapi.ts"
TS_BIN = TS_DIR / "node_modules" / ".bin" / "openapi-typescript"


class GenerationUnavailable(RuntimeError):
    """A generator is not installed (the caller decides whether that is fatal)."""


def _python_tools_env() -> dict[str, str]:
    env = dict(os.environ)
    # The generator's post-hooks call `ruff`: use the one next to this interpreter.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def _nullable_refs_for_python(node: object) -> object:
    """openapi-python-client 0.29 ignores `nullable: true` on `allOf: [$ref]` when `type: object`
    stands beside it (the form OpenAPI 3.0 linters want, written by apps.core.schema): the
    property becomes required-non-null and parsing a `null` crashes. Dropping that `type` on
    those nodes only (the `$ref` says it is an object anyway) gives `Model | None`."""
    if isinstance(node, dict):
        if node.get("nullable") is True and "allOf" in node and node.get("type") == "object":
            node = {k: v for k, v in node.items() if k != "type"}
        return {k: _nullable_refs_for_python(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_nullable_refs_for_python(v) for v in node]
    return node


def generate_python(spec: Path, out_dir: Path) -> Path:
    """Generate the Python client package into out_dir/_generated; returns that path."""
    try:
        import openapi_python_client  # noqa: F401
        import yaml
    except ImportError as exc:
        raise GenerationUnavailable(
            "openapi-python-client is not installed (pip install -r requirements-dev.txt)"
        ) from exc
    target = out_dir / "_generated"
    normalized = out_dir / "openapi.python.yaml"
    normalized.write_text(yaml.safe_dump(_nullable_refs_for_python(yaml.safe_load(spec.read_text())),
                                         sort_keys=False, allow_unicode=True))
    result = subprocess.run(  # noqa: S603 - fixed argv of pinned tools
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(normalized),
         "--config", str(PY_CONFIG), "--meta", "none", "--output-path", str(target), "--overwrite"],
        env=_python_tools_env(), capture_output=True, text=True, cwd=out_dir,
    )
    # The generator prints warnings for parts of a spec it cannot model and still exits 0;
    # the platform's spec must generate cleanly, so any warning is an error here.
    if result.returncode != 0 or "Warning" in result.stdout or "Error" in result.stdout:
        raise RuntimeError(f"openapi-python-client failed:\n{result.stdout}\n{result.stderr}")
    return target


def generate_typescript(spec: Path, out_dir: Path) -> Path:
    """Generate the openapi-typescript `paths` module into out_dir/openapi.ts."""
    if shutil.which("node") is None:
        raise GenerationUnavailable("node is not installed (Node 20+ is needed for the TypeScript SDK)")
    if not TS_BIN.exists():
        raise GenerationUnavailable("sdk/typescript/node_modules is missing: run `npm ci` in sdk/typescript")
    target = out_dir / "openapi.ts"
    result = subprocess.run(  # noqa: S603 - fixed argv of pinned tools
        [str(TS_BIN), str(spec), "--output", str(target), "--default-non-nullable=false"],
        capture_output=True, text=True, cwd=TS_DIR,
    )
    if result.returncode != 0 or not target.exists():
        raise RuntimeError(f"openapi-typescript failed:\n{result.stdout}\n{result.stderr}")
    return target


def _tree(path: Path) -> dict[str, Path]:
    if path.is_file():
        return {path.name: path}
    return {
        str(p.relative_to(path)): p
        for p in sorted(path.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".ruff_cache" not in p.parts
    }


def differences(committed: Path, fresh: Path) -> list[str]:
    """Human-readable differences between the committed and a fresh generation (empty: same)."""
    if not committed.exists():
        return [f"{committed.relative_to(ROOT)} does not exist"]
    old, new = _tree(committed), _tree(fresh)
    out: list[str] = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            out.append(f"- {name} (no longer generated)")
        elif name not in old:
            out.append(f"+ {name} (new)")
        elif not filecmp.cmp(old[name], new[name], shallow=False):
            diff = difflib.unified_diff(
                old[name].read_text().splitlines(), new[name].read_text().splitlines(),
                f"committed/{name}", f"generated/{name}", lineterm="", n=1,
            )
            out.append("\n".join(list(diff)[:40]))
    return out


def _replace(target: Path, fresh: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    if fresh.is_dir():
        shutil.copytree(fresh, target, ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))
    else:
        shutil.copyfile(fresh, target)


GENERATORS = {
    "python": (generate_python, PY_TARGET),
    "typescript": (generate_typescript, TS_TARGET),
}


def run(spec: Path, *, check: bool, only: list[str]) -> list[str]:
    """Generate each SDK; in check mode return the problems instead of writing."""
    problems: list[str] = []
    for name in only:
        generate, target = GENERATORS[name]
        with tempfile.TemporaryDirectory(prefix=f"sdk-{name}-") as tmp:
            fresh = generate(spec, Path(tmp))
            if check:
                diff = differences(target, fresh)
                if diff:
                    problems.append(f"{name}: {target.relative_to(ROOT)} is stale:\n" + "\n".join(diff))
            else:
                _replace(target, fresh)
                print(f"{name}: wrote {target.relative_to(ROOT)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", type=Path, default=SPEC)
    parser.add_argument("--check", action="store_true", help="fail if the committed code is stale")
    parser.add_argument("--only", choices=sorted(GENERATORS), action="append")
    args = parser.parse_args(argv)
    spec = args.spec.resolve()
    if not spec.exists():
        print(f"{spec} does not exist: run `make schema` first", file=sys.stderr)
        return 2
    try:
        problems = run(spec, check=args.check, only=args.only or sorted(GENERATORS))
    except GenerationUnavailable as exc:
        print(f"cannot generate: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("\nThe committed SDK code is stale: run `make sdk` and commit the result.", file=sys.stderr)
        return 1
    if args.check:
        print("SDK code is up to date with " + str(spec.relative_to(ROOT) if spec.is_relative_to(ROOT) else spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
