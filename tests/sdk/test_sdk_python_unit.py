"""The Python SDK's own unit tests (sdk/python/tests, against a local fake platform) run in the
SDK step of CI too: `pytest -m sdk` starts them in a subprocess rooted at sdk/python."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.sdk.live_server import ROOT

pytestmark = pytest.mark.sdk


def test_python_sdk_unit_tests_pass() -> None:
    # The child is its own pytest project (sdk/python/pyproject.toml): no Django settings.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider", "-p", "no:django", "-p", "no:xdist", "tests"],
        cwd=ROOT / "sdk" / "python", env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # A missing generator skips test_codegen locally and fails it under CI=true (the child
    # inherits CI): the child's own policy, tests/sdk/missing.py's twin in test_codegen.py.
    assert " passed" in result.stdout, result.stdout[-1000:]
