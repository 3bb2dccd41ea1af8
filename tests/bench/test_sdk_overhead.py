"""Per-call overhead of each SDK against a raw HTTP client on the same live endpoint.

The platform runs under gunicorn (tests/sdk/live_server.py); every client calls
GET /api/v1/consents?limit=1 with the same bearer token, in alternating rounds so that server
drift affects both sides alike. Printed: the median per-call time of each client, the
difference (what the SDK adds: auth, retry wrapper, idempotency check, typed parsing) and the
ratio. Target: under 1 ms added per call. Reported, never asserted.

    make bench            (or: pytest tests/bench/test_sdk_overhead.py -m bench -s -p no:xdist)
    SDK_BENCH_CALLS=2000  more calls per client (default 800)
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from tests.sdk.live_server import (
    SDK_PYTHON_SRC,
    LivePlatform,
    build_typescript,
    node_available,
    run_node,
    start_platform,
)
from tests.sdk.stub_server import CONSENT, stub_server

pytestmark = pytest.mark.bench

CALLS = int(os.environ.get("SDK_BENCH_CALLS", "800"))
ROUNDS = 8


@pytest.fixture(scope="module")
def live() -> Iterator[LivePlatform]:
    if str(SDK_PYTHON_SRC) not in sys.path:
        sys.path.insert(0, str(SDK_PYTHON_SRC))
    platform = start_platform(workers=1, threads=4)
    try:
        yield platform
    finally:
        platform.stop()


def _fetch_token(live: LivePlatform) -> str:
    import httpx

    tp = live.third_party
    response = httpx.post(live.url + "/oauth/token/", data={"grant_type": "client_credentials", "scope": "accounts"},
                          auth=(tp["client_id"], tp["client_secret"]))
    response.raise_for_status()
    return str(response.json()["access_token"])


def _measure(clients: dict[str, Callable[[], object]]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(50):
        for fn in clients.values():
            fn()
    per_round = max(1, CALLS // ROUNDS)
    for _ in range(ROUNDS):
        for name, fn in clients.items():
            for _ in range(per_round):
                started = time.perf_counter()
                fn()
                times[name].append((time.perf_counter() - started) * 1000)
    return times


def _report(title: str, times: dict[str, list[float]], baseline: str) -> None:
    base = statistics.median(times[baseline])
    print(f"\n{title}: {len(times[baseline])} calls each, median ms per call")
    for name, values in times.items():
        median = statistics.median(values)
        extra = "" if name == baseline else f"   added {median - base:+.3f} ms   ratio {median / base:.2f}x"
        print(f"  {name:<34} {median:7.3f}  p90 {statistics.quantiles(values, n=10)[-1]:7.3f}{extra}")
    print("  target: under 1 ms added per call (reported, not asserted)")


def test_python_sdk_overhead(live: LivePlatform) -> None:
    tok = _fetch_token(live)
    db = "PostgreSQL" if live.env["DATABASE_URL"].startswith("postgres") else "SQLite"
    _python_bench(f"Python SDK vs raw httpx, live platform ({db}, gunicorn)", live.url, tok)
    # The same clients against a stub answering in microseconds: the SDK's own cost without
    # the platform's latency and its noise.
    with stub_server() as stub:
        stub.script("GET", "/api/v1/consents", (200, {}, {"data": [CONSENT], "has_more": False, "next_cursor": None}))
        _python_bench("Python SDK vs raw httpx, local stub endpoint", stub.url, "t")


def _python_bench(title: str, url: str, tok: str) -> None:
    import httpx
    from openbank import OpenBank
    from openbank._generated.api.consents import consents_list

    raw = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tok}", "Accept": "application/json"})
    ob = OpenBank(url, token=tok)

    def raw_call() -> object:
        response = raw.get("/api/v1/consents", params={"limit": 1})
        response.raise_for_status()
        return response.json()

    clients = {
        "raw httpx GET + .json()": raw_call,
        "OpenBank.request (runtime)": lambda: ob.request("GET", "/api/v1/consents", params={"limit": 1}),
        "ob.call(consents_list) (generated)": lambda: ob.call(consents_list.sync_detailed, limit=1),
    }
    try:
        times = _measure(clients)
    finally:
        raw.close()
        ob.close()
    _report(title, times, "raw httpx GET + .json()")
    assert all(len(v) == len(times["raw httpx GET + .json()"]) for v in times.values())


def test_typescript_sdk_overhead(live: LivePlatform) -> None:
    reason = node_available()
    if reason:
        pytest.skip(reason)
    dist = build_typescript()
    script = dist / "sdk" / "typescript" / "e2e" / "bench.js"
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    result = run_node(script, live, env={"BENCH_TOKEN": _fetch_token(live), "BENCH_CALLS": str(CALLS)}, timeout=600)
    assert result.returncode == 0, result.stderr
    times = json.loads(result.stdout.strip().splitlines()[-1])
    _report(f"TypeScript SDK vs raw fetch, live platform (node {node})",
            {"raw fetch + .json()": times["raw"], "createOpenBankClient().GET": times["sdk"]}, "raw fetch + .json()")
    with stub_server() as stub:
        stub.script("GET", "/api/v1/consents", (200, {}, {"data": [CONSENT], "has_more": False, "next_cursor": None}))
        result = run_node(script, live, env={"OPENBANK_URL": stub.url, "BENCH_TOKEN": "t", "BENCH_CALLS": str(CALLS)},
                          timeout=600)
    assert result.returncode == 0, result.stderr
    times = json.loads(result.stdout.strip().splitlines()[-1])
    _report(f"TypeScript SDK vs raw fetch, local stub endpoint (node {node})",
            {"raw fetch + .json()": times["raw"], "createOpenBankClient().GET": times["sdk"]}, "raw fetch + .json()")
