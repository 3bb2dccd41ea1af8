"""The nightly job: accrual to the fen, billing, auto-debit, overdue, penalty, buckets, idempotency, write-off."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from apps.core.actors import Actor
from apps.core.clock import pin_business_date
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.lending import calculations as calc
from apps.lending import tasks
from apps.lending.eod import eod_process_range
from apps.lending.models import NANO, EodChunk, EodRun, Installment, Loan, LoanStatusChange
from apps.lending.origination import loan_drawdown
from apps.lending.servicing import eod_run_inline, loan_payoff_quote, loan_repay, loan_write_off
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


def draw(b, amount: int = 1_234_567, term: int = 5, method: str = "equal_installment") -> Loan:  # type: ignore[no-untyped-def]
    return loan_drawdown(actor=TEST_ACTOR, line_id=b.line.id, customer_id=b.customer.id, amount_minor=amount, term_months=term,
                         method=method, deposit_account=b.account)


def run_days(first: date, last: date) -> None:
    day = first
    while day <= last:
        pin_business_date(day)
        eod_run_inline(actor=TEST_ACTOR, business_date=day)
        day += timedelta(days=1)


def test_daily_accrual_is_accrue_daily_exactly(borrower):  # type: ignore[no-untyped-def]
    loan = draw(borrower)
    run_days(START + timedelta(days=1), START + timedelta(days=10))
    loan.refresh_from_db()
    carry, posted = Decimal(0), 0
    for _ in range(10):
        step = calc.accrue_daily(principal_minor=1_234_567, daily_rate=Decimal("0.0002"), carry=carry)
        posted, carry = posted + step.posted_minor, step.carry
    assert loan.accrued_interest_minor == posted == 2469  # 246.9134 fen a day
    assert Decimal(loan.accrual_carry_nano) / NANO == carry
    assert loan.last_accrual_date == START + timedelta(days=10)
    assert book_balance("interest_receivable") == posted == book_balance("interest_income")
    assert_books_agree_with_loans()


def test_running_a_date_twice_posts_once(borrower):  # type: ignore[no-untyped-def]
    draw(borrower)
    day = START + timedelta(days=1)
    pin_business_date(day)
    assert tasks.eod_run.delay(day.isoformat()).get() == 1  # eager chord over one chunk
    assert EodRun.objects.get(business_date=day).status == "done"
    entries = JournalEntry.objects.count()
    income = book_balance("interest_income")
    assert tasks.eod_run.delay(day.isoformat()).get() == 0
    assert eod_run_inline(actor=TEST_ACTOR, business_date=day) is None
    chunk = EodChunk.objects.get(business_date=day)
    assert eod_process_range(actor=TEST_ACTOR, business_date=day, first_id=chunk.first_loan_id, last_id=chunk.last_loan_id) is None
    assert JournalEntry.objects.count() == entries and book_balance("interest_income") == income == 246


def test_chunks_cover_every_loan_with_one_entry_per_chunk(products, clock):  # type: ignore[no-untyped-def]
    borrowers = [make_borrower(products) for _ in range(5)]
    loans = [draw(b, 1_000_000) for b in borrowers for _ in range(2)]
    day = START + timedelta(days=1)
    pin_business_date(day)
    before = JournalEntry.objects.filter(kind="loan_interest_accrual").count()
    eod_run_inline(actor=TEST_ACTOR, business_date=day, chunk_size=3)
    assert EodChunk.objects.filter(business_date=day).count() == 4
    assert JournalEntry.objects.filter(kind="loan_interest_accrual").count() - before == 4
    assert all(Loan.objects.get(pk=loan.pk).accrued_interest_minor == 200 for loan in loans)
    assert EodRun.objects.get(business_date=day).loans == 10


def test_due_installment_is_auto_debited_on_its_due_date(borrower):  # type: ignore[no-untyped-def]
    loan = draw(borrower, 1_000_000, method="equal_principal")
    first = loan.installments.get(number=1)
    balance_before = LedgerAccount.objects.get(pk=borrower.account.ledger_account_id).balance_minor
    run_days(START + timedelta(days=1), first.due_date)
    first.refresh_from_db()
    loan.refresh_from_db()
    assert first.status == "paid" and first.paid_on == first.due_date
    assert first.interest_minor == 6200  # 10,000.00 x 0.0002 x 31 days
    paid = first.principal_minor + first.interest_minor
    assert LedgerAccount.objects.get(pk=borrower.account.ledger_account_id).balance_minor == balance_before - paid
    assert loan.outstanding_principal_minor == 800_000 and loan.status == "active"
    assert loan.line.__class__.objects.get(pk=loan.line_id).used_minor == 800_000
    assert loan.repayments.get().source == "auto_debit"
    assert_books_agree_with_loans()


def test_overdue_penalty_and_buckets_as_the_clock_moves(borrower):  # type: ignore[no-untyped-def]
    loan = draw(borrower, 1_000_000, method="equal_principal")
    account = borrower.account
    withdraw(account, LedgerAccount.objects.get(pk=account.ledger_account_id).balance_minor)
    due = loan.installments.get(number=1).due_date  # 2026-02-15, grace 3 days
    run_days(START + timedelta(days=1), due + timedelta(days=3))
    loan.refresh_from_db()
    assert loan.status == "active" and loan.days_past_due == 3 and loan.delinquency_bucket == "1-30"
    assert loan.installments.get(number=1).status == "due"

    run_days(due + timedelta(days=4), due + timedelta(days=4))
    loan.refresh_from_db()
    assert loan.status == "overdue" and loan.installments.get(number=1).status == "overdue"
    change = LoanStatusChange.objects.filter(loan=loan).last()
    assert (change.from_status, change.to_status, change.business_date) == ("active", "overdue", due + timedelta(days=4))
    # penalty on the 2,000.00 overdue principal at 0.075 % a day for 4 days = 6.00
    assert loan.installments.get(number=1).penalty_minor == 600 == loan.penalty_outstanding_minor

    run_days(due + timedelta(days=5), due + timedelta(days=40))
    loan.refresh_from_db()
    assert loan.days_past_due == 40 and loan.delinquency_bucket == "31-60"
    assert loan.installments.filter(status="overdue").count() == 2  # the second one is past grace too
    run_days(due + timedelta(days=41), due + timedelta(days=95))
    loan.refresh_from_db()
    assert loan.delinquency_bucket == "90+" and loan.days_past_due == 95
    assert_books_agree_with_loans()

    # A partial auto-debit: penalty first, then overdue interest, then overdue principal.
    fund_account(account, 10_000)
    day = due + timedelta(days=96)
    run_days(day, day)
    repayment = loan.repayments.get()
    assert repayment.amount_minor == 10_000 and repayment.source == "auto_debit"
    assert repayment.penalty_minor == 10_000 and repayment.overdue_principal_minor == 0
    assert_books_agree_with_loans()


def test_customer_repays_an_overdue_loan_back_to_active(borrower):  # type: ignore[no-untyped-def]
    loan = draw(borrower, 1_000_000, method="equal_principal")
    withdraw(borrower.account, LedgerAccount.objects.get(pk=borrower.account.ledger_account_id).balance_minor)
    due = loan.installments.get(number=1).due_date
    run_days(START + timedelta(days=1), due + timedelta(days=10))
    loan.refresh_from_db()
    assert loan.status == "overdue"
    day = due + timedelta(days=11)
    pin_business_date(day)  # no night run yet today: the repayment brings the loan up to date itself
    fund_account(borrower.account, 300_000)
    repayment = loan_repay(actor=TEST_ACTOR, loan_id=loan.id, amount_minor=300_000, reference="test-overdue", customer_id=borrower.customer.id)
    loan.refresh_from_db()
    assert repayment.penalty_minor == 1650  # 2,000.00 x 0.00075 x 11 days
    assert repayment.overdue_interest_minor == 6200 and repayment.overdue_principal_minor == 200_000
    assert loan.status == "active" and loan.days_past_due == 0 and loan.delinquency_bucket == "current"
    assert LoanStatusChange.objects.filter(loan=loan).last().to_status == "active"
    assert loan.installments.get(number=1).status == "paid"
    assert_books_agree_with_loans()


def test_write_off_moves_what_is_owed_to_expense(borrower):  # type: ignore[no-untyped-def]
    loan = draw(borrower, 1_000_000)
    withdraw(borrower.account, LedgerAccount.objects.get(pk=borrower.account.ledger_account_id).balance_minor)
    run_days(START + timedelta(days=1), START + timedelta(days=45))
    loan.refresh_from_db()
    owed_interest = book_balance("interest_receivable")
    assert owed_interest > 0
    staff = get_user_model().objects.create_user("risk.officer", is_staff=True)
    entry = loan_write_off(actor=Actor.staff(staff), loan_id=loan.id, reason="uncollectable")
    loan.refresh_from_db()
    assert loan.status == "written_off"
    change = LoanStatusChange.objects.filter(loan=loan, to_status="written_off").get()
    assert change.actor == f"staff:{staff.pk}" and "risk.officer" in entry.description
    assert book_balance("write_off_expense") == 1_000_000 + owed_interest
    assert book_balance("loans_receivable") == 0 and book_balance("interest_receivable") == 0
    assert entry.kind == "loan_write_off"
    assert loan.line.__class__.objects.get(pk=loan.line_id).status == "frozen"
    assert not Installment.objects.filter(loan=loan, status__in=["due", "overdue", "scheduled"]).exists()
    assert_books_agree_with_loans()


def test_a_quote_for_a_later_date_matches_the_quote_on_that_date(borrower):  # type: ignore[no-untyped-def]
    loan = draw(borrower, 1_234_567)
    withdraw(borrower.account, LedgerAccount.objects.get(pk=borrower.account.ledger_account_id).balance_minor)
    later = START + timedelta(days=70)  # past two due dates, the first one overdue with penalty
    early = loan_payoff_quote(loan=loan, as_of=later)
    run_days(START + timedelta(days=1), later)
    loan.refresh_from_db()
    on_the_day = loan_payoff_quote(loan=loan)
    assert early.dues == on_the_day.dues
    assert on_the_day.dues.penalty_minor > 0 and on_the_day.dues.overdue_principal_minor > 0
    fund_account(borrower.account, on_the_day.total_minor)
    loan_repay(actor=TEST_ACTOR, loan_id=loan.id, amount_minor=on_the_day.total_minor, reference="payoff-late")
    loan.refresh_from_db()
    assert loan.status == "closed"
    assert_books_agree_with_loans()
