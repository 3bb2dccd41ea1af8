"""The Python SDK's own behaviour: retries (against a scripted stub, since the platform does not
fail on demand) and webhook verification against the Standard Webhooks reference library."""
from __future__ import annotations

import json
import time
import uuid

import pytest

from tests.sdk.stub_server import CONSENT, script_retry_scenario, stub_server

pytestmark = pytest.mark.sdk


def test_generated_calls_retry_503_and_honour_retry_after_on_429() -> None:
    from openbank import OpenBank
    from openbank._generated.api.consents import consents_create, consents_list
    from openbank._generated.models import AccountAccessConsentCreateRequest

    sleeps: list[float] = []
    with stub_server() as stub:
        script_retry_scenario(stub)
        with OpenBank(stub.url, token="t", retry_options={"sleep": sleeps.append}) as ob:
            page = ob.call(consents_list.sync_detailed)
            assert [c.id for c in page.data] == [CONSENT["id"]]
            assert [r.method for r in stub.to("GET", "/api/v1/consents")] == ["GET", "GET"]  # 503, then 200

            created = ob.call(consents_create.sync_detailed, body=AccountAccessConsentCreateRequest.from_dict(
                {"kind": "account_access", "permissions": ["read_accounts"], "expires_at": "2030-01-01T00:00:00Z"}))
            assert created.id == CONSENT["id"]
    posts = stub.to("POST", "/api/v1/consents")
    assert len(posts) == 2  # 429, then 201
    keys = {p.headers["idempotency-key"] for p in posts}
    assert len(keys) == 1 and uuid.UUID(keys.pop()).version == 4  # one key, reused by the retry
    assert json.loads(posts[0].body) == json.loads(posts[1].body)
    assert sleeps[1] == 1.0  # the 429's Retry-After, not a backoff guess
    assert 0 <= sleeps[0] <= 8.0  # the 503: exponential backoff with jitter
    assert all(r.headers["authorization"] == "Bearer t" for r in stub.requests)


def test_retries_are_bounded() -> None:
    from openbank import OpenBank, ServerError
    from openbank._generated.api.consents import consents_list

    from tests.sdk.stub_server import problem

    sleeps: list[float] = []
    with stub_server() as stub:
        stub.script("GET", "/api/v1/consents", problem(503, "unavailable"))
        with OpenBank(stub.url, token="t", max_retries=2, retry_options={"sleep": sleeps.append}) as ob:
            with pytest.raises(ServerError) as failed:
                ob.call(consents_list.sync_detailed)
    assert failed.value.status == 503 and failed.value.request_id == "req_stub"
    assert len(stub.to("GET", "/api/v1/consents")) == 3 and len(sleeps) == 2


def test_webhooks_signed_by_the_reference_library_verify() -> None:
    from openbank import WebhookVerificationError, verify_webhook
    from standardwebhooks import Webhook

    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    payload = json.dumps({"type": "loan.disbursed", "data": {"loan_id": "loan_1", "amount": {"amount": "8000.00",
                                                                                             "currency": "CNY"}}})
    msg_id = "msg_" + uuid.uuid4().hex
    now = int(time.time())
    signature = Webhook(secret).sign(msg_id, _dt(now), payload)
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(now), "webhook-signature": signature}

    event = verify_webhook(payload.encode(), headers, secret)
    assert event["type"] == "loan.disbursed" and event["data"]["amount"]["amount"] == "8000.00"

    with pytest.raises(WebhookVerificationError):
        verify_webhook(payload.replace("8000.00", "9000.00").encode(), headers, secret)
    with pytest.raises(WebhookVerificationError):  # replayed long after it was signed
        verify_webhook(payload.encode(), headers, secret, now=now + 3600)
    # Secret rotation: several signatures, one valid, is accepted.
    rotated = dict(headers, **{"webhook-signature": "v1,bm90LXRoZS1zaWduYXR1cmU= " + signature})
    assert verify_webhook(payload.encode(), rotated, secret)["type"] == "loan.disbursed"

    # And the other way round: what the SDK signs, the reference library accepts.
    from openbank.webhooks import sign_webhook

    ours = sign_webhook(payload, secret, msg_id, now)
    Webhook(secret).verify(payload, {"webhook-id": msg_id, "webhook-timestamp": str(now), "webhook-signature": ours})


def _dt(ts: int):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, tz=dt.UTC)
