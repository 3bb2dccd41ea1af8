"""Per-call overhead of the runtime vs raw httpx, without network noise.

Both clients talk to the same in-memory httpx.MockTransport; the difference is what
OpenBank adds (auth flow with a cached token, RetryTransport, idempotency key,
error check, JSON parsing with Decimal).

    python scripts/bench_overhead.py [N]
"""

from __future__ import annotations

import sys
import time

import httpx

from openbank import ClientCredentials, OpenBank

BODY = b'{"data": [{"id": "acc_1", "balance": {"amount": "8000.00", "currency": "CNY"}}], "has_more": false, "next_cursor": null}'


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/oauth/token/":
        return httpx.Response(200, json={"access_token": "t", "token_type": "Bearer", "expires_in": 600})
    return httpx.Response(200, content=BODY, headers={"Content-Type": "application/json"})


def bench(fn: object, n: int) -> float:
    for _ in range(200):
        fn()  # type: ignore[operator]
    start = time.perf_counter()
    for _ in range(n):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - start) / n


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    base = "http://api.test"
    raw = httpx.Client(base_url=base, transport=httpx.MockTransport(handler),
                       headers={"Authorization": "Bearer t"})
    ob = OpenBank(base, token=ClientCredentials(base + "/oauth/token/", "id", "secret"),
                  transport=httpx.MockTransport(handler))
    results = {
        "raw httpx GET + .json()": bench(lambda: raw.get("/api/v1/accounts/").json(), n),
        "OpenBank.request GET": bench(lambda: ob.request("GET", "/api/v1/accounts/"), n),
        "raw httpx POST + .json()": bench(lambda: raw.post("/api/v1/payments/", json={"a": "1.00"}).json(), n),
        "OpenBank.request POST (auto key)": bench(lambda: ob.request("POST", "/api/v1/payments/", json={"a": "1.00"}), n),
    }
    for name, secs in results.items():
        print(f"{name:36s} {secs * 1e6:8.1f} us/call")
    print(f"added GET  overhead: {(results['OpenBank.request GET'] - results['raw httpx GET + .json()']) * 1e6:.1f} us")
    print(f"added POST overhead: {(results['OpenBank.request POST (auto key)'] - results['raw httpx POST + .json()']) * 1e6:.1f} us")


if __name__ == "__main__":
    main()
