"""Skip locally, fail in CI: what an SDK test does when a piece it needs is missing.

On a developer's machine a missing node, `node_modules`, generator or SDK import is a reason
to skip (with the reason shown by `-ra`). In CI (`CI=true`, as GitHub Actions, GitLab CI and
most runners set it) the same condition means the pipeline lost a piece and the SDKs went
untested: the test fails with the same reason instead of passing silently as a skip.
"""
from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def missing(reason: str) -> NoReturn:
    """`pytest.skip(reason)`, or `pytest.fail(reason)` when CI=true."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing piece fails the SDK tests instead of skipping them)",
                    pytrace=False)
    pytest.skip(reason)
