"""`pip install sdk/python` gives a working package, generated client included."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sdk.live_server import ROOT
from tests.sdk.missing import missing

pytestmark = pytest.mark.sdk


def test_pip_install_sdk_python_into_a_fresh_venv(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT / "sdk" / "python", source,
                    ignore=shutil.ignore_patterns(".venv", "build", "*.egg-info", "__pycache__", ".*_cache"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    result = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(source)], capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0 and ("No matching distribution" in result.stderr or "connection" in result.stderr.lower()):
        missing(f"no package index reachable for the SDK's build/runtime dependencies: {result.stderr[-300:]}")
    assert result.returncode == 0, result.stderr
    check = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import openbank, openbank._generated.api.consents.consents_list as op; "
         "from openbank import OpenBank; ob = OpenBank('http://127.0.0.1:9', token='t'); "
         "print(openbank.__version__, type(ob.api).__name__, op.sync_detailed.__name__)"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert check.returncode == 0, check.stderr
    version, client, op = check.stdout.split()
    assert client == "AuthenticatedClient" and op == "sync_detailed" and version
