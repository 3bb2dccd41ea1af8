"""Under CI=true a missing piece fails the SDK tests; locally it skips them (tests/sdk/missing.py).

Not marked `sdk`: runs in `make test`.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sdk import test_sdk_generated_fresh
from tests.sdk.missing import in_ci, missing


@pytest.mark.parametrize(("value", "ci"), [("true", True), ("TRUE", True), (" true ", True), ("", False),
                                           ("false", False), ("0", False)])
def test_ci_is_true_only_when_the_variable_says_so(monkeypatch: pytest.MonkeyPatch, value: str, ci: bool) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci() is ci


def test_missing_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="node is not installed"):
        missing("node is not installed")


def test_missing_fails_under_ci_with_the_same_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="node is not installed .*CI=true"):
        missing("node is not installed")


@pytest.mark.parametrize(("ci", "outcome"), [(None, pytest.skip.Exception), ("true", pytest.fail.Exception)])
def test_the_freshness_test_without_node(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str | None,
                                         outcome: type[BaseException]) -> None:
    """The real freshness test, on a machine without node: skipped locally, failed in CI."""
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "node" else real_which(name, *a, **k))
    with pytest.raises(outcome, match="node is not installed"):
        test_sdk_generated_fresh.test_typescript_sdk_generated_code_is_fresh(None, tmp_path)
