from __future__ import annotations

import asyncio
import email.utils
import socket
from typing import Any

import httpx
import pytest

from conftest import FakeClock, Platform, Req, SleepRecorder, problem, public
from openbank import (
    APIConnectionError,
    AsyncOpenBank,
    AsyncRetryTransport,
    ConflictError,
    OpenBank,
    RateLimitError,
    RetryTransport,
    ServerError,
    ValidationError,
)


def client(platform: Platform, sleeps: SleepRecorder, **kw: Any) -> OpenBank:
    opts = {"sleep": sleeps, **kw.pop("retry_options", {})}
    return OpenBank(platform.url, token=None, retry_options=opts, **kw)


def flaky(platform: Platform, method: str, path: str, failures: list[Any]) -> None:
    """Serve the queued failure responses first, then 200."""

    @platform.route(method, path)
    @public
    def handler(req: Req) -> Any:
        if failures:
            return failures.pop(0)
        return 200, {}, {"ok": True, "key": req.headers.get("idempotency-key")}


def test_503_then_200_post_reuses_the_same_idempotency_key(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "POST", "/api/v1/payments/", [problem(503, "unavailable"), problem(503, "unavailable")])
    with client(platform, sleeps) as c:
        body = c.request("POST", "/api/v1/payments/", json={"amount": {"amount": "10.00", "currency": "CNY"}})
    attempts = platform.api("/api/v1/payments/")
    assert len(attempts) == 3
    keys = {a.headers["idempotency-key"] for a in attempts}
    assert len(keys) == 1 and body["key"] in keys
    assert all(a.json == {"amount": {"amount": "10.00", "currency": "CNY"}} for a in attempts)
    assert len(sleeps.calls) == 2
    # full jitter: uniform in [0, 0.5 * 2**attempt]
    assert 0 <= sleeps.calls[0] <= 0.5 and 0 <= sleeps.calls[1] <= 1.0


def test_caller_idempotency_key_is_kept(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "POST", "/api/v1/payments/", [problem(502, "bad_gateway")])
    with client(platform, sleeps) as c:
        c.request("POST", "/api/v1/payments/", json={}, idempotency_key="my-key-1")
    assert [a.headers["idempotency-key"] for a in platform.api("/api/v1/payments/")] == ["my-key-1"] * 2


def test_get_retried_on_500_and_504(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "GET", "/api/v1/x", [problem(500, "internal"), problem(504, "timeout")])
    with client(platform, sleeps) as c:
        assert c.request("GET", "/api/v1/x")["ok"] is True
    assert len(platform.api("/api/v1/x")) == 3
    assert "idempotency-key" not in platform.api("/api/v1/x")[0].headers


def test_429_retry_after_seconds_is_honoured(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "GET", "/api/v1/x", [problem(429, "rate_limited", headers={
        "Retry-After": "7", "RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "7"})])
    with client(platform, sleeps) as c:
        assert c.request("GET", "/api/v1/x")["ok"] is True
    assert sleeps.calls == [7.0]


def test_retry_after_http_date(platform: Platform, sleeps: SleepRecorder) -> None:
    clock = FakeClock(1_700_000_000.0)
    date = email.utils.formatdate(clock.now + 12, usegmt=True)
    flaky(platform, "GET", "/api/v1/x", [problem(503, "unavailable", headers={"Retry-After": date})])
    with client(platform, sleeps, retry_options={"clock": clock}) as c:
        c.request("GET", "/api/v1/x")
    assert sleeps.calls == [12.0]


def test_ratelimit_reset_used_when_no_retry_after(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "GET", "/api/v1/x", [problem(429, "rate_limited", headers={"RateLimit-Reset": "3"})])
    with client(platform, sleeps) as c:
        c.request("GET", "/api/v1/x")
    assert sleeps.calls == [3.0]


def test_too_long_retry_after_is_not_waited_for(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "GET", "/api/v1/x", [problem(429, "rate_limited", headers={"Retry-After": "3600"})])
    with client(platform, sleeps) as c:
        with pytest.raises(RateLimitError) as exc:
            c.request("GET", "/api/v1/x")
    assert exc.value.retry_after == 3600.0 and exc.value.code == "rate_limited"
    assert sleeps.calls == []


def test_retries_are_bounded(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "GET", "/api/v1/x", [problem(503, "unavailable")] * 10)
    with client(platform, sleeps) as c:
        with pytest.raises(ServerError) as exc:
            c.request("GET", "/api/v1/x")
    assert exc.value.status == 503
    assert len(platform.api("/api/v1/x")) == 4  # 1 + max_retries(3)
    assert len(sleeps.calls) == 3


def test_max_retries_zero(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "POST", "/api/v1/x", [problem(503, "unavailable")])
    with client(platform, sleeps, max_retries=0) as c:
        with pytest.raises(ServerError):
            c.request("POST", "/api/v1/x", json={})
    assert len(platform.api("/api/v1/x")) == 1
    assert "idempotency-key" in platform.api("/api/v1/x")[0].headers  # still minted


def test_409_key_in_use_is_retried(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "POST", "/api/v1/payments/", [problem(409, "idempotency_key_in_use", headers={"Retry-After": "1"})])
    with client(platform, sleeps) as c:
        assert c.request("POST", "/api/v1/payments/", json={})["ok"] is True
    attempts = platform.api("/api/v1/payments/")
    assert len(attempts) == 2 and attempts[0].headers["idempotency-key"] == attempts[1].headers["idempotency-key"]
    assert sleeps.calls == [1.0]


def test_other_409_is_not_retried(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "POST", "/api/v1/payments/", [problem(409, "payment_already_settled", "settled")])
    with client(platform, sleeps) as c:
        with pytest.raises(ConflictError) as exc:
            c.request("POST", "/api/v1/payments/", json={})
    assert exc.value.code == "payment_already_settled" and exc.value.detail == "settled"
    assert len(platform.api("/api/v1/payments/")) == 1


def test_422_key_reused_is_not_retried(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "POST", "/api/v1/payments/", [problem(422, "idempotency_key_reused")])
    with client(platform, sleeps) as c:
        with pytest.raises(ValidationError) as exc:
            c.request("POST", "/api/v1/payments/", json={}, idempotency_key="k")
    assert exc.value.code == "idempotency_key_reused"
    assert len(platform.api("/api/v1/payments/")) == 1 and sleeps.calls == []


def test_post_without_key_is_never_retried(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "POST", "/api/v1/x", [problem(503, "unavailable")])
    with client(platform, sleeps, retry_options={"idempotency_keys": False}) as c:
        with pytest.raises(ServerError):
            c.request("POST", "/api/v1/x", json={})
        assert "idempotency-key" not in platform.api("/api/v1/x")[0].headers
        assert len(platform.api("/api/v1/x")) == 1
        # with an explicit key the same POST is retried
        flaky(platform, "POST", "/api/v1/y", [problem(503, "unavailable")])
        c.request("POST", "/api/v1/y", json={}, idempotency_key="k1")
        assert len(platform.api("/api/v1/y")) == 2


def test_dropped_connection_is_retried(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "GET", "/api/v1/x", [(-1, {}, None)])
    with client(platform, sleeps) as c:
        assert c.request("GET", "/api/v1/x")["ok"] is True
    assert len(platform.api("/api/v1/x")) == 2 and len(sleeps.calls) == 1


def test_connection_refused_raises_after_retries(sleeps: SleepRecorder) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens on this port now
    with OpenBank(f"http://127.0.0.1:{port}", retry_options={"sleep": sleeps}) as c:
        with pytest.raises(APIConnectionError):
            c.request("GET", "/api/v1/x")
    assert len(sleeps.calls) == 3


def test_backoff_full_jitter_and_cap() -> None:
    t = RetryTransport(httpx.MockTransport(lambda r: httpx.Response(200)), random=lambda: 1.0,
                       backoff_base=0.5, backoff_max=3.0)
    assert [t.backoff(i) for i in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    t0 = RetryTransport(httpx.MockTransport(lambda r: httpx.Response(200)), random=lambda: 0.0)
    assert t0.backoff(3) == 0.0


def test_retry_transport_standalone_with_mock_transport(sleeps: SleepRecorder) -> None:
    statuses = [503, 429, 200]
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["idempotency-key"])
        return httpx.Response(statuses.pop(0), headers={"Retry-After": "0"})

    with httpx.Client(transport=RetryTransport(httpx.MockTransport(handler), sleep=sleeps)) as http:
        r = http.patch("http://test/api/v1/thing", json={"a": 1})
    assert r.status_code == 200 and len(set(seen)) == 1 and len(seen) == 3
    assert r.extensions["openbank_retries"] == 2
    assert sleeps.calls == [0.0, 0.0]


def test_streaming_body_is_not_retried(sleeps: SleepRecorder) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        calls.append(1)
        return httpx.Response(503)

    def gen() -> Any:
        yield b"chunk"

    with httpx.Client(transport=RetryTransport(httpx.MockTransport(handler), sleep=sleeps)) as http:
        r = http.put("http://test/upload", content=gen())
    assert r.status_code == 503 and len(calls) == 1


def test_async_retry(platform: Platform, sleeps: SleepRecorder) -> None:
    flaky(platform, "POST", "/api/v1/payments/", [problem(503, "unavailable"),
                                                  problem(409, "idempotency_key_in_use")])

    async def main() -> dict[str, Any]:
        transport = AsyncRetryTransport(sleep=sleeps.async_sleep)
        async with AsyncOpenBank(platform.url, transport=transport) as c:
            return await c.request("POST", "/api/v1/payments/", json={"x": 1})

    body = asyncio.run(main())
    attempts = platform.api("/api/v1/payments/")
    assert len(attempts) == 3 and len({a.headers["idempotency-key"] for a in attempts}) == 1
    assert body["key"] == attempts[0].headers["idempotency-key"]
    assert len(sleeps.calls) == 2
