"""Through HTTP under gunicorn (4 workers) on PostgreSQL + Redis, 8 concurrent clients:

(1) payments/s and p50/p99: OAuth token check + idempotency + KYC + consent consumption +
    ledger, each payment under its own authorised payment consent;
(2) statement reads on a realistic mix: 1,000 deposit accounts of 200 customers, each with
    about 60 postings of history; each request is a random account's first page (each
    client reads its own eighth of the accounts, as the workers of an aggregator would), and
    a background poster books money into random accounts at a tenth of the read rate, so
    about 10% of the accounts have a new posting between two reads of them. Side by side:
    (a) fresh pages (no If-None-Match), (b) revalidations (each client sends the ETag it last
    saw for the account: 304 if unchanged, else 200 and the new ETag), (c) the minimal
    Django JSON view on the same server (tests/bench/urls.py), and the minimal view plus the
    two network round trips any authenticated read pays (one Redis, one PostgreSQL).

Benchmarks print figures, ratios and the targets beside them; they never fail on a clock.
Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/0 make bench
"""
from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, connections

from apps.ledger.bank_books import bank_account
from apps.ledger.services import Leg, ledger_post
from apps.oauth.models import Consent
from tests import factories
from tests.bench.harness import LoadResult, dumps, gunicorn, http_load, merge, table

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]
SECONDS = float(os.environ.get("BENCH_SECONDS", "9"))
CLIENTS = 8
ROUNDS = 3
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "1000"))
ACCOUNTS_PER_CUSTOMER = 5
HISTORY_ROUNDS = 30  # each round books two postings on every account: ~60 of history
CHANGED_SHARE = 0.10  # postings per read: ~10% of the accounts change between two reads of them
TARGETS = {"fresh": 0.30, "revalidated": 0.60, "p99_ms": 25.0, "payments_p99_ms": 100.0}


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


PAYERS = 64  # payer accounts of the realistic mix (each client pays from its own eight)


def test_payments_over_http(on_postgres: None) -> None:
    """Two mixes: payments from 64 accounts (as a bank's traffic is: payers rarely collide),
    and every payment from one account (each waits on the one row lock: the worst case)."""
    payers = [factories.make_account(factories.make_customer(f"bench-payer-{n}"), balance_minor=10**11)
              for n in range(PAYERS)]
    payees = [factories.make_account(factories.make_customer(f"bench-payee-{n}")) for n in range(CLIENTS)]
    app = factories.make_client()
    per_client = int(os.environ.get("BENCH_PAYMENTS_PER_CLIENT", "400"))

    def consents(debtor_of: Callable[[int, int], Any]) -> list[list[tuple[str, str, str]]]:
        tokens: list[list[tuple[str, str, str]]] = [[] for _ in range(CLIENTS)]
        for client in range(CLIENTS):
            target = payees[client]
            for n in range(per_client):
                debtor = debtor_of(client, n)
                consent = factories.make_consent(
                    app, debtor.customer, kind=Consent.Kind.PAYMENT, permissions=[], amount_minor=100,
                    currency="CNY", creditor_account_number=target.account_number, creditor_name="Payee",
                    debtor_account_id=debtor.id,
                )
                token = factories.issue_token(app, scope="payments", customer=debtor.customer, consent=consent)
                tokens[client].append((token.raw, consent.id, target.account_number))
        return tokens

    mixes = {
        f"from {PAYERS} accounts": consents(lambda client, n: payers[client * (PAYERS // CLIENTS) + n % (PAYERS // CLIENTS)]),
        "all from one account": consents(lambda client, n: payers[0]),
    }
    connections.close_all()

    def paying(tokens: list[list[tuple[str, str, str]]]) -> Callable[[int, int], tuple[str, str, dict[str, str], Any]]:
        def make_request(index: int, sequence: int) -> tuple[str, str, dict[str, str], bytes | None]:
            raw, consent_id, creditor = tokens[index][sequence % per_client]
            body = {"consent_id": consent_id, "amount": {"amount": "1.00", "currency": "CNY"},
                    "creditor_account_number": creditor}
            headers = {"Authorization": f"Bearer {raw}", "Content-Type": "application/json",
                       "Idempotency-Key": str(uuid.uuid4())}
            return "POST", "/api/v1/payments", headers, dumps(body)

        return make_request

    rows = []
    with gunicorn(_server_env()) as port:
        for name, tokens in mixes.items():
            result = http_load(port, SECONDS, CLIENTS, paying(tokens), ok_status={201})
            p99_ok = "met" if result.p99 < TARGETS["payments_p99_ms"] else "MISSED"
            rows.append((name, f"{result.rate:.0f}", f"{result.p50:.1f}", f"{result.p99:.1f}", result.requests,
                         result.errors, f"p99 < {TARGETS['payments_p99_ms']:.0f} ms: {p99_ok}"))
            assert result.requests > 0
    table(
        f"Payments over HTTP (gunicorn 4 workers, {CLIENTS} clients, {SECONDS:.0f}s each, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f})",
        rows,
        ("mix", "payments/s", "p50 ms", "p99 ms", "ok", "errors (consents used up count here)", "target"),
    )


# --- statement reads on a realistic mix ------------------------------------------------------


def _build_accounts() -> tuple[list[tuple[str, int]], dict[str, str]]:
    """ACCOUNTS deposit accounts with ~60 postings each, and a token per customer (its
    consent shares the customer's accounts). Answers [(account id, ledger account id)] and
    {account id: raw token}."""
    started = time.perf_counter()
    accounts: list[tuple[str, int]] = []
    token_of: dict[str, str] = {}
    for c in range(ACCOUNTS // ACCOUNTS_PER_CUSTOMER):
        customer = factories.make_customer(f"bench-reader-{c}")
        owned = [factories.make_account(customer, balance_minor=10**9) for _ in range(ACCOUNTS_PER_CUSTOMER)]
        token = factories.customer_token(customer, accounts=owned, scope="accounts")
        for account in owned:
            accounts.append((account.id, account.ledger_account_id))
            token_of[account.id] = token.raw
    ledger_ids = [ledger_id for _, ledger_id in accounts]
    # History: in round r every account pays the account r+1 places after it, so each round
    # books one posting out and one in on every account (the ORM service, as in production).
    for r in range(HISTORY_ROUNDS):
        for i, debtor in enumerate(ledger_ids):
            creditor = ledger_ids[(i + r + 1) % len(ledger_ids)]
            ledger_post(external_ref=f"bench:history:{r}:{i}", kind="transfer", description=f"Transfer {r}",
                        legs=[Leg(debtor, 100 + r), Leg(creditor, -(100 + r))])
    print(f"\nbuilt {len(accounts)} accounts with {1 + 2 * HISTORY_ROUNDS} postings each "
          f"in {time.perf_counter() - started:.0f}s", flush=True)
    return accounts, token_of


def _poster(issued: Any, posted: Any, stop: Any, ledger_ids: list[int], cash_id: int) -> None:
    """Book one cash deposit into a random account for every tenth read issued."""
    connections.close_all()  # a connection of its own, not the parent's
    rng = random.Random(7)
    base = issued.value  # reads sent before this run do not count
    n = 0
    try:
        while not stop.is_set():
            if posted.value >= (issued.value - base) * CHANGED_SHARE:
                time.sleep(0.001)
                continue
            n += 1
            ledger_post(external_ref=f"bench:poster:{os.getpid()}:{n}:{uuid.uuid4().hex[:8]}", kind="cash_deposit",
                        legs=[Leg(cash_id, 1), Leg(rng.choice(ledger_ids), -1)])
            with posted.get_lock():
                posted.value += 1
    finally:
        connections.close_all()


@contextmanager
def _posting(issued: Any, ledger_ids: list[int], cash_id: int) -> Iterator[Any]:
    posted = mp.get_context("fork").Value("l", 0)
    stop = mp.get_context("fork").Event()
    process = mp.get_context("fork").Process(target=_poster, args=(issued, posted, stop, ledger_ids, cash_id))
    process.start()
    try:
        yield posted
    finally:
        stop.set()
        process.join(timeout=30)


def test_statement_reads_fresh_and_revalidated_vs_minimal_view(on_postgres: None) -> None:
    accounts, token_of = _build_accounts()
    cash_id = bank_account("cash").pk
    ledger_ids = [ledger_id for _, ledger_id in accounts]
    connections.close_all()
    ctx = mp.get_context("fork")
    issued = ctx.Value("l", 0)  # statement reads sent, shared with the poster
    mine = [[a for n, (a, _) in enumerate(accounts) if n % CLIENTS == index] for index in range(CLIENTS)]
    # Each client's last seen ETag per account (filled by a first pass, so that revalidations
    # start warm; a client process updates its own copy).
    etags: dict[str, str] = {}
    picks: dict[int, str] = {}
    rngs: dict[int, random.Random] = {}  # one per client process, seeded apart (forks share the global one)

    def url(account_id: str) -> str:
        return f"/api/v1/accounts/{account_id}/transactions"

    def statement(send_etag: bool) -> Callable[[int, int], tuple[str, str, dict[str, str], Any]]:
        def make(index: int, sequence: int) -> tuple[str, str, dict[str, str], Any]:
            rng = rngs.get(index) or rngs.setdefault(index, random.Random(f"{index}:{os.getpid()}"))
            account_id = rng.choice(mine[index])
            picks[index] = account_id
            headers = {"Authorization": f"Bearer {token_of[account_id]}"}
            if send_etag and account_id in etags:
                headers["If-None-Match"] = etags[account_id]
            with issued.get_lock():
                issued.value += 1
            return "GET", url(account_id), headers, None

        return make

    def remember(index: int, sequence: int, status: int, response: Any) -> None:
        if status == 200:
            etags[picks[index]] = response.getheader("ETag")

    def reference(path: str) -> Callable[[int, int], tuple[str, str, dict[str, str], Any]]:
        return lambda index, sequence: ("GET", path, {}, None)

    endpoints: dict[str, tuple[Any, set[int], Any, bool]] = {
        "fresh": (statement(False), {200}, None, True),
        "revalidated": (statement(True), {200, 304}, remember, True),
        "minimal": (reference("/bench/minimal"), {200}, None, False),
        "round_trips": (reference("/bench/round-trips"), {200}, None, False),
    }
    runs: dict[str, list[LoadResult]] = {name: [] for name in endpoints}
    posted_during: dict[str, int] = {name: 0 for name in endpoints}
    issued_during: dict[str, int] = {name: 0 for name in endpoints}
    with gunicorn(_server_env()) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for account_id, _ in accounts:  # warm: every account's first page once, its ETag kept
            conn.request("GET", url(account_id), headers={"Authorization": f"Bearer {token_of[account_id]}"})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            etags[account_id] = response.getheader("ETag")
        conn.close()
        # Interleaved rounds, so that drift in a shared machine's speed hits every endpoint alike.
        for _ in range(ROUNDS):
            for name, (make, ok, hook, with_poster) in endpoints.items():
                before = issued.value
                if with_poster:
                    with _posting(issued, ledger_ids, cash_id) as posted:
                        runs[name].append(http_load(port, SECONDS / ROUNDS, CLIENTS, make, ok, hook))
                    posted_during[name] += posted.value
                else:
                    runs[name].append(http_load(port, SECONDS / ROUNDS, CLIENTS, make, ok, hook))
                issued_during[name] += issued.value - before
    merged = {name: merge(results) for name, results in runs.items()}
    fresh, revalidated, floor, io = merged["fresh"], merged["revalidated"], merged["minimal"], merged["round_trips"]
    not_modified = revalidated.statuses.get(304, 0)

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    def posts(name: str) -> str:
        return f"{posted_during[name]} postings ({posted_during[name] / max(issued_during[name], 1):.0%} of reads)"

    table(
        f"Statement reads, first page of 20, {len(accounts)} accounts x ~{1 + 2 * HISTORY_ROUNDS} postings, "
        f"~10% changed between reads (gunicorn 4 workers, {CLIENTS} clients, {ROUNDS} interleaved rounds of "
        f"{SECONDS / ROUNDS:.0f}s, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})",
        [
            ("(a) fresh pages", f"{fresh.rate:.0f}", f"{fresh.p50:.1f}", f"{fresh.p99:.1f}", fresh.errors,
             f"(a)/(c) {fresh.rate / floor.rate:.2f}", f">= {TARGETS['fresh']:.2f}: "
             f"{verdict(fresh.rate / floor.rate >= TARGETS['fresh'])}; p99 < {TARGETS['p99_ms']:.0f} ms: "
             f"{verdict(fresh.p99 < TARGETS['p99_ms'])}", posts("fresh")),
            ("(b) revalidations", f"{revalidated.rate:.0f}", f"{revalidated.p50:.1f}", f"{revalidated.p99:.1f}",
             revalidated.errors, f"(b)/(c) {revalidated.rate / floor.rate:.2f}",
             f">= {TARGETS['revalidated']:.2f}: {verdict(revalidated.rate / floor.rate >= TARGETS['revalidated'])}; "
             f"p99 < {TARGETS['p99_ms']:.0f} ms: {verdict(revalidated.p99 < TARGETS['p99_ms'])}",
             f"{not_modified} of {revalidated.requests} answered 304 "
             f"({not_modified / max(revalidated.requests, 1):.0%}); {posts('revalidated')}"),
            ("(c) minimal Django JSON view", f"{floor.rate:.0f}", f"{floor.p50:.1f}", f"{floor.p99:.1f}",
             floor.errors, "1.00", "", ""),
            ("minimal + one Redis and one PostgreSQL round trip", f"{io.rate:.0f}", f"{io.p50:.1f}",
             f"{io.p99:.1f}", io.errors, f"{io.rate / floor.rate:.2f}", "", "the floor of any authenticated read"),
        ],
        ("endpoint", "req/s", "p50 ms", "p99 ms", "errors", "ratio", "target", "notes"),
    )
    assert fresh.requests > 0 and fresh.errors == 0 and revalidated.errors == 0
    assert 0 < not_modified < revalidated.requests  # both answers happened
