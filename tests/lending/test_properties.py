"""Property test through the services: random drawdowns, nights and repayments never create or lose a fen."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.clock import pin_business_date
from apps.ledger.models import LedgerAccount
from apps.lending.errors import RepaymentExceedsOutstanding
from apps.lending.models import CreditLine, Repayment
from apps.lending.origination import loan_drawdown
from apps.lending.servicing import eod_run_inline, loan_payoff_quote, loan_repay
from tests.factories import fund_account
from tests.lending.helpers import (
    START,
    TEST_ACTOR,
    assert_books_agree_with_loans,
    book_balance,
    make_borrower,
    withdraw,
)

pytestmark = pytest.mark.django_db

step = st.tuples(
    st.integers(min_value=0, max_value=45),  # days to move the clock (the night job runs once for the new date)
    st.one_of(st.just("all"), st.just("over"), st.integers(min_value=1, max_value=1_000_000)),  # repayment
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    amount=st.integers(min_value=50_000, max_value=5_000_000),
    term=st.sampled_from([5, 10, 20]),
    method=st.sampled_from(["equal_installment", "equal_principal"]),
    steps=st.lists(step, min_size=1, max_size=5),
    spend=st.booleans(),
)
def test_random_repayment_sequences_keep_the_books_exact(products, amount, term, method, steps, spend):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        pin_business_date(START)
        b = make_borrower(products, balance_minor=20_000_000)
        loan = loan_drawdown(actor=TEST_ACTOR, line_id=b.line.id, customer_id=b.customer.id, amount_minor=amount, term_months=term,
                             method=method, deposit_account=b.account)
        assert sum(loan.installments.values_list("principal_minor", flat=True)) == amount
        if spend:  # the customer spends everything: auto-debits fail, installments go overdue, penalty runs
            withdraw(b.account, LedgerAccount.objects.get(pk=b.account.ledger_account_id).balance_minor)
        day = START
        for n, (days, pay) in enumerate(steps):
            day += timedelta(days=days)
            pin_business_date(day)
            eod_run_inline(actor=TEST_ACTOR, business_date=day)
            loan.refresh_from_db()
            if loan.status not in ("active", "overdue"):
                break
            owed = loan_payoff_quote(loan=loan).total_minor
            wanted = {"all": owed, "over": owed + 1}.get(pay, pay)  # type: ignore[arg-type]
            if spend:
                fund_account(b.account, wanted)
            if wanted > owed:
                with pytest.raises(RepaymentExceedsOutstanding), transaction.atomic():
                    loan_repay(actor=TEST_ACTOR, loan_id=loan.id, amount_minor=wanted, reference=f"p{n}")
            else:
                loan_repay(actor=TEST_ACTOR, loan_id=loan.id, amount_minor=wanted, reference=f"p{n}")
            loan.refresh_from_db()
            assert loan.outstanding_principal_minor >= 0
            if wanted == owed:
                assert loan.status == "closed"
            assert_books_agree_with_loans()

        loan.refresh_from_db()
        repayments = Repayment.objects.filter(loan=loan)
        paid = repayments.aggregate(t=Sum("amount_minor"))["t"] or 0
        principal = sum(r.principal_total_minor for r in repayments)
        interest = sum(r.interest_total_minor for r in repayments)
        penalty = repayments.aggregate(t=Sum("penalty_minor"))["t"] or 0
        assert paid == principal + interest + penalty  # every fen of every repayment is allocated
        assert principal == amount - loan.outstanding_principal_minor
        assert book_balance("interest_income") == interest + book_balance("interest_receivable")
        assert book_balance("penalty_income") == penalty
        assert CreditLine.objects.get(pk=b.line.pk).used_minor == loan.outstanding_principal_minor
        if loan.status == "closed":
            assert sum(loan.installments.values_list("principal_paid_minor", flat=True)) == amount
        transaction.set_rollback(True)
    pin_business_date(None)
