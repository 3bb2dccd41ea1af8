"""The nightly SQL (apps/lending/eod.py) against the ONE definition of the servicing rules, the
Python in apps/lending/calculations.py.

A book of loans over every repayment method, two terms, three roundings, two grace periods,
two daily rates (one with nine decimals) and three currencies (JPY has no minor unit) is run
through the real job, every night for six weeks and then every fourth night (a run after a
gap catches up, as after an outage); after every run each loan is compared with a model
that applies only the Python rules: billing by the Python-built schedule (and the true-up of
the period's interest to it), `accrue_daily` for each day, the grace days, `penalty_interest`
(half up), `days_past_due`, `delinquency_bucket`, the overdue status, and the interest
recognised that night in each currency. The deposit accounts are empty, so nothing is
collected and the loans run into every delinquency bucket.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Sum

from apps.core.clock import pin_business_date
from apps.lending import calculations as calc
from apps.lending.models import NANO, EodChunk, Loan, Product, WhiteListEntry
from apps.lending.origination import credit_line_open, loan_drawdown
from apps.lending.risk import credit_decision_make
from apps.lending.servicing import eod_run_inline
from tests.factories import make_account, make_customer
from tests.lending.helpers import START, TEST_ACTOR, book_balance, withdraw

pytestmark = pytest.mark.django_db

CURRENCIES = ("CNY", "USD", "JPY")
ROUNDINGS = ("ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN")
GRACE_DAYS = (0, 5)
RATES = (Decimal("0.00035"), Decimal("0.000123457"))
METHODS = ("equal_installment", "equal_principal", "interest_only")
TERMS = (2, 4)
LAST_NIGHT = 4 * 31 + 100  # past the last due date and into the 90+ bucket
NIGHTS = [*range(1, 43), *range(43, LAST_NIGHT + 1, 4)]
PRODUCTS = 12  # each a currency, rounding, grace and rate: every value of each, in several pairings


@dataclass
class Row:
    number: int
    due_date: date
    grace_until: date
    principal_minor: int
    interest_minor: int
    status: str = "scheduled"
    penalty_minor: int = 0


@dataclass
class Model:
    """One loan as the Python rules see it."""

    loan_id: str
    currency: str
    daily_rate: Decimal
    penalty_daily_rate: Decimal
    not_due_minor: int
    last_accrual: date
    period_start: date
    rows: list[Row]
    accrued_minor: int = 0
    carry: Decimal = Decimal(0)
    status: str = "active"
    days_past_due: int = 0
    bucket: str = "current"
    status_changes: list[tuple[str, str, date]] = field(default_factory=list)

    def night(self, day: date) -> int:
        """Move to `day`; returns the interest recognised (accrual and billing true-up)."""
        recognised = 0
        billed_now = [r for r in self.rows if r.status == "scheduled" and r.due_date <= day]
        if billed_now:
            # the closing period's recognised interest is trued up to the schedule's
            recognised += sum(r.interest_minor for r in billed_now) - self.accrued_minor
            self.not_due_minor -= sum(r.principal_minor for r in billed_now)
            self.period_start = self.last_accrual = max(r.due_date for r in billed_now)
            self.accrued_minor, self.carry = 0, Decimal(0)
            for r in billed_now:
                r.status = "due"
        for _ in range((day - self.last_accrual).days):
            step = calc.accrue_daily(principal_minor=self.not_due_minor, daily_rate=self.daily_rate, carry=self.carry)
            self.accrued_minor += step.posted_minor
            self.carry = step.carry
            recognised += step.posted_minor
        self.last_accrual = max(self.last_accrual, day)
        for r in self.rows:
            if r.status == "due" and day > r.grace_until:
                r.status = "overdue"
        if self.status == "active" and any(r.status == "overdue" for r in self.rows):
            self.status_changes.append(("active", "overdue", day))
            self.status = "overdue"
        for r in self.rows:
            if r.status == "overdue":
                r.penalty_minor = calc.penalty_interest(
                    overdue_principal_minor=r.principal_minor, penalty_daily_rate=self.penalty_daily_rate,
                    days=(day - r.due_date).days, rounding=ROUND_HALF_UP,
                )
        unpaid = [r.due_date for r in self.rows if r.status in ("due", "overdue")]
        self.days_past_due = calc.days_past_due(oldest_unpaid_due_date=min(unpaid, default=None), as_of=day)
        self.bucket = calc.delinquency_bucket(self.days_past_due)
        return recognised


def _variant_product(base: Product, n: int, currency: str, rounding: str, grace: int, rate: Decimal) -> Product:
    fields = {f.attname: getattr(base, f.attname) for f in Product._meta.concrete_fields if not f.primary_key}
    return Product.objects.create(**{
        **fields, "code": f"eod-variant-{n}", "currency": currency, "rounding": rounding, "grace_days": grace,
        "min_daily_rate": rate, "max_daily_rate": rate, "allowed_methods": list(METHODS), "allowed_terms": list(TERMS),
        "min_amount_minor": 1, "max_amount_minor": 10**12,
    })


def _book(products: dict[str, Product]) -> list[Model]:
    base = products["consumer-revolving"]
    variants = [
        (CURRENCIES[n % 3], ROUNDINGS[(n // 3) % 3], GRACE_DAYS[(n // 2) % 2], RATES[(n // 6) % 2]) for n in range(PRODUCTS)
    ]
    models: list[Model] = []
    for n, (currency, rounding, grace, rate) in enumerate(variants):
        product = _variant_product(base, n, currency, rounding, grace, rate)
        customer = make_customer()
        account = make_account(customer, currency=currency, balance_minor=10_000_000)
        WhiteListEntry.objects.create(customer=customer, product=product, pre_approved_limit_minor=9_000_000)
        decision = credit_decision_make(customer=customer, product=product, declared={"income_band": "A"}, actor=TEST_ACTOR)
        line = credit_line_open(decision=decision, actor=TEST_ACTOR)
        drawn = 0
        for k, (method, term) in enumerate(itertools.product(METHODS, TERMS)):
            amount = 100_001 + 97_531 * (n + 3 * k) % 1_000_000  # odd amounts: every rounding matters
            loan = loan_drawdown(line_id=line.id, customer_id=customer.id, amount_minor=amount, term_months=term,
                                 method=method, deposit_account=account, actor=TEST_ACTOR)
            drawn += amount
            rows = [Row(i.number, i.due_date, i.grace_until, i.principal_minor, i.interest_minor)
                    for i in loan.installments.order_by("number")]
            models.append(Model(loan.id, currency, loan.daily_rate, loan.penalty_daily_rate, amount, START, START, rows))
        withdraw(account, 10_000_000 + drawn)  # nothing to collect: every loan runs late
    return models


def test_the_nightly_sql_follows_the_python_rules_day_by_day(products, clock):  # type: ignore[no-untyped-def]
    models = _book(products)
    assert len(models) == PRODUCTS * len(METHODS) * len(TERMS)
    recognised_total = dict.fromkeys(CURRENCIES, 0)
    for offset in NIGHTS:
        day = START + timedelta(days=offset)
        pin_business_date(day)
        eod_run_inline(business_date=day, actor=TEST_ACTOR, chunk_size=50)
        expected = dict.fromkeys(CURRENCIES, 0)
        for model in models:
            expected[model.currency] += model.night(day)
        booked = dict.fromkeys(CURRENCIES, 0)
        for chunk in EodChunk.objects.filter(business_date=day):
            for currency, amount in chunk.interest_by_currency.items():
                booked[currency] += amount
        assert booked == expected, day
        for currency in CURRENCIES:
            recognised_total[currency] += expected[currency]
        loans = {loan.id: loan for loan in Loan.objects.prefetch_related("installments", "status_changes")}
        for model in models:
            loan = loans[model.loan_id]
            state = (loan.status, loan.accrued_interest_minor, loan.accrual_carry_nano, loan.last_accrual_date,
                     loan.period_start, loan.principal_not_due_minor, loan.days_past_due, loan.delinquency_bucket)
            wanted = (model.status, model.accrued_minor, int(model.carry * NANO), model.last_accrual,
                      model.period_start, model.not_due_minor, model.days_past_due, model.bucket)
            assert state == wanted, (day, model.loan_id)
            rows = [(r.number, r.status, r.penalty_minor) for r in loan.installments.all()]
            assert rows == [(r.number, r.status, r.penalty_minor) for r in model.rows], (day, model.loan_id)
            changes = [(c.from_status, c.to_status, c.business_date) for c in loan.status_changes.all()
                       if c.to_status == "overdue"]
            assert changes == model.status_changes, (day, model.loan_id)
    # every loan reached the last bucket, and each currency's books hold its own interest
    assert {m.bucket for m in models} == {"90+"}
    for currency in CURRENCIES:
        assert book_balance("interest_income", currency) == recognised_total[currency] > 0
    assert Loan.objects.aggregate(t=Sum("principal_not_due_minor"))["t"] == 0
