"""Drawdowns and repayments racing on the same and on different credit lines, in real OS
processes (fork), each with its own PostgreSQL connection.

The lock order (docs/ledger.md): the credit line, then the loan, then ledger rows. A
drawdown locks its line and then the deposit account's ledger row; before the fix a
repayment locked the loan and the same deposit row and only then the line, so the two
deadlocked. Checked here: no deadlock or other error, no line over its limit, the books
balanced, every acknowledged operation in the ledger exactly once and nothing else, and
each line's `used` equal to the principal its loans still owe.

Run with DATABASE_URL=postgres://…; skipped on SQLite (which serialises every writer).
"""
from __future__ import annotations

import multiprocessing as mp
import random
import traceback
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Sum

from apps.core.actors import Actor
from apps.core.clock import pin_business_date
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import ledger_balances_match_postings, ledger_trial_balance
from apps.ledger.services import InsufficientFunds
from apps.lending.demo import seed_products
from apps.lending.errors import (
    CreditLimitExceeded,
    CreditLineNotActive,
    LoanNotActive,
    RepaymentExceedsOutstanding,
)
from apps.lending.models import CreditLine, Installment, Loan, Repayment
from apps.lending.origination import loan_drawdown
from apps.lending.servicing import eod_run_inline, loan_repay, loan_write_off
from tests.lending.helpers import START, TEST_ACTOR, book_balance, make_borrower

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 8
OPS_PER_WORKER = 30
REFUSALS = (CreditLimitExceeded, RepaymentExceedsOutstanding, InsufficientFunds)


def _run(op: tuple[Any, ...]) -> tuple[str, Any]:
    kind = op[0]
    try:
        if kind == "night":
            run = eod_run_inline(business_date=op[1], actor=Actor.system("eod"))
            return "ok", run.loans if run is not None else None
        if kind == "write_off":
            loan_write_off(loan_id=op[1], reason="race test", actor=Actor.system("test"))
            return "ok", op[1]
        if kind == "draw":
            _, line_id, customer_id, account, amount = op
            loan = loan_drawdown(line_id=line_id, customer_id=customer_id, amount_minor=amount, term_months=5,
                                 method="equal_installment", deposit_account=account, actor=TEST_ACTOR)
            return "ok", (loan.id, amount)
        _, loan_id, amount, reference = op
        repayment = loan_repay(loan_id=loan_id, amount_minor=amount, reference=reference, actor=TEST_ACTOR)
        return "ok", repayment.reference
    except (*REFUSALS, LoanNotActive, CreditLineNotActive) as refusal:
        return "refused", refusal.__class__.__name__
    except Exception as error:  # noqa: BLE001 - reported to the test
        text = f"{error.__class__.__name__}: {error}"
        return ("deadlock" if "deadlock" in text.lower() else "error"), text + traceback.format_exc(limit=3)


def _worker(index: int, ops: list[tuple[Any, ...]], barrier: Any, results: Any) -> None:
    try:
        barrier.wait(timeout=60)
        outcomes = [(op[0], *_run(op)) for op in ops]
    finally:
        connections.close_all()
    results.put((index, outcomes))


def run_in_processes(plans: list[list[tuple[Any, ...]]]) -> list[tuple[str, str, Any]]:
    """Each plan in its own forked process, all started at one barrier; their outcomes."""
    connections.close_all()  # no connection may be shared across fork
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(len(plans)), ctx.Queue()
    processes = [ctx.Process(target=_worker, args=(i, plan, barrier, results)) for i, plan in enumerate(plans)]
    for process in processes:
        process.start()
    collected = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0, f"worker exited with {process.exitcode}"
    return [outcome for _, outcomes in sorted(collected) for outcome in outcomes]


def test_drawdowns_and_repayments_race_on_shared_and_separate_lines() -> None:
    assert connection.vendor == "postgresql"
    products = seed_products()
    pin_business_date(START)
    try:
        # 2 hot lines everyone uses and 10 quiet ones; each starts with two loans to repay
        borrowers = [make_borrower(products, balance_minor=20_000_000, limit_minor=5_000_000) for _ in range(12)]
        hot, quiet = borrowers[:2], borrowers[2:]
        loans: list[tuple[Loan, Any]] = []
        for b in borrowers:
            for _ in range(2):
                loans.append((loan_drawdown(line_id=b.line.id, customer_id=b.customer.id, amount_minor=500_000,
                                            term_months=5, method="equal_installment", deposit_account=b.account,
                                            actor=TEST_ACTOR), b))
        setup_loans = len(loans)
        # two days later: each repayment first brings its loan's interest to the day (loan_sync)
        pin_business_date(START + timedelta(days=2))
        rng = random.Random(20261201)
        plans: list[list[tuple[Any, ...]]] = []
        for worker in range(WORKERS):
            plan: list[tuple[Any, ...]] = []
            for n in range(OPS_PER_WORKER):
                if rng.random() < 0.5:
                    b = rng.choice(hot) if rng.random() < 0.6 else rng.choice(quiet)
                    plan.append(("draw", b.line.id, b.customer.id, b.account, rng.randint(50_000, 600_000)))
                else:
                    hot_loans = [pair for pair in loans if pair[1] in hot]
                    loan, b = rng.choice(hot_loans) if rng.random() < 0.6 else rng.choice(loans)
                    plan.append(("repay", loan.id, rng.randint(1_000, 300_000), f"race:{worker}:{n}"))
            plans.append(plan)

        outcomes = run_in_processes(plans)

        assert [o for o in outcomes if o[1] == "deadlock"] == []
        assert [o for o in outcomes if o[1] == "error"] == []
        counts = Counter((kind, result) for kind, result, _ in outcomes)
        assert counts[("draw", "ok")] > 0 and counts[("repay", "ok")] > 0, counts
        assert counts[("draw", "refused")] > 0, counts  # the hot lines were driven to their limit

        # every acknowledged operation in the ledger exactly once, and nothing unacknowledged
        drawn = [detail for kind, result, detail in outcomes if kind == "draw" and result == "ok"]
        repaid = [detail for kind, result, detail in outcomes if kind == "repay" and result == "ok"]
        disbursements = Counter(JournalEntry.objects.filter(kind="loan_disbursement").values_list("external_ref", flat=True))
        assert all(disbursements[f"loan:{loan_id}:disbursement"] == 1 for loan_id, _ in drawn)
        assert sum(disbursements.values()) == setup_loans + len(drawn) == Loan.objects.count()
        repayments = Counter(JournalEntry.objects.filter(kind="loan_repayment").values_list("external_ref", flat=True))
        assert all(repayments[f"repayment:{reference}"] == 1 for reference in repaid)
        assert sum(repayments.values()) == len(repaid) == Repayment.objects.count()
        assert set(Repayment.objects.values_list("reference", flat=True)) == set(repaid)

        # never over a limit; each line's use is what its loans still owe
        for line in CreditLine.objects.all():
            owed = Loan.objects.filter(line=line).aggregate(t=Sum("outstanding_principal_minor"))["t"] or 0
            assert line.used_minor == owed <= line.limit_minor, line.id

        assert set(ledger_trial_balance().values()) <= {0}
        assert ledger_balances_match_postings()
        owed = Loan.objects.aggregate(t=Sum("outstanding_principal_minor"))["t"]
        assert book_balance("loans_receivable") == owed
    finally:
        pin_business_date(None)


def test_the_night_write_offs_and_customers_race_on_the_same_lines() -> None:
    """The nightly job (billing, then an auto-debit of every due installment) runs while
    staff write loans off and customers draw and repay on the same lines."""
    products = seed_products()
    pin_business_date(START)
    try:
        borrowers = [make_borrower(products, balance_minor=20_000_000, limit_minor=5_000_000) for _ in range(4)]
        loans = []
        for b in borrowers:
            for _ in range(3):
                loans.append((loan_drawdown(line_id=b.line.id, customer_id=b.customer.id, amount_minor=400_000,
                                            term_months=5, method="equal_installment", deposit_account=b.account,
                                            actor=TEST_ACTOR), b))
        due = Installment.objects.filter(number=1).values_list("due_date", flat=True).first()
        assert due is not None
        pin_business_date(due)  # tonight every loan bills its first installment and is auto-debited
        rng = random.Random(7)
        written_off = [loans[0][0].id, loans[4][0].id, loans[8][0].id]
        plans: list[list[tuple[Any, ...]]] = [[("night", due)], [("write_off", loan_id) for loan_id in written_off]]
        for worker in range(WORKERS - 2):
            plan: list[tuple[Any, ...]] = []
            for n in range(12):
                loan, b = rng.choice(loans)
                if n % 2:
                    plan.append(("draw", b.line.id, b.customer.id, b.account, rng.randint(50_000, 300_000)))
                else:
                    plan.append(("repay", loan.id, rng.randint(1_000, 100_000), f"night:{worker}:{n}"))
            plans.append(plan)

        outcomes = run_in_processes(plans)

        assert [o for o in outcomes if o[1] in ("deadlock", "error")] == []
        assert [o[1] for o in outcomes if o[0] == "night"] == ["ok"]
        assert Loan.objects.filter(pk__in=written_off, status="written_off").count() == sum(
            1 for kind, result, _ in outcomes if kind == "write_off" and result == "ok"
        )
        # every loan still open had its installment collected tonight, by the night or by the
        # customer's own repayment that day (which bills it first), and never twice
        open_loans = Loan.objects.filter(status__in=["active", "overdue"])
        for loan in open_loans.filter(pk__in=[loan.id for loan, _ in loans]):  # not those drawn tonight
            assert loan.installments.get(number=1).status == "paid", loan.id
            auto_debits = Repayment.objects.filter(loan=loan, source="auto_debit").count()
            assert auto_debits <= 1, loan.id
            if not Repayment.objects.filter(loan=loan, source="customer").exists():
                assert auto_debits == 1, loan.id
        repaid = [detail for kind, result, detail in outcomes if kind == "repay" and result == "ok"]
        assert Repayment.objects.filter(source="customer").count() == len(repaid)
        for line in CreditLine.objects.all():
            owed = Loan.objects.filter(line=line, status__in=["active", "overdue"]).aggregate(
                t=Sum("outstanding_principal_minor"))["t"] or 0
            if line.status == "active":
                assert line.used_minor == owed <= line.limit_minor, line.id
        assert set(ledger_trial_balance().values()) <= {0}
        assert ledger_balances_match_postings()
        still_owed = open_loans.aggregate(t=Sum("outstanding_principal_minor"))["t"] or 0
        assert book_balance("loans_receivable") == still_owed
    finally:
        pin_business_date(None)


def test_one_reference_repays_once_however_many_race_for_it() -> None:
    products = seed_products()
    pin_business_date(START)
    try:
        b = make_borrower(products)
        loan = loan_drawdown(line_id=b.line.id, customer_id=b.customer.id, amount_minor=500_000, term_months=5,
                             method="equal_installment", deposit_account=b.account, actor=TEST_ACTOR)
        pin_business_date(START + timedelta(days=1))
        outcomes = run_in_processes([[("repay", loan.id, 10_000, "the-same")] for _ in range(6)])
        assert {result for _, result, _ in outcomes} == {"ok"}, outcomes
        assert Repayment.objects.filter(reference="the-same").count() == 1
        assert JournalEntry.objects.filter(external_ref="repayment:the-same").count() == 1
        assert CreditLine.objects.get(pk=b.line.pk).used_minor == Loan.objects.get(pk=loan.pk).outstanding_principal_minor
        assert ledger_balances_match_postings()
    finally:
        pin_business_date(None)
