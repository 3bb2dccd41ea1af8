"""The TypeScript SDK against the live platform, driven from pytest.

`npm run build` + `npm run build:e2e` compile the SDK and the programs in sdk/typescript/e2e
(and the developer page's quickstart.ts); each program gets the server URL and the seed JSON
in its environment, prints a JSON summary on its last line, and exits non-zero on failure.
Skipped, with the reason, where node/npm or sdk/typescript/node_modules are missing (a failure
under CI=true, see tests/sdk/missing.py).
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sdk.live_server import LivePlatform, build_typescript, node_available, run_node
from tests.sdk.missing import missing
from tests.sdk.stub_server import script_retry_scenario, stub_server

pytestmark = pytest.mark.sdk


@pytest.fixture(scope="session")
def ts_build() -> Iterator[Path]:
    reason = node_available()
    if reason:
        missing(reason)
    yield build_typescript()


def _run(script: Path, live: Any, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run_node(script, live, env=env)
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_typescript_consents_pagination_and_pkce(ts_build: Path, live: LivePlatform) -> None:
    out = _run(ts_build / "sdk" / "typescript" / "e2e" / "consents.js", live)
    assert out["created"] == 23 and out["listed"] >= 23
    assert out["accountIds"] == [live.customer()["accounts"][0]]

    # The tokens the TypeScript SDK obtained work from any client: the platform really issued them.
    from openbank import OpenBank

    with OpenBank(live.url, token=out["accessToken"]) as user:
        try:
            from openbank._generated.api.accounts import accounts_list
        except ImportError:
            missing("accounts_list is not in the generated client yet")
        accounts = list(user.iterate(accounts_list.sync_detailed))
    assert [a.id for a in accounts] == out["accountIds"]


def test_typescript_retries_and_webhooks(ts_build: Path, live: LivePlatform) -> None:
    from openbank import verify_webhook
    from standardwebhooks import Webhook

    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    payload = json.dumps({"type": "loan.disbursed", "data": {"loan_id": "loan_py"}})
    now = int(time.time())
    import datetime as dt

    signature = Webhook(secret).sign("msg_py_1", dt.datetime.fromtimestamp(now, tz=dt.UTC), payload)
    py_headers = {"webhook-id": "msg_py_1", "webhook-timestamp": str(now), "webhook-signature": signature}

    with stub_server() as stub:
        script_retry_scenario(stub)
        out = _run(ts_build / "sdk" / "typescript" / "e2e" / "runtime.js", live, env={
            "STUB_URL": stub.url, "PY_WEBHOOK_PAYLOAD": payload, "PY_WEBHOOK_HEADERS": json.dumps(py_headers)})
    gets, posts = stub.to("GET", "/api/v1/consents"), stub.to("POST", "/api/v1/consents")
    assert len(gets) == 2 and len(posts) == 2  # 503 then 200; 429 then 201
    keys = {p.headers["idempotency-key"] for p in posts}
    assert len(keys) == 1 and uuid.UUID(keys.pop())  # one key, reused by the retry
    assert out["sleeps"][1] == 1000  # Retry-After: 1 honoured
    assert out["python"] is True  # a delivery signed by the Python reference library verifies in TypeScript
    # ... and one signed by the npm reference library verifies in Python.
    npm = out["npmSigned"]
    assert verify_webhook(npm["payload"].encode(), npm["headers"], secret)["type"] == "loan.disbursed"


def test_typescript_quickstart_runs_against_the_platform(ts_build: Path, live: LivePlatform) -> None:
    script = ts_build / "apps" / "developers" / "samples" / "quickstart.js"
    result = run_node(script, live, env={"OPENBANK_CLIENT_ID": live.third_party["client_id"],
                                         "OPENBANK_CLIENT_SECRET": live.third_party["client_secret"]})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    created = lines[0].split()
    assert created[0] == "created" and created[1].startswith("cns_") and created[2] == "awaiting_authorisation"
    assert f"found {created[1]} among the app's consents" in lines
    assert lines[-1].startswith("total ") and int(lines[-1].split()[1]) >= 1


def test_typescript_third_party_accounts_payment_and_credit(ts_build: Path, live: LivePlatform) -> None:
    out = _run(ts_build / "sdk" / "typescript" / "e2e" / "thirdparty.js", live)
    assert out["accounts"] == live.customer()["accounts"]
    assert out["paymentId"].startswith("pay_")
    if live.customer().get("credit_lines"):
        credit = out["credit"]
        assert credit["principal"] == "2000.00" and credit["repaid"] == "150.00" and credit["installments"] >= 1
    assert out["replayProblem"] is None, f"the idempotent replay answered {out['replayProblem']}, not the first 201"
    assert out["replayed"] == "true"


def test_typescript_response_cache_revalidates_against_the_platform(ts_build: Path, live: LivePlatform) -> None:
    out = _run(ts_build / "sdk" / "typescript" / "e2e" / "cache.js", live)
    etag = out["etag"]
    assert etag, "the transactions page carries an ETag"
    # On the wire: the first read a 200, the second a 304 in answer to If-None-Match: <that ETag>.
    assert out["beforePayment"] == [{"status": 200, "ifNoneMatch": None}, {"status": 304, "ifNoneMatch": etag}]
    assert out["sameData"] is True and out["secondRevalidated"] is True
    # After the payment: the same revalidation, answered 200 with the new transaction.
    assert out["afterPayment"] == {"status": 200, "ifNoneMatch": etag}
    assert out["changed"] is True and out["newTransactionSeen"] is True, out
    assert out["finally"] == {"status": 304, "revalidated": True}
    assert out["revalidatedCount"] == 2
