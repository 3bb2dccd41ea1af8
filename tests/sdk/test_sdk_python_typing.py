"""The Python SDK is typed end to end: a type checker infers the generated models through the runtime."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sdk.live_server import SDK_PYTHON_SRC
from tests.sdk.missing import missing

pytestmark = pytest.mark.sdk

SNIPPET = '''
from openbank import OpenBank, iterate_operation, unwrap
from openbank._generated.api.consents import consents_list, consents_retrieve

ob = OpenBank("http://127.0.0.1:9", token="t")
reveal_type(ob.call(consents_retrieve.sync_detailed, consent_id="cns_1"))
reveal_type(unwrap(consents_list.sync_detailed(client=ob.api)))
reveal_type(ob.iterate(consents_list.sync_detailed, limit=100))
reveal_type(iterate_operation(consents_list.sync_detailed, client=ob.api))
'''


def test_models_are_inferred_through_call_and_iterate(tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        missing("mypy is not installed: pip install -r requirements-dev.txt")
    (tmp_path / "snippet.py").write_text(SNIPPET)
    env = dict(os.environ, MYPYPATH=str(SDK_PYTHON_SRC))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent", "--config-file=/dev/null",
         "snippet.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    revealed = [line.split("Revealed type is ", 1)[1].strip('"') for line in result.stdout.splitlines()
                if "Revealed type is" in line]
    assert revealed == [
        "openbank._generated.models.consent.Consent",
        "openbank._generated.models.consent_list.ConsentList",
        "typing.Iterator[openbank._generated.models.consent.Consent]",
        "typing.Iterator[openbank._generated.models.consent.Consent]",
    ], result.stdout
