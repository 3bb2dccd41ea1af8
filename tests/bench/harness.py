"""Benchmark plumbing: worker processes, a tiny HTTP load generator, gunicorn, pgbench.

Benchmarks print figures and ratios; they never pass or fail on a clock.
"""
from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    statuses: dict[int, int] = field(default_factory=dict)  # HTTP status: how many (http_load only)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))
        return ordered[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p99(self) -> float:
        return self.percentile(99)


def merge(results: list[LoadResult]) -> LoadResult:
    """Several runs of one load as one: requests and time add up, latencies pool."""
    statuses: dict[int, int] = {}
    for r in results:
        for status, count in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return LoadResult(
        sum(r.requests for r in results), sum(r.errors for r in results), sum(r.seconds for r in results),
        [lat for r in results for lat in r.latencies_ms], statuses,
    )


_JOB: tuple[Callable[[int, Any], tuple[Any, ...]], Any] | None = None


def _run_job(index: int) -> tuple[Any, ...]:
    assert _JOB is not None
    target, arg = _JOB
    return target(index, arg)


def run_processes(target: Callable[[int, Any], tuple[Any, ...]], workers: int, arg: Any) -> LoadResult:
    """Run `target(worker_index, arg)` in `workers` forked processes; merge their counts.

    `target` answers (done, errors, latencies) and optionally a fourth item, a dict of HTTP
    status counts. The job is handed over by fork (a module global), so closures need not be
    picklable.
    """
    global _JOB
    _JOB = (target, arg)
    ctx = mp.get_context("fork")
    with ctx.Pool(workers) as pool:
        started = time.perf_counter()
        results = pool.map(_run_job, range(workers))
        elapsed = time.perf_counter() - started
    requests = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    latencies = [lat for r in results for lat in r[2]]
    statuses: dict[int, int] = {}
    for r in results:
        for status, count in (r[3] if len(r) > 3 else {}).items():
            statuses[status] = statuses.get(status, 0) + count
    return LoadResult(requests, errors, elapsed, latencies, statuses)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(env_overrides: dict[str, str], workers: int = 4) -> Iterator[int]:
    port = free_port()
    env = dict(os.environ)
    env.update(env_overrides)
    env["PYTHONPATH"] = f"{ROOT}:{ROOT / 'platform'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--pythonpath", f"{ROOT},{ROOT / 'platform'}",
         "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


ResponseHook = Callable[[int, int, int, http.client.HTTPResponse], None]


def http_load(
    port: int,
    duration: float,
    clients: int,
    make_request: Callable[[int, int], tuple[str, str, dict[str, str], bytes | None]],
    ok_status: set[int] | None = None,
    on_response: ResponseHook | None = None,
) -> LoadResult:
    """`clients` processes, each with one keep-alive connection, for `duration` seconds.

    `on_response(index, sequence, status, response)` runs in the client process after each
    response (e.g. to remember an ETag for the next request), outside the timed part."""
    return run_processes(_http_worker, clients, (port, duration, make_request, ok_status or {200, 201}, on_response))


def _http_worker(index: int, arg: Any) -> tuple[int, int, list[float], dict[int, int]]:
    port, duration, make_request, ok_status, on_response = arg
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done = errors = 0
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    end = time.perf_counter() + duration
    sequence = 0
    while time.perf_counter() < end:
        method, path, headers, body = make_request(index, sequence)
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.status in ok_status:
            done += 1
        else:
            errors += 1
        if on_response is not None:
            on_response(index, sequence, response.status, response)
        sequence += 1
    conn.close()
    return done, errors, latencies, statuses


def pgbench_tps(dsn_args: list[str], clients: int, seconds: int) -> float:
    out = subprocess.run(
        ["pgbench", *dsn_args, "-b", "tpcb-like", "-c", str(clients), "-j", str(clients), "-T", str(seconds), "-n"],
        capture_output=True, text=True, check=True,
    ).stdout
    for line in out.splitlines():
        if line.startswith("tps =") or line.startswith("tps ="):
            return float(line.split("=")[1].split()[0])
    raise RuntimeError(out)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(title: str, rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False))]
    for row in rows:
        lines.append("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=False)))
    text = "\n".join(lines)
    print("\n" + text, flush=True)
    return text


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()
