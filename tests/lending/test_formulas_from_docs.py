"""docs/lending.md "The formulas" is enough to reproduce every number the API shows.

This file implements that section on its own (exact fractions, its own month arithmetic and
rounding; it imports nothing from apps.lending.calculations) and compares, to the fen, with
what the API answers after real drawdowns: schedules for a grid of day counts, rounding modes,
methods, terms, amounts, rates and month-end disbursement dates; a payoff quote with penalty
on several overdue installments and one on a due date; and the schedule rebuilt after a
partial prepayment (a broken period that 30E/360 and actual days count differently).
"""
from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from rest_framework.test import APIClient

from apps.core.clock import pin_business_date
from apps.lending.models import CreditLine, Product
from tests.factories import customer_token
from tests.lending.helpers import Borrower, make_borrower

pytestmark = pytest.mark.django_db

HALF = Fraction(1, 2)


# --------------------------------------------------------------------------- the documented formulas


def rnd(x: Fraction, mode: str) -> int:
    """`round(x, mode)` of the docs for a non-negative amount of minor units."""
    assert x >= 0
    whole = x.numerator // x.denominator
    rest = x - whole
    if mode == "ROUND_DOWN" or rest == 0:
        return whole
    if mode == "ROUND_HALF_UP":
        return whole + (rest >= HALF)
    if mode == "ROUND_HALF_EVEN":
        return whole + (rest > HALF or (rest == HALF and whole % 2 == 1))
    raise AssertionError(mode)


def due(d0: date, k: int) -> date:
    """k calendar months after d0, on d0's day clamped to the month's last day."""
    year, month = d0.year + (d0.month - 1 + k) // 12, (d0.month - 1 + k) % 12 + 1
    return date(year, month, min(d0.day, calendar.monthrange(year, month)[1]))


def days_of(start: date, end: date, day_count: str, *, scheduled: bool) -> int:
    if day_count == "THIRTY_360":
        if scheduled:
            return 30
        return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (min(end.day, 30) - min(start.day, 30))
    return (end - start).days  # ACTUAL_365 and ACTUAL_360 alike with a daily rate


@dataclass(frozen=True)
class Row:
    number: int
    period_start: date
    due_date: date
    principal: int
    interest: int


def schedule(
    *, principal: int, d0: date, n: int, method: str, d: Fraction, day_count: str, mode: str,
    first: int = 1, start: date | None = None,
) -> list[Row]:
    """Installments first..n amortising `principal`; the first period runs from `start`
    (default: the regular start, due date first-1)."""
    periods = []
    begin = start or due(d0, first - 1)
    for k in range(first, n + 1):
        end = due(d0, k)
        periods.append((k, begin, end, days_of(begin, end, day_count, scheduled=begin == due(d0, k - 1))))
        begin = end
    rates = [d * days for (_, _, _, days) in periods]
    factors = [1 + r for r in rates]
    count = len(periods)
    if method == "equal_installment":
        product = Fraction(1)
        for f in factors:
            product *= f
        denominator, term = Fraction(1), Fraction(1)
        for f in reversed(factors[1:]):  # 1 + f_n + f_n f_(n-1) + ... + f_n ... f_2
            term *= f
            denominator += term
        emi = rnd(principal * product / denominator, mode)
    elif method == "equal_principal":
        part = rnd(Fraction(principal, count), mode)
    rows, opening = [], principal
    for index, ((k, p_start, p_end, _), r) in enumerate(zip(periods, rates, strict=True)):
        interest = rnd(opening * r, mode)
        if index == count - 1:
            paid = opening
        elif method == "equal_installment":
            paid = min(max(emi - interest, 0), opening)
        elif method == "equal_principal":
            paid = min(part, opening)
        else:
            paid = 0
        rows.append(Row(k, p_start, p_end, paid, interest))
        opening -= paid
    return rows


# --------------------------------------------------------------------------- the API side


def minor(money: dict[str, str]) -> int:
    assert money["currency"] == "CNY"
    return int(Decimal(money["amount"]) * 100)


def product_with(base: Product, *, day_count: str, rounding: str) -> Product:
    fields = {f.attname: getattr(base, f.attname) for f in Product._meta.concrete_fields if not f.primary_key}
    return Product.objects.create(**{
        **fields, "code": f"formula-{day_count}-{rounding}".lower().replace("_", "-"), "day_count": day_count,
        "rounding": rounding, "allowed_terms": [1, 3, 12, 24],
        "allowed_methods": ["equal_installment", "equal_principal", "interest_only"],
    })


@dataclass
class Case:
    borrower: Borrower
    client: APIClient
    product: Product


def case_for(products: dict[str, Product], *, day_count: str, rounding: str) -> Case:
    product = product_with(products["consumer-revolving"], day_count=day_count, rounding=rounding)
    pin_business_date(date(2026, 1, 15))
    borrower = make_borrower({product.code: product}, code=product.code)
    CreditLine.objects.filter(pk=borrower.line.pk).update(limit_minor=10**12)  # room for the whole grid
    client = APIClient()
    client.credentials(**customer_token(borrower.customer, accounts=[borrower.account], scope="credit").header)
    return Case(borrower, client, product)


def draw(case: Case, *, on: date, rate: str, amount_minor: int, term: int, method: str) -> dict:
    pin_business_date(on)
    CreditLine.objects.filter(pk=case.borrower.line.pk).update(daily_rate=Decimal(rate))
    body = {"amount": {"amount": f"{Decimal(amount_minor) / 100:.2f}", "currency": "CNY"}, "term_months": term,
            "repayment_method": method, "deposit_account_id": case.borrower.account.id}
    response = case.client.post(f"/api/v1/credit-lines/{case.borrower.line.id}/drawdowns", body, format="json",
                                HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 201, response.json()
    loan = response.json()
    assert loan["daily_rate"] == f"{Decimal(rate):.9f}"
    return loan


def api_rows(case: Case, loan_id: str) -> list[dict]:
    response = case.client.get(f"/api/v1/loans/{loan_id}/schedule")
    assert response.status_code == 200
    return list(response.json()["installments"])


def as_rows(rows: list[dict]) -> list[Row]:
    return [Row(r["number"], date.fromisoformat(r["period_start"]), date.fromisoformat(r["due_date"]),
                minor(r["principal"]), minor(r["interest"])) for r in rows]


def terms_of(case: Case) -> dict[str, str]:
    """What the partner reads from the products endpoint: the day count and the rounding mode."""
    body = case.client.get(f"/api/v1/credit-products/{case.product.id}").json()
    return {"day_count": body["day_count"], "mode": body["rounding"]}


@pytest.fixture(autouse=True)
def _release_clock(db):  # type: ignore[no-untyped-def]
    yield
    pin_business_date(None)


# --------------------------------------------------------------------------- the grid

DATES = [date(2026, 1, 31), date(2027, 12, 31), date(2028, 2, 29), date(2026, 1, 15), date(2026, 3, 30)]
RATES = ["0.000123457", "0.00035", "0.000499999", "0.0002", "0.000333333"]
AMOUNTS = [1_234_567, 50_001, 19_999_999, 777_777]
DAY_COUNTS = ["ACTUAL_365", "ACTUAL_360", "THIRTY_360"]
ROUNDINGS = ["ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN"]
# 3 methods x 4 terms over rotating dates, rates and amounts, and one case whose interest is an
# exact half fen under 30/360 (1,234,700 x 0.0005 x 30 = 18,520.5), where the three modes part.
TIE = ("interest_only", 3, date(2026, 1, 15), "0.0005", 1_234_700)
GRID = [
    (method, term, DATES[i % len(DATES)], RATES[i % len(RATES)], AMOUNTS[i % len(AMOUNTS)])
    for i, (method, term) in enumerate(
        (m, t) for m in ("equal_installment", "equal_principal", "interest_only") for t in (1, 3, 12, 24)
    )
] + [TIE]


@pytest.mark.parametrize("day_count", DAY_COUNTS)
@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_schedules_match_the_documented_formulas_to_the_fen(products, day_count, rounding):  # type: ignore[no-untyped-def]
    case = case_for(products, day_count=day_count, rounding=rounding)
    terms = terms_of(case)
    for method, term, on, rate, amount in GRID:
        loan = draw(case, on=on, rate=rate, amount_minor=amount, term=term, method=method)
        got = api_rows(case, loan["id"])
        expected = schedule(principal=amount, d0=on, n=term, method=method, d=Fraction(rate), **terms)
        assert as_rows(got) == expected, (method, term, on, rate, amount)
        assert all(minor(r["total"]) == minor(r["principal"]) + minor(r["interest"]) for r in got)
        assert loan["maturity_date"] == expected[-1].due_date.isoformat()
        if method == "equal_installment" and term > 1:
            assert len({minor(r["total"]) for r in got[:-1]}) == 1  # every installment but the last is E


def test_the_grid_is_not_vacuous():  # type: ignore[no-untyped-def]
    """The modes, day counts and the month arithmetic really give different numbers here."""
    method, n, d0, rate, principal = TIE
    tie = {m: schedule(principal=principal, d0=d0, n=n, method=method, d=Fraction(rate), day_count="THIRTY_360", mode=m)
           for m in ROUNDINGS}
    assert [tie[m][0].interest for m in ROUNDINGS] == [18_521, 18_520, 18_520]
    args = {"principal": 1_234_567, "d0": date(2026, 1, 31), "n": 12, "method": "equal_installment", "d": Fraction("0.000499999")}
    actual = schedule(**args, day_count="ACTUAL_365", mode="ROUND_HALF_UP")
    assert actual != schedule(**args, day_count="THIRTY_360", mode="ROUND_HALF_UP")
    assert actual != schedule(**args, day_count="ACTUAL_365", mode="ROUND_DOWN")
    assert [r.due_date for r in actual[:3]] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


# --------------------------------------------------------------------------- quotes and penalty


def quote(case: Case, loan_id: str, on: date) -> dict:
    response = case.client.get(f"/api/v1/loans/{loan_id}/payoff-quote", {"date": on.isoformat()})
    assert response.status_code == 200, response.json()
    return dict(response.json())


def test_payoff_quote_and_penalty_per_installment(products):  # type: ignore[no-untyped-def]
    # ROUND_DOWN product: interest follows it, penalty is half up whatever the product says.
    case = case_for(products, day_count="ACTUAL_365", rounding="ROUND_DOWN")
    d0, rate, amount = date(2026, 1, 15), "0.000347", 1_234_567
    loan = draw(case, on=d0, rate=rate, amount_minor=amount, term=12, method="equal_installment")
    rows = schedule(principal=amount, d0=d0, n=12, method="equal_installment", d=Fraction(rate), **terms_of(case))
    q, grace = Fraction(loan["penalty_daily_rate"]), case.product.grace_days

    t = date(2026, 4, 20)  # #1..#3 billed (due Feb 15, Mar 15, Apr 15), all past 3 grace days
    billed = [r for r in rows if r.due_date <= t]
    exact = [r.principal * q * (t - r.due_date).days for r in billed]
    penalty = sum(rnd(x, "ROUND_HALF_UP") for x in exact)
    assert penalty != sum(rnd(x, "ROUND_DOWN") for x in exact)  # the modes differ here
    assert penalty != rnd(sum(exact, Fraction(0)), "ROUND_HALF_UP")  # so does rounding the sum once
    not_billed = amount - sum(r.principal for r in billed)
    to_day = rnd(not_billed * Fraction(rate) * (t - billed[-1].due_date).days, "ROUND_DOWN")
    got = quote(case, loan["id"], t)
    assert minor(got["penalty"]) == penalty
    assert minor(got["principal"]) == amount and minor(got["overdue_principal"]) == sum(r.principal for r in billed)
    assert minor(got["overdue_interest"]) == sum(r.interest for r in billed)
    assert minor(got["interest"]) == sum(r.interest for r in billed) + to_day
    assert got["days_accrued"] == (t - billed[-1].due_date).days == 5
    assert minor(got["total"]) == amount + minor(got["interest"]) + penalty

    # On a due date (Mar 15): #2 counts as billed (its whole interest, no interest to the day),
    # #1 is past its grace days (penalty from its due date, 28 days), #2 is not.
    t = date(2026, 3, 15)
    got = quote(case, loan["id"], t)
    assert got["days_accrued"] == 0
    assert minor(got["interest"]) == rows[0].interest + rows[1].interest
    assert minor(got["overdue_interest"]) == rows[0].interest
    assert minor(got["penalty"]) == rnd(rows[0].principal * q * 28, "ROUND_HALF_UP")
    # The last day of grace of #1 (Feb 18) bears no penalty; the day after bears 4 days.
    assert minor(quote(case, loan["id"], date(2026, 2, 15 + grace))["penalty"]) == 0
    assert minor(quote(case, loan["id"], date(2026, 2, 16 + grace))["penalty"]) == rnd(
        rows[0].principal * q * (grace + 1), "ROUND_HALF_UP")


# --------------------------------------------------------------------------- prepayment rebuild


@pytest.mark.parametrize(("day_count", "method"), [
    ("ACTUAL_365", "equal_installment"), ("THIRTY_360", "equal_installment"), ("THIRTY_360", "equal_principal"),
    ("ACTUAL_360", "interest_only"),
])
def test_prepayment_rebuilds_the_remaining_installments_as_documented(products, day_count, method):  # type: ignore[no-untyped-def]
    case = case_for(products, day_count=day_count, rounding="ROUND_HALF_EVEN")
    terms = terms_of(case)
    d0, rate, amount, n = date(2026, 1, 15), "0.000456789", 3_333_333, 12
    loan = draw(case, on=d0, rate=rate, amount_minor=amount, term=n, method=method)
    paid_on = date(2026, 1, 20)  # inside period 1 (to Feb 15): 26 actual days left, 25 under 30E/360
    pin_business_date(paid_on)
    to_day = rnd(amount * Fraction(rate) * (paid_on - d0).days, terms["mode"])
    assert minor(quote(case, loan["id"], paid_on)["interest"]) == to_day
    prepaid = 1_000_000
    response = case.client.post(
        f"/api/v1/loans/{loan['id']}/repayments",
        {"amount": {"amount": f"{Decimal(to_day + prepaid) / 100:.2f}", "currency": "CNY"}},
        format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.json()
    assert minor(response.json()["allocation"]["prepaid_principal"]) == prepaid

    rebuilt = schedule(principal=amount - prepaid, d0=d0, n=n, method=method, d=Fraction(rate), start=paid_on, **terms)
    got = api_rows(case, loan["id"])
    first = got[0]
    assert minor(first["principal_paid"]) == prepaid and minor(first["interest_paid"]) == to_day
    assert as_rows(got) == [
        Row(1, paid_on, rebuilt[0].due_date, rebuilt[0].principal + prepaid, rebuilt[0].interest + to_day),
        *rebuilt[1:],
    ]
    broken = days_of(paid_on, date(2026, 2, 15), day_count, scheduled=False)
    assert broken == (25 if day_count == "THIRTY_360" else 26)
    assert sum(minor(r["principal"]) for r in got) == amount
