"""Concurrent drawdowns on PostgreSQL never take a line past its limit (the line row is locked)."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from apps.core.clock import pin_business_date
from apps.ledger.bank_books import bank_account
from apps.ledger.selectors import ledger_account_balance
from apps.lending.models import CreditLine, Loan
from apps.lending.services import CreditLimitExceeded, loan_drawdown
from tests.lending.helpers import START, make_borrower

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (set DATABASE_URL)"),
]


def test_fifty_concurrent_drawdowns_never_exceed_the_limit(products):  # type: ignore[no-untyped-def]
    pin_business_date(START)
    try:
        b = make_borrower(products, limit_minor=5_000_000)  # RMB 50,000
        bank_account("loans_receivable")  # opened up front, not by 50 racing threads
        amount = 300_000  # 50 x RMB 3,000 = RMB 150,000 asked against RMB 50,000
        barrier = threading.Barrier(50)
        outcomes: list[str] = []
        lock = threading.Lock()

        def draw() -> None:
            try:
                barrier.wait()
                loan_drawdown(line_id=b.line.id, customer_id=b.customer.id, amount_minor=amount, term_months=5,
                              method="equal_installment", deposit_account=b.account)
                result = "ok"
            except CreditLimitExceeded:
                result = "limit"
            except Exception as exc:  # pragma: no cover - reported by the assertion below
                result = repr(exc)
            finally:
                connections.close_all()
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=draw) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(set(outcomes)) == ["limit", "ok"], outcomes
        line = CreditLine.objects.get(pk=b.line.pk)
        assert outcomes.count("ok") == 16  # floor(50,000 / 3,000)
        assert line.used_minor == 16 * amount <= line.limit_minor
        assert Loan.objects.filter(line=line).count() == 16
        assert ledger_account_balance(account_id=bank_account("loans_receivable").pk) == 16 * amount
    finally:
        pin_business_date(None)
