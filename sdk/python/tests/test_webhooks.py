from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timezone

import pytest
from standardwebhooks.webhooks import Webhook

from openbank.webhooks import WebhookVerificationError, sign_webhook, verify_webhook

SECRET = "whsec_" + base64.b64encode(b"super-secret-key-material-32-byte").decode()
OTHER = "whsec_" + base64.b64encode(b"another-secret-key").decode()
PAYLOAD = json.dumps({"type": "payment.settled", "data": {"id": "pay_1",
                      "amount": {"amount": "8000.00", "currency": "CNY"}}})


def signed(payload: str = PAYLOAD, secret: str = SECRET, msg_id: str = "msg_1",
           ts: float | None = None) -> dict[str, str]:
    ts = time.time() if ts is None else ts
    sig = Webhook(secret).sign(msg_id, datetime.fromtimestamp(ts, tz=timezone.utc), payload)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(ts)), "webhook-signature": sig}


def test_verifies_standardwebhooks_signature() -> None:
    event = verify_webhook(PAYLOAD.encode(), signed(), SECRET)
    assert event["type"] == "payment.settled"
    assert event["data"]["amount"]["amount"] == "8000.00"
    assert verify_webhook(PAYLOAD, signed(), SECRET) == event  # str payload


def test_header_names_are_case_insensitive() -> None:
    headers = {k.title(): v for k, v in signed().items()}
    assert verify_webhook(PAYLOAD, headers, SECRET)["type"] == "payment.settled"
    upper = {k.upper(): v for k, v in signed().items()}
    assert verify_webhook(PAYLOAD, upper, SECRET)["type"] == "payment.settled"


def test_multiple_signatures_secret_rotation() -> None:
    h = signed()
    other = signed(secret=OTHER)["webhook-signature"]
    h["webhook-signature"] = f"v1a,Zm9v {other} {h['webhook-signature']}"
    verify_webhook(PAYLOAD, h, SECRET)
    verify_webhook(PAYLOAD, h, OTHER)


@pytest.mark.parametrize("mutate", [
    lambda p, h: (p.replace("8000.00", "9000.00"), h),  # tampered body
    lambda p, h: (p, {**h, "webhook-id": "msg_2"}),  # tampered id
    lambda p, h: (p, {**h, "webhook-timestamp": str(int(h["webhook-timestamp"]) + 1)}),
    lambda p, h: (p, {**h, "webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()}),
    lambda p, h: (p, {**h, "webhook-signature": h["webhook-signature"].replace("v1,", "v2,")}),
    lambda p, h: (p, {k: v for k, v in h.items() if k != "webhook-signature"}),
    lambda p, h: (p, {k: v for k, v in h.items() if k != "webhook-id"}),
    lambda p, h: (p, {**h, "webhook-timestamp": "yesterday"}),
])
def test_rejects_tampered(mutate: object) -> None:
    payload, headers = mutate(PAYLOAD, signed())  # type: ignore[operator]
    with pytest.raises(WebhookVerificationError):
        verify_webhook(payload, headers, SECRET)


def test_rejects_wrong_secret() -> None:
    with pytest.raises(WebhookVerificationError):
        verify_webhook(PAYLOAD, signed(), OTHER)


def test_timestamp_tolerance() -> None:
    now = 1_700_000_000
    verify_webhook(PAYLOAD, signed(ts=now - 299), SECRET, now=now)
    verify_webhook(PAYLOAD, signed(ts=now + 299), SECRET, now=now)
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify_webhook(PAYLOAD, signed(ts=now - 301), SECRET, now=now)
    with pytest.raises(WebhookVerificationError, match="too new"):
        verify_webhook(PAYLOAD, signed(ts=now + 301), SECRET, now=now)
    verify_webhook(PAYLOAD, signed(ts=now - 1000), SECRET, tolerance=3600, now=now)


def test_expired_real_clock() -> None:
    with pytest.raises(WebhookVerificationError):
        verify_webhook(PAYLOAD, signed(ts=time.time() - 600), SECRET)


def test_our_signature_is_accepted_by_standardwebhooks() -> None:
    ts = int(time.time())
    sig = sign_webhook(PAYLOAD, SECRET, "msg_9", ts)
    headers = {"webhook-id": "msg_9", "webhook-timestamp": str(ts), "webhook-signature": sig}
    assert Webhook(SECRET).verify(PAYLOAD, headers)["type"] == "payment.settled"
    assert verify_webhook(PAYLOAD, headers, SECRET)["data"]["id"] == "pay_1"


def test_bad_secret_and_non_object_payload() -> None:
    with pytest.raises(WebhookVerificationError):
        verify_webhook(PAYLOAD, signed(), "whsec_!!!notbase64")
    h = signed(payload="[1, 2]")
    with pytest.raises(WebhookVerificationError):
        verify_webhook("[1, 2]", h, SECRET)
