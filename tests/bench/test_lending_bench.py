"""Nightly lending job over 100k (and, with LENDING_BENCH_SIZES=100000,1000000, 1M) active loans.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_lending \
     .venv/bin/python -m pytest tests/bench/test_lending_bench.py -m bench -s -q -p no:xdist

Loans (5 installments each) are created with INSERT ... SELECT generate_series, spread over
30 disbursement dates so that about 1/30 of them bill an installment on the benchmark date.
Each size runs the real Celery chord (`apps.lending.tasks.eod_run`) with 1 and then 2 solo
worker processes on Redis (db CELERY_BENCH_REDIS_DB, default 3), on consecutive business
dates (each is a full night: accrual for every loan, billing, overdue, penalty, buckets).
It prints loans/s and the peak RSS (VmHWM) of every worker and of the dispatching process.
The deposit account is empty, so auto-debits are skipped by the set-based filter (the
per-loan repayment path is measured by the API and ledger benchmarks).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from django.db import connection

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
    withdraw(b.account, 100_000)  # an empty account: auto-debits are filtered out in SQL
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
