"""Webhook signature verification (Standard Webhooks, https://www.standardwebhooks.com).

Headers: ``webhook-id``, ``webhook-timestamp`` (unix seconds) and ``webhook-signature``
(space-separated ``v1,<base64 HMAC-SHA256>`` entries, several during secret rotation).
The signed content is ``f"{id}.{timestamp}.{body}"``; the secret is ``whsec_<base64>``.

Always verify the *raw* request body (``request.body`` in Django), before parsing it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Mapping

from .errors import OpenBankError

__all__ = ["verify_webhook", "sign_webhook", "WebhookVerificationError", "DEFAULT_TOLERANCE"]

DEFAULT_TOLERANCE = 300  # seconds
_SECRET_PREFIX = "whsec_"


class WebhookVerificationError(OpenBankError):
    """The webhook is not authentic, is malformed, or is outside the time tolerance."""


def _decode_secret(secret: str | bytes) -> bytes:
    if isinstance(secret, bytes):
        key = secret
    else:
        raw = secret[len(_SECRET_PREFIX):] if secret.startswith(_SECRET_PREFIX) else secret
        try:
            key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise WebhookVerificationError("webhook secret is not valid base64") from exc
    if not key:
        raise WebhookVerificationError("webhook secret is empty")
    return key


def _sign(key: bytes, msg_id: str, timestamp: str, body: bytes) -> str:
    to_sign = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return base64.b64encode(hmac.new(key, to_sign, hashlib.sha256).digest()).decode("ascii")


def sign_webhook(payload: bytes | str, secret: str | bytes, msg_id: str, timestamp: int) -> str:
    """Return the ``webhook-signature`` header value (``v1,<base64>``) for a payload."""
    body = payload.encode() if isinstance(payload, str) else payload
    return "v1," + _sign(_decode_secret(secret), msg_id, str(int(timestamp)), body)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.title())
    if value is None:
        lower = name.lower()
        for key, val in headers.items():
            if key.lower() == lower:
                return val
    return value


def verify_webhook(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str | bytes,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> dict[str, Any]:
    """Verify a Standard Webhooks delivery and return its parsed JSON body.

    :param payload: the raw body, exactly as received.
    :param headers: request headers (any mapping; names matched case-insensitively).
    :param secret: the endpoint secret, ``whsec_<base64>`` (or raw key bytes).
    :param tolerance: maximum clock difference in seconds (default 300 = 5 min).
    :param now: current unix time, for tests.
    :raises WebhookVerificationError: on any failure.
    """
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        ts = int(timestamp)
    except ValueError as exc:
        raise WebhookVerificationError("invalid webhook-timestamp") from exc
    current = time.time() if now is None else now
    if ts < current - tolerance:
        raise WebhookVerificationError("message timestamp too old")
    if ts > current + tolerance:
        raise WebhookVerificationError("message timestamp too new")

    body = payload.encode() if isinstance(payload, str) else bytes(payload)
    expected = _sign(_decode_secret(secret), msg_id, timestamp, body).encode()
    matched = False
    for entry in signatures.split():
        version, _, sig = entry.partition(",")
        if version != "v1" or not sig:
            continue
        # no early exit: compare every candidate in constant time
        if hmac.compare_digest(sig.encode(), expected):
            matched = True
    if not matched:
        raise WebhookVerificationError("no matching signature")
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise WebhookVerificationError("payload is not valid JSON") from exc
    if not isinstance(parsed, dict):
        raise WebhookVerificationError("payload is not a JSON object")
    return parsed
