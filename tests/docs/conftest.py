"""Fixtures for the documentation tests: a live platform, both SDKs packed and a partner's project.

Marked `sdk` like the SDK end-to-end tests (they start gunicorn and install packages), so
.ci/run's `pytest -m sdk` step runs them; a missing node/npm/package index is a skip locally
and a failure under CI=true (tests.sdk.missing).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sdk.conftest import authorize_in_browser
from tests.sdk.conftest import pytest_collection_modifyitems as _sdk_selection
from tests.sdk.live_server import ROOT, LivePlatform, start_platform
from tests.sdk.missing import missing

pytest_collection_modifyitems = _sdk_selection  # the same `-m sdk` selection as tests/sdk


@pytest.fixture(scope="session")
def live() -> Iterator[LivePlatform]:
    platform = start_platform()
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture(scope="session")
def packed() -> dict[str, Path]:
    """`make sdk-pack`, as the docs tell a partner to run it: the wheel and the npm tarball."""
    for tool in ("make", "npm", "node"):
        if shutil.which(tool) is None:
            missing(f"{tool} is not installed: `make sdk-pack` cannot run")
    result = subprocess.run(["make", "--no-print-directory", "sdk-pack"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0 and "ENOTFOUND" in result.stderr + result.stdout:
        missing(f"no npm registry reachable for `make sdk-pack`: {result.stderr[-300:]}")
    assert result.returncode == 0, f"make sdk-pack failed:\n{result.stdout}\n{result.stderr}"
    files = {p.strip() for p in result.stdout.splitlines() if p.strip().startswith("dist/")}
    wheel = next(ROOT / p for p in files if p.endswith(".whl"))
    tarball = next(ROOT / p for p in files if p.endswith(".tgz"))
    return {"wheel": wheel, "tarball": tarball}


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory, packed: dict[str, Path]) -> Path:
    """A partner's own project directory (outside the checkout) holding the two packed files."""
    path = tmp_path_factory.mktemp("partner-project")
    for file in packed.values():
        shutil.copy(file, path / file.name)
    return path


def _creditor_account_number(live: LivePlatform) -> str:
    """li.na's first account number: from the seed's output, else read from the platform's database."""
    customer = live.customer("li.na")
    for key in ("account_numbers", "accounts"):
        for item in customer.get(key, []):
            if isinstance(item, dict) and item.get("account_number"):
                return str(item["account_number"])
            if isinstance(item, str) and item.isdigit():
                return item
    first = customer["accounts"][0]
    account_id = first["id"] if isinstance(first, dict) else first
    out = live.manage("shell", "-c", "from apps.accounts.models import DepositAccount as D; "
                      f"print('number=' + D.objects.get(pk={account_id!r}).account_number)")
    return re.findall(r"^number=(\S+)$", out, re.M)[-1]  # the shell may print more than our line


def _customer_token(live: LivePlatform) -> dict[str, Any]:
    """A customer's access token for an account-access consent (the real PKCE flow, wei.zhang)."""
    import datetime as dt

    import httpx
    from openbank import create_authorization_request, exchange_code, parse_authorization_response

    tp = live.third_party
    with httpx.Client(base_url=live.url, timeout=30) as http:
        token = http.post("/oauth/token/", auth=(tp["client_id"], tp["client_secret"]),
                          data={"grant_type": "client_credentials", "scope": "accounts"}).json()["access_token"]
        consent = http.post("/api/v1/consents", headers={"Authorization": f"Bearer {token}"}, json={
            "kind": "account_access", "permissions": ["read_accounts", "read_balances", "read_transactions"],
            "expires_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()})
        assert consent.status_code == 201, consent.text
    req = create_authorization_request(live.url, tp["client_id"], tp["redirect_uri"], "accounts",
                                       consent_id=consent.json()["id"])
    redirect = authorize_in_browser(live, req.url, tp["redirect_uri"])
    code = parse_authorization_response(redirect, expected_state=req.state, expected_issuer=live.url).code
    tokens = exchange_code(live.url, tp["client_id"], code, tp["redirect_uri"], req.code_verifier,
                           client_secret=tp["client_secret"])
    return {"access_token": tokens.access_token, "account_id": live.customer()["accounts"][0]}


@pytest.fixture(scope="session")
def doc_env(live: LivePlatform) -> dict[str, str]:
    """The environment variables docs/sdks.md documents for running the examples."""
    tp = live.third_party
    user = _customer_token(live)
    account = user["account_id"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO", "VIRTUAL_ENV"))}
    env.update({
        "OPENBANK_URL": live.url,
        "OPENBANK_CLIENT_ID": tp["client_id"],
        "OPENBANK_CLIENT_SECRET": tp["client_secret"],
        "OPENBANK_REDIRECT_URI": tp["redirect_uri"],
        "OPENBANK_CREDITOR_ACCOUNT_NUMBER": _creditor_account_number(live),
        "OPENBANK_ACCESS_TOKEN": user["access_token"],
        "OPENBANK_ACCOUNT_ID": account["id"] if isinstance(account, dict) else account,
        "OPENBANK_SEED": json.dumps(live.seed),
        "npm_config_fund": "false", "npm_config_audit": "false", "npm_config_update_notifier": "false",
    })
    return env
