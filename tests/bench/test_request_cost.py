"""What one request costs, in CPU, and where: this process, the PostgreSQL backend, Redis.

The HTTP benchmarks say how fast; this one says why. Each path runs in this process through
Django's WSGI handler (no network between client and server, so the figures are the server's
own work) on PostgreSQL + Redis with the token cache on:

- CPU of this process per request (`time.process_time`, user + system);
- CPU of this connection's PostgreSQL backend (from /proc; "n/a" when the server is remote);
- CPU of the Redis server (INFO cpu), which serves only us during the run.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 make bench
"""
from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import override_settings
from rest_framework.settings import api_settings

from apps.core.cache import redis_client
from apps.core.throttling import ClientRateThrottle
from apps.ledger.services import Leg, ledger_post
from apps.oauth.authentication import _load, token_checksum
from tests import factories
from tests.bench.harness import table

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]
CALLS = int(os.environ.get("REQUEST_COST_CALLS", "2000"))


def _pg_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def _redis_cpu(client: Any) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _get(app: WSGIHandler, path: str, token: str | None = None) -> Callable[[], None]:
    route, _, query = path.partition("?")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def call() -> None:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http",
            **headers,
        }
        statuses: list[str] = []
        b"".join(app(environ, lambda status, _headers: statuses.append(status)))
        assert statuses[0].startswith("200"), statuses

    return call


@override_settings(ROOT_URLCONF="tests.bench.urls", TOKEN_CACHE_SECONDS=300, DEBUG=False)
def test_cost_of_one_request_by_process() -> None:
    redis = redis_client()
    if connection.vendor != "postgresql" or redis is None:
        pytest.skip("needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
    owner = factories.make_customer("cost-reader")
    account = factories.make_account(owner, balance_minor=10**9)
    other = factories.make_account(factories.make_customer("cost-other"))
    for i in range(200):
        ledger_post(external_ref=f"cost:{i}", kind="transfer",
                    legs=[Leg(account.ledger_account_id, 100), Leg(other.ledger_account_id, -100)])
    reader = factories.customer_token(owner, accounts=[account], scope="accounts")
    app_token = factories.client_token(scope="accounts payments")
    for _ in range(20):
        factories.make_consent(app_token.application, owner)
    app = WSGIHandler()
    posts = iter(range(10**9))

    def post() -> None:
        ledger_post(external_ref=f"cost:post:{uuid.uuid4()}:{next(posts)}", kind="transfer",
                    legs=[Leg(account.ledger_account_id, 1), Leg(other.ledger_account_id, -1)])

    checksum = token_checksum(reader.raw)
    paths: list[tuple[str, Callable[[], Any]]] = [
        ("minimal Django view", _get(app, "/bench/minimal")),
        ("minimal + Redis + PostgreSQL round trips", _get(app, "/bench/round-trips")),
        ("GET transactions, page of 50",
         _get(app, f"/api/v1/accounts/{account.id}/transactions?limit=50", reader.raw)),
        ("GET consents, page of 20", _get(app, "/api/v1/consents", app_token.raw)),
        ("token validation (a new token)", lambda: _load(checksum)),
        ("ledger post (two legs)", post),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pg_pid = cursor.fetchone()[0]
    rows = []
    # Counted as always, but never refused: the allowance is far above what a run sends.
    ClientRateThrottle.THROTTLE_RATES = dict(api_settings.DEFAULT_THROTTLE_RATES, client="100000000/min")
    try:
        for name, run in paths:
            rows.append(_measure(name, run, pg_pid, redis))
    finally:
        ClientRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    table(
        f"CPU per request by process, in-process WSGI, {CALLS} calls each (ms)",
        rows,
        ("path", "wall", "this process", "PostgreSQL backend", "Redis"),
    )
    assert len(rows) == len(paths)


def _measure(name: str, run: Callable[[], Any], pg_pid: int, redis: Any) -> tuple[str, ...]:
    hertz = os.sysconf("SC_CLK_TCK")
    for _ in range(100):
        run()
    pg0, redis0, cpu0, wall0 = _pg_ticks(pg_pid), _redis_cpu(redis), time.process_time(), time.perf_counter()
    for _ in range(CALLS):
        run()
    pg1, redis1, cpu1, wall1 = _pg_ticks(pg_pid), _redis_cpu(redis), time.process_time(), time.perf_counter()
    pg = f"{(pg1 - pg0) / hertz / CALLS * 1000:.3f}" if pg0 is not None and pg1 is not None else "n/a"
    return (name, f"{(wall1 - wall0) / CALLS * 1000:.3f}", f"{(cpu1 - cpu0) / CALLS * 1000:.3f}", pg,
            f"{(redis1 - redis0) / CALLS * 1000:.3f}")
