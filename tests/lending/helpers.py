"""Lending test helpers and fixtures: the demo products and scorecards, an invited customer with a funded account and a line."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from apps.accounts.models import DepositAccount
from apps.core.actors import Actor
from apps.core.clock import pin_business_date
from apps.customers.models import Customer
from apps.lending.demo import seed_products
from apps.lending.models import CreditLine, Product, WhiteListEntry
from apps.lending.origination import credit_line_open
from apps.lending.risk import credit_decision_make
from tests.factories import make_account, make_customer

START = date(2026, 1, 15)
TEST_ACTOR = Actor.system("test")


@pytest.fixture
def products(db) -> dict[str, Product]:  # type: ignore[no-untyped-def]
    return seed_products()


@dataclass
class Borrower:
    customer: Customer
    account: DepositAccount
    line: CreditLine


def product_in(product: Product, currency: str) -> Product:
    """A copy of `product` lending in `currency` (same kind, so the same scorecard decides)."""
    code = f"{product.code}-{currency.lower()}"
    copy = Product.objects.filter(code=code).first()
    if copy is None:
        fields = {f.attname: getattr(product, f.attname) for f in Product._meta.concrete_fields if not f.primary_key}
        copy = Product.objects.create(**{**fields, "code": code, "currency": currency})
    return copy


def make_borrower(
    products: dict[str, Product],
    *,
    balance_minor: int = 10_000_000,
    limit_minor: int = 5_000_000,
    code: str = "consumer-revolving",
    currency: str = "CNY",
) -> Borrower:
    customer = make_customer()
    account = make_account(customer, balance_minor=balance_minor, currency=currency)
    product = products[code] if currency == "CNY" else product_in(products[code], currency)
    WhiteListEntry.objects.create(customer=customer, product=product, pre_approved_limit_minor=limit_minor)
    decision = credit_decision_make(actor=TEST_ACTOR, customer=customer, product=product, declared={"income_band": "A"})
    assert decision.outcome == "approve", decision.reasons
    return Borrower(customer=customer, account=account, line=credit_line_open(actor=TEST_ACTOR, decision=decision))


@pytest.fixture
def clock(db):  # type: ignore[no-untyped-def]
    """Pins the business date (START unless moved) and releases it afterwards."""
    pin_business_date(START)
    yield pin_business_date
    pin_business_date(None)


@pytest.fixture
def borrower(products, clock) -> Borrower:  # type: ignore[no-untyped-def]
    return make_borrower(products)


# --------------------------------------------------------------------------- books


def withdraw(account: DepositAccount, amount_minor: int) -> None:
    """The customer spends money (cash out), so that the account cannot cover an auto-debit."""
    import secrets

    from apps.ledger.bank_books import bank_account
    from apps.ledger.services import Leg, ledger_post

    ledger_post(
        external_ref=f"test:withdraw:{secrets.token_hex(8)}",
        kind="cash_withdrawal",
        legs=[Leg(account.ledger_account_id, amount_minor), Leg(bank_account("cash", account.currency).pk, -amount_minor)],
    )


def book_balance(name: str, currency: str = "CNY") -> int:
    """A bank book's balance, summed from its postings (the bank's books keep no locked
    running balance)."""
    from apps.ledger.bank_books import bank_account
    from apps.ledger.selectors import ledger_account_balance

    return ledger_account_balance(account_id=bank_account(name, currency).pk)


def assert_books_agree_with_loans() -> None:
    """The ledger balances, and the bank's loan accounts equal what the loan rows say is owed."""
    from django.db.models import F, Sum

    from apps.ledger.selectors import ledger_balances_match_postings, ledger_trial_balance
    from apps.lending.models import Installment, Loan

    assert set(ledger_trial_balance().values()) <= {0}
    assert ledger_balances_match_postings()
    open_loans = Loan.objects.filter(status__in=["active", "overdue"])
    outstanding = open_loans.aggregate(t=Sum("outstanding_principal_minor"))["t"] or 0
    assert book_balance("loans_receivable") == outstanding
    accrued = open_loans.aggregate(t=Sum(F("accrued_interest_minor") - F("current_interest_paid_minor")))["t"] or 0
    billed = (
        Installment.objects.filter(loan__in=open_loans, status__in=["due", "overdue"])
        .aggregate(t=Sum(F("interest_minor") - F("interest_paid_minor")))["t"]
        or 0
    )
    assert book_balance("interest_receivable") == accrued + billed
    for loan in open_loans:
        assert loan.outstanding_principal_minor >= 0
        assert loan.accrued_interest_minor >= loan.current_interest_paid_minor >= 0
