"""Through HTTP under gunicorn (4 workers) on PostgreSQL + Redis:

(2) payments/s and p50/p99 at 8 concurrent clients: OAuth token check + idempotency +
    consent consumption + ledger, each payment under its own authorised payment consent;
(3) GET /accounts/{id}/transactions (page of 50) requests/s and p99 against a minimal
    Django JSON view on the same server, with the ratio; and against the same minimal view
    plus the two network round trips such a read cannot avoid (tests/bench/urls.py), which
    shows how much of the gap is I/O rather than our code. The statement is read as
    clients read it, again and again while it does not change, so the server answers from
    the pages it keeps under the account's posting count; a second server with page
    keeping off (STATEMENT_PAGE_CACHE_BYTES=0) shows the price of a page that changed,
    every read fetching and writing its fifty rows.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 make bench
"""
from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from django.db import connection, connections

from apps.oauth.models import Consent
from tests import factories
from tests.bench.harness import LoadResult, dumps, gunicorn, http_load, merge, table

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = 8
ROUNDS = 3


def _server_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "ROOT_URLCONF": "tests.bench.urls",
        "API_RATE_LIMIT": "1000000/min",
        "DB_CONN_MAX_AGE": "600",
        # Measured as deployed: production settings, DEBUG off.
        "DJANGO_ENV": "production",
        "SECRET_KEY": "bench-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
        env["TOKEN_CACHE_SECONDS"] = "300"
    return env


@pytest.fixture
def on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("benchmarks run on PostgreSQL: set DATABASE_URL")


def test_payments_over_http(on_postgres: None) -> None:
    payer = factories.make_customer("bench-payer")
    payee = factories.make_customer("bench-payee")
    source = factories.make_account(payer, balance_minor=10**11)
    target = factories.make_account(payee)
    app = factories.make_client()
    per_client = int(os.environ.get("BENCH_PAYMENTS_PER_CLIENT", "400"))
    tokens: list[list[tuple[str, str]]] = [[] for _ in range(CLIENTS)]
    for client in range(CLIENTS):
        for _ in range(per_client):
            consent = factories.make_consent(
                app, payer, kind=Consent.Kind.PAYMENT, permissions=[], amount_minor=100, currency="CNY",
                creditor_account_number=target.account_number, creditor_name="Payee", debtor_account_id=source.id,
            )
            token = factories.issue_token(app, scope="payments", customer=payer, consent=consent)
            tokens[client].append((token.raw, consent.id))
    connections.close_all()

    def make_request(index: int, sequence: int) -> tuple[str, str, dict[str, str], bytes | None]:
        raw, consent_id = tokens[index][sequence % per_client]
        body = {
            "consent_id": consent_id,
            "amount": {"amount": "1.00", "currency": "CNY"},
            "creditor_account_number": target.account_number,
        }
        headers = {
            "Authorization": f"Bearer {raw}",
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        return "POST", "/api/v1/payments", headers, dumps(body)

    with gunicorn(_server_env()) as port:
        result = http_load(port, SECONDS, CLIENTS, make_request, ok_status={201})
    table(
        f"Payments over HTTP (gunicorn 4 workers, {CLIENTS} clients, {SECONDS:.0f}s)",
        [(f"{result.rate:.0f}", f"{result.p50:.1f}", f"{result.p99:.1f}", result.requests, result.errors)],
        ("payments/s", "p50 ms", "p99 ms", "ok", "errors (consents used up count here)"),
    )
    assert result.requests > 0


def test_transactions_page_vs_minimal_view(on_postgres: None) -> None:
    owner = factories.make_customer("bench-reader")
    account = factories.make_account(owner, balance_minor=10**9)
    other = factories.make_account(factories.make_customer("bench-other"))
    from apps.ledger.services import Leg, ledger_post

    for i in range(200):
        ledger_post(
            external_ref=f"bench:tx:{i}", kind="transfer",
            legs=[Leg(account.ledger_account_id, 100), Leg(other.ledger_account_id, -100)],
        )
    token = factories.customer_token(owner, accounts=[account], scope="accounts")
    connections.close_all()
    auth = {"Authorization": f"Bearer {token.raw}"}

    def transactions(index: int, sequence: int) -> tuple[str, str, dict[str, str], Any]:
        return "GET", f"/api/v1/accounts/{account.id}/transactions?limit=50", auth, None

    def reference(path: str) -> Any:
        return lambda index, sequence: ("GET", path, {}, None)

    # Interleaved rounds, so that drift in a shared machine's speed hits every endpoint alike.
    endpoints = {"transactions": transactions, "minimal": reference("/bench/minimal"),
                 "round_trips": reference("/bench/round-trips"), "not_kept": transactions}
    runs: dict[str, list[LoadResult]] = {name: [] for name in endpoints}
    with gunicorn(_server_env()) as port, gunicorn({**_server_env(), "STATEMENT_PAGE_CACHE_BYTES": "0"}) as bare:
        for _ in range(ROUNDS):
            for name, make in endpoints.items():
                runs[name].append(http_load(bare if name == "not_kept" else port, SECONDS / ROUNDS, CLIENTS, make))
    merged = {name: merge(results) for name, results in runs.items()}
    ours, floor, io, bare_reads = merged["transactions"], merged["minimal"], merged["round_trips"], merged["not_kept"]
    table(
        f"GET transactions (page of 50) vs a minimal JSON view (gunicorn 4 workers, {CLIENTS} clients, "
        f"{ROUNDS} interleaved rounds of {SECONDS / ROUNDS:.0f}s)",
        [
            ("transactions", f"{ours.rate:.0f}", f"{ours.p50:.1f}", f"{ours.p99:.1f}", ours.errors, ""),
            ("minimal view", f"{floor.rate:.0f}", f"{floor.p50:.1f}", f"{floor.p99:.1f}", floor.errors,
             f"transactions at {ours.rate / floor.rate:.0%} of it"),
            ("minimal + one Redis and one PostgreSQL round trip", f"{io.rate:.0f}", f"{io.p50:.1f}",
             f"{io.p99:.1f}", io.errors,
             f"transactions at {ours.rate / io.rate:.0%} of it; it is at {io.rate / floor.rate:.0%} of the minimal view"),
            ("transactions, no pages kept (every read a changed page)", f"{bare_reads.rate:.0f}",
             f"{bare_reads.p50:.1f}", f"{bare_reads.p99:.1f}", bare_reads.errors,
             f"at {bare_reads.rate / floor.rate:.0%} of the minimal view"),
        ],
        ("endpoint", "req/s", "p50 ms", "p99 ms", "errors", "ratio"),
    )
    assert ours.requests > 0 and ours.errors == 0 and bare_reads.requests > 0 and bare_reads.errors == 0
