"""Schemathesis against the live platform: every operation, every check, the stateful phase.

gunicorn serves the app (tests/sdk/live_server.py) on a fresh database of the PostgreSQL
server in DATABASE_URL, migrated and seeded; the fuzzer gets real OAuth tokens (tests/fuzz/
tokens.py) and runs `st run` on the served schema (/api/schema/, links included) with the
hooks of tests/fuzz/hooks.py and the settings of tests/fuzz/schemathesis.toml. Any failure
fails the test, with schemathesis' report (and a JUnit file under var/fuzz/) to reproduce it.

Takes a few minutes, so it runs only when asked: `make fuzz` (OPENBANK_FUZZ=1) or CI's fuzz
step. FUZZ_MAX_EXAMPLES and FUZZ_SEED tune a run (a fixed seed by default, so CI is
repeatable; `FUZZ_SEED=random` explores).
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.tokens import fuzz_setup
from tests.sdk.live_server import ROOT, start_platform
from tests.sdk.missing import in_ci

HERE = Path(__file__).resolve().parent
REPORT_DIR = ROOT / "var" / "fuzz"

pytestmark = pytest.mark.skipif(
    os.environ.get("OPENBANK_FUZZ") != "1", reason="fuzzing a live server takes minutes: run `make fuzz` (CI does)"
)


def _st() -> list[str]:
    st = Path(sys.executable).with_name("st")
    if not st.exists():
        pytest.fail(f"schemathesis is not installed ({st}): pip install -r requirements-dev.txt", pytrace=False)
    return [str(st), "--no-color", "--config-file", str(HERE / "schemathesis.toml")]


def test_schemathesis_finds_nothing() -> None:
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://")) and in_ci():
        pytest.fail("CI fuzzes the platform on PostgreSQL: set DATABASE_URL", pytrace=False)
    seed = os.environ.get("FUZZ_SEED", "20261202")
    if seed == "random":
        seed = str(random.randrange(2**31))
    max_examples = os.environ.get("FUZZ_MAX_EXAMPLES", "25")

    live = start_platform(workers=2, threads=8)
    try:
        setup_file = live.workdir / "fuzz-setup.json"
        setup_file.write_text(json.dumps(fuzz_setup(live)))
        shutil.rmtree(REPORT_DIR, ignore_errors=True)
        REPORT_DIR.mkdir(parents=True)
        env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "OPENBANK_FUZZ_SETUP": str(setup_file),
               "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        # One worker: with more, Hypothesis' lambda descriptions race (ast.parse in threads
        # raised SystemError in schemathesis 4.32.5), an error of the tool rather than the API.
        command = [*_st(), "run", f"{live.url}/api/schema/", "--seed", seed, "--max-examples", max_examples,
                   "--workers", "1", "--request-timeout", "30", "--report", "junit",
                   "--report-junit-path", str(REPORT_DIR / "junit.xml")]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        (REPORT_DIR / "output.txt").write_text(result.stdout + result.stderr)
        (REPORT_DIR / "server.log").write_text(live.log())
    finally:
        live.stop()
    print(result.stdout[-6000:])  # the summary, shown with -s or -rA
    assert result.returncode == 0, (
        f"schemathesis found failures (seed {seed}; full report var/fuzz/output.txt, server log var/fuzz/server.log):\n"
        f"{result.stdout[-20000:]}\n{result.stderr[-3000:]}"
    )
