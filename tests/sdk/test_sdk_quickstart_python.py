"""The Python quickstart shown on /developers runs, verbatim, against the live platform."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.sdk.live_server import ROOT, SDK_PYTHON_SRC, LivePlatform

pytestmark = pytest.mark.sdk

SAMPLE = ROOT / "apps" / "developers" / "samples" / "quickstart.py"


def test_python_quickstart_runs_against_the_platform(live: LivePlatform) -> None:
    env = dict(os.environ)
    env.update({
        "OPENBANK_URL": live.url,
        "OPENBANK_CLIENT_ID": live.third_party["client_id"],
        "OPENBANK_CLIENT_SECRET": live.third_party["client_secret"],
        "PYTHONPATH": str(SDK_PYTHON_SRC),  # what `pip install sdk/python` provides
    })
    result = subprocess.run([sys.executable, str(SAMPLE)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    created = lines[0].split()
    assert created[0] == "created" and created[1].startswith("cns_") and created[2] == "awaiting_authorisation"
    assert f"found {created[1]} among the app's consents" in lines
    assert lines[-1].startswith("total ") and int(lines[-1].split()[1]) >= 1
