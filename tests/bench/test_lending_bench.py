"""Nightly lending job over 100k (and, with LENDING_BENCH_SIZES=100000,1000000, 1M) active loans.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_lending \
     .venv/bin/python -m pytest tests/bench/test_lending_bench.py -m bench -s -q -p no:xdist

Loans (5 installments each) are created with INSERT ... SELECT generate_series, spread over
30 disbursement dates so that about 1/30 of them bill an installment on the benchmark date.
Each size runs the real Celery chord (`apps.lending.tasks.eod_run`) with 1 and then 2 solo
worker processes on Redis (db CELERY_BENCH_REDIS_DB, default 3), on consecutive business
dates (each is a full night: accrual for every loan, billing, overdue, penalty, buckets).
It prints loans/s and the peak RSS (VmHWM) of every worker and of the dispatching process.
The deposit account is empty, so the auto-debit of each billed loan stops at the balance
check (the per-loan repayment path is measured by `test_mixed_drawdowns_and_repayments`).

`test_mixed_drawdowns_and_repayments`: 8 forked client processes, each with its own
PostgreSQL connection, draw on and repay loans of 100 credit lines through the services
for LENDING_MIX_SECONDS (default 20); prints ops/s, p50/p99 per kind and the count of
deadlock errors (must be 0: the lock order is line, loan, ledger rows).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, connections

from apps.core.clock import pin_business_date
from apps.lending.demo import seed_products
from apps.lending.models import EodChunk, EodRun, Loan
from tests.bench.harness import ROOT, peak_rss_mb, table
from tests.lending.helpers import make_borrower, withdraw

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]
SIZES = [int(s) for s in os.environ.get("LENDING_BENCH_SIZES", "100000").split(",")]
REDIS = f"redis://127.0.0.1:6379/{os.environ.get('CELERY_BENCH_REDIS_DB', '3')}"
D0 = date(2026, 3, 1)


def _create_loans(n: int, template: Loan) -> None:
    t = template
    with connection.cursor() as c:
        c.execute("DELETE FROM lending_installment WHERE loan_id LIKE 'loan_B%%'")
        c.execute("DELETE FROM lending_loanstatuschange WHERE loan_id LIKE 'loan_B%%'")
        c.execute("DELETE FROM lending_loan WHERE id LIKE 'loan_B%%'")
        c.execute(
            """INSERT INTO lending_loan (id, line_id, customer_id, product_id, deposit_account_id, currency,
                 principal_minor, method, term_months, daily_rate, daily_rate_nano, penalty_daily_rate, penalty_rate_nano,
                 day_count, rounding, grace_days, disbursement_date, maturity_date, status, outstanding_principal_minor,
                 principal_not_due_minor, period_start, last_accrual_date, accrued_interest_minor, accrual_carry_nano,
                 current_interest_paid_minor, penalty_outstanding_minor, days_past_due, delinquency_bucket, created_at)
               SELECT 'loan_B' || lpad(g::text, 25, '0'), %s, %s, %s, %s, 'CNY', 1000000, 'equal_principal', 5,
                 0.00035, 350000 + (g %% 7) * 1000, 0.0005, 500000, 'ACTUAL_365', 'ROUND_HALF_UP', 3,
                 d.disb, d.disb + interval '5 months', 'active', 1000000, 1000000, d.disb, %s::date - 1,
                 0, 0, 0, 0, 0, 'current', now()
               FROM generate_series(1, %s) g
               CROSS JOIN LATERAL (SELECT (%s::date - 31 + (g %% 30))::date AS disb) d""",
            [t.line_id, t.customer_id, t.product_id, t.deposit_account_id, D0, n, D0],
        )
        c.execute(
            """INSERT INTO lending_installment (loan_id, number, period_start, due_date, grace_until, principal_minor,
                 interest_minor, principal_paid_minor, interest_paid_minor, penalty_minor, penalty_paid_minor, status)
               SELECT l.id, k, (l.disbursement_date + (k - 1) * interval '1 month')::date,
                 (l.disbursement_date + k * interval '1 month')::date,
                 (l.disbursement_date + k * interval '1 month')::date + 3,
                 200000, (1000000 - (k - 1) * 200000) * 31 * 35 / 100000, 0, 0, 0, 0, 'scheduled'
               FROM lending_loan l CROSS JOIN generate_series(1, 5) k WHERE l.id LIKE 'loan_B%%'"""
        )
        c.execute("ANALYZE lending_loan")
        c.execute("ANALYZE lending_installment")


def _start_workers(count: int) -> list[subprocess.Popen]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": _worker_database_url(),
        "CELERY_BROKER_URL": REDIS,
        "CELERY_RESULT_BACKEND": REDIS,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'platform'}",
    })
    procs = []
    for i in range(count):
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", f"lendbench{i}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
            cwd=ROOT, env=env,
        ))
    return procs


def _worker_database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _vm_hwm_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def test_nightly_job_throughput() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("benchmarks run on PostgreSQL: set DATABASE_URL")
    from config.celery import app

    from apps.lending import tasks
    from apps.lending.origination import loan_drawdown
    from tests.lending.helpers import TEST_ACTOR

    products = seed_products()
    app.conf.update(broker_url=REDIS, result_backend=REDIS, task_always_eager=False)
    pin_business_date(D0 - timedelta(days=40))
    b = make_borrower(products, balance_minor=0, limit_minor=20_000_000)
    template = loan_drawdown(actor=TEST_ACTOR, line_id=b.line.id, customer_id=b.customer.id, amount_minor=100_000, term_months=5,
                             method="equal_principal", deposit_account=b.account)
    Loan.objects.filter(pk=template.pk).update(status="closed")  # a row to copy the foreign keys from
    withdraw(b.account, 100_000)  # an empty account: each billed loan's auto-debit stops at the balance
    rows = []
    timings: dict[tuple[int, int], float] = {}
    for n in SIZES:
        started = time.perf_counter()
        _create_loans(n, template)
        created = time.perf_counter() - started
        for offset, workers in enumerate((1, 2)):
            day = D0 + timedelta(days=offset)
            pin_business_date(day)
            app.control.purge()
            procs = _start_workers(workers)
            try:
                time.sleep(3)  # workers connect to Redis
                started = time.perf_counter()
                chunks = tasks.eod_run(day.isoformat())
                while not EodRun.objects.filter(business_date=day, status="done").exists():
                    time.sleep(0.2)
                    assert all(p.poll() is None for p in procs), "a worker died"
                elapsed = time.perf_counter() - started
                rss = [_vm_hwm_mb(p.pid) for p in procs]
            finally:
                for p in procs:
                    p.terminate()
                for p in procs:
                    p.wait(timeout=30)
            run = EodRun.objects.get(business_date=day)
            assert run.loans == n and run.chunks == chunks
            assert not Loan.objects.filter(id__startswith="loan_B", last_accrual_date__lt=day).exists()
            timings[(n, workers)] = elapsed
            rows.append((n, workers, chunks, f"{elapsed:.1f}", f"{n / elapsed:,.0f}",
                         " / ".join(f"{r:.0f}" for r in rss), f"{peak_rss_mb():.0f}", f"{created:.0f}"))
            print(f"\n{rows[-1]}", flush=True)
        EodRun.objects.all().delete()
        EodChunk.objects.all().delete()
    table("Nightly lending job (accrual, billing, overdue, penalty, buckets)", rows,
          ("loans", "workers", "chunks", "seconds", "loans/s", "worker peak RSS MB", "dispatcher MB", "setup s"))
    if len(SIZES) > 1:
        small, large = SIZES[0], SIZES[-1]
        for workers in (1, 2):
            ratio = timings[(large, workers)] / timings[(small, workers)]
            print(f"{workers} worker(s): {large:,} loans took {ratio:.1f}x the time of {small:,} ({large / small:.0f}x the loans)")
    pin_business_date(None)


MIX_SECONDS = float(os.environ.get("LENDING_MIX_SECONDS", "20"))
MIX_CLIENTS = int(os.environ.get("LENDING_MIX_CLIENTS", "8"))
MIX_LINES = 100


def _mix_client(index: int, arg: Any) -> dict[str, Any]:
    """One client process: random drawdowns and repayments for MIX_SECONDS."""
    from apps.ledger.services import InsufficientFunds
    from apps.lending.errors import CreditLimitExceeded, RepaymentExceedsOutstanding
    from apps.lending.origination import loan_drawdown
    from apps.lending.servicing import loan_repay
    from tests.lending.helpers import TEST_ACTOR

    lines, loans_by_line = arg
    rng = random.Random(index)
    outcome: Counter[str] = Counter()
    latencies: dict[str, list[float]] = {"draw": [], "repay": []}
    deadline = time.monotonic() + MIX_SECONDS
    n = 0
    try:
        while time.monotonic() < deadline:
            line_id, customer_id, account = lines[rng.randrange(len(lines))]
            kind = "draw" if rng.random() < 0.5 else "repay"
            started = time.perf_counter()
            try:
                if kind == "draw":
                    loan_drawdown(line_id=line_id, customer_id=customer_id, amount_minor=rng.randint(50_000, 200_000),
                                  term_months=5, method="equal_installment", deposit_account=account, actor=TEST_ACTOR)
                else:
                    loan_repay(loan_id=rng.choice(loans_by_line[line_id]), amount_minor=rng.randint(1_000, 50_000),
                               reference=f"mix:{index}:{n}", actor=TEST_ACTOR)
                outcome[f"{kind} ok"] += 1
            except (CreditLimitExceeded, RepaymentExceedsOutstanding, InsufficientFunds):
                outcome[f"{kind} refused"] += 1
            except Exception as error:  # noqa: BLE001 - counted and printed
                outcome["deadlock" if "deadlock" in str(error).lower() else f"error {error.__class__.__name__}"] += 1
            latencies[kind].append((time.perf_counter() - started) * 1000)
            n += 1
    finally:
        connections.close_all()
    return {"outcome": outcome, "latencies": latencies}


def test_mixed_drawdowns_and_repayments() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("benchmarks run on PostgreSQL: set DATABASE_URL")
    from apps.lending.origination import loan_drawdown
    from tests.lending.helpers import TEST_ACTOR

    products = seed_products()
    pin_business_date(D0)
    lines, loans_by_line = [], {}
    for _ in range(MIX_LINES):
        b = make_borrower(products, balance_minor=50_000_000, limit_minor=5_000_000)
        lines.append((b.line.id, b.customer.id, b.account))
        loans_by_line[b.line.id] = [
            loan_drawdown(line_id=b.line.id, customer_id=b.customer.id, amount_minor=500_000, term_months=5,
                          method="equal_installment", deposit_account=b.account, actor=TEST_ACTOR).id
            for _ in range(3)
        ]
    pin_business_date(D0 + timedelta(days=1))  # each loan's first repayment brings it to the day (loan_sync)
    connections.close_all()  # nothing shared across fork
    global _MIX_JOB
    _MIX_JOB = (lines, loans_by_line)
    ctx = mp.get_context("fork")
    started = time.perf_counter()
    with ctx.Pool(MIX_CLIENTS) as pool:
        results = pool.map(_run_mix, range(MIX_CLIENTS))
    elapsed = time.perf_counter() - started
    outcome: Counter[str] = sum((r["outcome"] for r in results), Counter())
    rows = []
    for kind in ("draw", "repay"):
        lat = sorted(x for r in results for x in r["latencies"][kind])
        rows.append((kind, len(lat), f"{len(lat) / elapsed:,.0f}", f"{statistics.median(lat):.1f}",
                     f"{lat[min(len(lat) - 1, round(0.99 * (len(lat) - 1)))]:.1f}",
                     outcome[f"{kind} ok"], outcome[f"{kind} refused"]))
    total = sum(len(r["latencies"]["draw"]) + len(r["latencies"]["repay"]) for r in results)
    table(f"Mixed drawdowns and repayments: {MIX_LINES} lines, {MIX_CLIENTS} client processes, {elapsed:.0f} s",
          rows, ("kind", "ops", "ops/s", "p50 ms", "p99 ms", "ok", "refused"))
    print(f"all: {total / elapsed:,.0f} ops/s; deadlock errors: {outcome['deadlock']}; "
          f"other errors: {sum(v for k, v in outcome.items() if k.startswith('error'))} {dict(outcome)}")
    assert outcome["deadlock"] == 0
    assert not [k for k in outcome if k.startswith("error")], outcome
    from apps.ledger.selectors import ledger_balances_match_postings, ledger_trial_balance

    assert set(ledger_trial_balance().values()) <= {0} and ledger_balances_match_postings()
    pin_business_date(None)


_MIX_JOB: Any = None


def _run_mix(index: int) -> dict[str, Any]:
    return _mix_client(index, _MIX_JOB)
