"""Ledger posts/s at 1, 2 and 8 workers against pgbench's tpcb-like script.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench
pgbench is initialised in the same database at scale 8 (so its branch rows are not a
single hot spot at 8 clients, per pgbench's advice that scale >= clients). Two mixes go
through `ledger_post` (row locks in id order, overdraft check, entry + two postings +
balance updates in one transaction):
- transfers between random pairs of 1,000 deposit accounts;
- the realistic mix: half of them transfers, half deposits to and withdrawals from the
  bank's cash (a leg on the bank's own books, which is neither locked nor updated).
"""
from __future__ import annotations

import os
import random
import subprocess
import time
from typing import Any

import pytest
from django.db import connections

from apps.ledger.bank_books import bank_account
from apps.ledger.models import LedgerAccount
from apps.ledger.services import Leg, ledger_post
from tests.bench.harness import pgbench_tps, run_processes, table

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
ACCOUNTS = 1000


def _transfer_worker(index: int, arg: Any) -> tuple[int, int, list[float]]:
    account_ids, duration, cash_id = arg
    connections.close_all()  # never share the parent's connection after fork
    rng = random.Random(index)
    done = errors = 0
    latencies: list[float] = []
    end = time.perf_counter() + duration
    while time.perf_counter() < end:
        a, b = rng.sample(account_ids, 2)
        if cash_id is not None and rng.random() < 0.5:
            a, b = (cash_id, a) if rng.random() < 0.5 else (a, cash_id)  # a deposit or a withdrawal
        started = time.perf_counter()
        try:
            ledger_post(
                external_ref=f"bench:{os.getpid()}:{done + errors}:{time.time_ns()}",
                kind="transfer",
                # Debit a: a deposit account pays out, or the bank's cash (an asset) takes money in.
                legs=[Leg(a, 100), Leg(b, -100)],
            )
            done += 1
        except Exception:  # noqa: BLE001 - a benchmark counts failures, it does not stop on them
            errors += 1
        latencies.append((time.perf_counter() - started) * 1000)
    connections.close_all()
    return done, errors, latencies


def test_ledger_transfers_vs_pgbench(pg_dsn_args: list[str]) -> None:
    LedgerAccount.objects.bulk_create(
        LedgerAccount(
            code=f"bench:{i}", name=f"bench {i}", type=LedgerAccount.Type.LIABILITY, currency="CNY",
            balance_minor=10**9, overdraft_limit_minor=0,
        )
        for i in range(ACCOUNTS)
    )
    account_ids = list(LedgerAccount.objects.filter(code__startswith="bench:").values_list("pk", flat=True))
    cash_id = bank_account("cash").pk
    subprocess.run(["pgbench", "-i", "-s", "8", "-q", *pg_dsn_args], check=True, capture_output=True)
    connections.close_all()
    rows = []
    for workers in (1, 2, 8):
        ours = run_processes(_transfer_worker, workers, (account_ids, SECONDS, None))
        mixed = run_processes(_transfer_worker, workers, (account_ids, SECONDS, cash_id))
        theirs = pgbench_tps(pg_dsn_args, workers, int(SECONDS))
        rows.append((
            workers, f"{ours.rate:.0f}", f"{ours.p50:.2f}", f"{ours.p99:.2f}", ours.errors,
            f"{mixed.rate:.0f}", f"{mixed.p99:.2f}", mixed.errors,
            f"{theirs:.0f}", f"{ours.rate / theirs:.0%}", f"{mixed.rate / theirs:.0%}",
        ))
    table(
        f"Ledger posts vs pgbench tpcb-like ({SECONDS:.0f}s per run, {os.cpu_count()} cores)",
        rows,
        ("workers", "transfers/s", "p50 ms", "p99 ms", "errors", "mix/s", "mix p99", "mix errors",
         "pgbench tps", "ratio", "mix ratio"),
    )
    from django.db.models import Sum

    from apps.ledger.models import Posting
    from apps.ledger.selectors import ledger_trial_balance

    # Sanity, not timing: the books still balance and every balance moved by its postings.
    assert all(total == 0 for total in ledger_trial_balance().values())

    moved = dict(Posting.objects.filter(account_id__in=account_ids).values("account_id")
                 .annotate(t=Sum("amount_minor")).values_list("account_id", "t"))
    for pk, balance in LedgerAccount.objects.filter(pk__in=account_ids).values_list("pk", "balance_minor"):
        assert balance == 10**9 - moved.get(pk, 0)
