"""Tests for apps.lending.calculations (pure money math, no Django needed)."""

from __future__ import annotations

import math
import sys
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

try:  # only touch sys.path if `apps` is not importable as is
    import apps.lending.calculations  # noqa: F401
except ImportError:  # pragma: no cover - depends on how pytest is launched
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.lending.calculations import (
    AccrualStep,
    Allocation,
    DayCount,
    Dues,
    LoanState,
    PayoffQuote,
    RepaymentExceedsOutstanding,
    RepaymentMethod,
    Schedule,
    UnpaidInstallment,
    accrue_daily,
    accrue_interest,
    add_months,
    allocate_repayment,
    build_schedule,
    daily_rate_from_annual,
    day_count_days,
    days_past_due,
    delinquency_bucket,
    payoff_quote,
    penalty_interest,
    reschedule_after_prepayment,
    settle_accrual_carry,
    split_by_shares,
)

EI = RepaymentMethod.EQUAL_INSTALLMENT
EP = RepaymentMethod.EQUAL_PRINCIPAL
IO = RepaymentMethod.INTEREST_ONLY

FAST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUICK = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rows(schedule: Schedule, *fields: str) -> list[tuple]:
    return [tuple(getattr(i, f) for f in fields) for i in schedule.installments]


# =========================================================================== Fineract reference


def test_fineract_reference_9_4822_percent_30_360():
    """Fineract ProgressiveEMICalculatorTest: 100.00, 9.4822 %, DAYS_360 / DAYS_30, 6 months."""
    s = build_schedule(
        principal_minor=10000,
        disbursement_date=date(2024, 1, 1),
        term_months=6,
        method=EI,
        annual_rate=Decimal("0.094822"),
        day_count=DayCount.THIRTY_360,
    )
    assert s.level_payment_minor == 1713
    # Fineract's expected (emi, interest, principal, balance) per period; the last is 17.13 too.
    assert rows(s, "total_minor", "interest_minor", "principal_minor", "closing_principal_minor") == [
        (1713, 79, 1634, 8366),
        (1713, 66, 1647, 6719),
        (1713, 53, 1660, 5059),
        (1713, 40, 1673, 3386),
        (1713, 27, 1686, 1700),
        (1713, 13, 1700, 0),
    ]
    assert [i.days for i in s.installments] == [30] * 6


def test_fineract_reference_15_678_percent_actual_365():
    """Fineract test_emiAdjustment_newCalculatedEmiNotBetterThanOriginal: 100.00, 15.678 %,
    DAYS_365 / ACTUAL, disbursed 2024-01-01 -> 17.43 x 5 and 17.47 last."""
    s = build_schedule(
        principal_minor=10000,
        disbursement_date=date(2024, 1, 1),
        term_months=6,
        method=EI,
        annual_rate=Decimal("0.15678"),
        day_count=DayCount.ACTUAL_365,
    )
    assert s.level_payment_minor == 1743
    assert rows(s, "due_date", "days", "total_minor", "interest_minor", "principal_minor",
                "closing_principal_minor") == [
        (date(2024, 2, 1), 31, 1743, 133, 1610, 8390),
        (date(2024, 3, 1), 29, 1743, 105, 1638, 6752),
        (date(2024, 4, 1), 31, 1743, 90, 1653, 5099),
        (date(2024, 5, 1), 30, 1743, 66, 1677, 3422),
        (date(2024, 6, 1), 31, 1743, 46, 1697, 1725),
        (date(2024, 7, 1), 30, 1747, 22, 1725, 0),
    ]


def test_fineract_reference_9_4822_actual_365_emi():
    """Fineract: same loan under DAYS_365 / ACTUAL also gives an EMI of 17.13."""
    s = build_schedule(
        principal_minor=10000,
        disbursement_date=date(2024, 1, 1),
        term_months=6,
        method=EI,
        annual_rate=Decimal("0.094822"),
    )
    assert s.level_payment_minor == 1713
    assert s.installments[-1].total_minor == 1712


@pytest.mark.parametrize("rounding", [ROUND_HALF_UP, ROUND_HALF_EVEN])
def test_fineract_references_do_not_depend_on_half_rounding_mode(rounding):
    a = build_schedule(principal_minor=10000, disbursement_date=date(2024, 1, 1), term_months=6,
                       method=EI, annual_rate=Decimal("0.15678"), rounding=rounding)
    assert [i.total_minor for i in a.installments] == [1743] * 5 + [1747]


# =========================================================================== independent implementation


def _half_up(x: Fraction) -> int:
    """Round half up (away from zero for x >= 0) - written independently of decimal."""
    assert x >= 0
    return math.floor(x + Fraction(1, 2))


def _month_end(y: int, m: int) -> int:
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


def _due_dates(d0: date, n: int) -> list[date]:
    out = []
    for k in range(1, n + 1):
        y = d0.year + (d0.month - 1 + k) // 12
        m = (d0.month - 1 + k) % 12 + 1
        out.append(date(y, m, min(d0.day, _month_end(y, m))))
    return out


def reference_schedule(principal: int, d0: date, n: int, method, annual: Fraction, day_count):
    """Exact-rational re-implementation. EMI found by linearity of the final balance in E:
    B_n(E) = B_n(0) - E * A_n, with b_k = b_(k-1)*(1+r_k) - E."""
    dues = _due_dates(d0, n)
    starts = [d0] + dues[:-1]
    if day_count is DayCount.THIRTY_360:
        rates = [annual / 12] * n
    else:
        yd = 365 if day_count is DayCount.ACTUAL_365 else 360
        rates = [annual * (e - s).days / yd for s, e in zip(starts, dues, strict=True)]
    emi = None
    if method is EI:
        b0, a = Fraction(principal), Fraction(0)
        for r in rates:
            b0 = b0 * (1 + r)
            a = a * (1 + r) + 1
        emi = _half_up(b0 / a)
    out, bal = [], principal
    for k, r in enumerate(rates):
        interest = _half_up(bal * r)
        if k == n - 1:
            p = bal
        elif method is EI:
            p = min(max(emi - interest, 0), bal)
        elif method is EP:
            p = min(_half_up(Fraction(principal, n)), bal)
        else:
            p = 0
        out.append((dues[k], p, interest))
        bal -= p
    return emi, out


def test_closed_form_annuity_30_360():
    """30/360: every period rate is annual/12, so EMI = P r / (1 - (1+r)^-n)."""
    for principal, annual, n in [(10000, "0.094822", 6), (1_000_000, "0.18", 12), (5_000_000, "0.0435", 36),
                                 (123_456, "0.24", 5), (20_000_000, "0.0001", 20)]:
        r = Fraction(Decimal(annual)) / 12
        emi = _half_up(principal * r / (1 - (1 + r) ** -n))
        s = build_schedule(principal_minor=principal, disbursement_date=date(2023, 5, 17), term_months=n,
                           method=EI, annual_rate=Decimal(annual), day_count=DayCount.THIRTY_360)
        assert s.level_payment_minor == emi
        assert all(i.total_minor == emi for i in s.installments[:-1])


rate_st = st.integers(min_value=0, max_value=360_000).map(lambda x: Decimal(x).scaleb(-6))  # 0..36 %
date_st = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
principal_st = st.integers(min_value=50_000, max_value=20_000_000)
term_st = st.integers(min_value=3, max_value=36)
method_st = st.sampled_from(list(RepaymentMethod))
day_count_st = st.sampled_from(list(DayCount))


@FAST
@given(principal=principal_st, annual=rate_st, n=term_st, d0=date_st, method=method_st, dc=day_count_st)
def test_matches_independent_rational_implementation(principal, annual, n, d0, method, dc):
    s = build_schedule(principal_minor=principal, disbursement_date=d0, term_months=n, method=method,
                       annual_rate=annual, day_count=dc)
    emi, expected = reference_schedule(principal, d0, n, method, Fraction(annual), dc)
    assert s.level_payment_minor == emi
    assert rows(s, "due_date", "principal_minor", "interest_minor") == expected


# =========================================================================== hand-checked examples


def test_equal_principal_hand_checked_30_360():
    s = build_schedule(principal_minor=300_000, disbursement_date=date(2024, 1, 10), term_months=3,
                       method=EP, annual_rate=Decimal("0.12"), day_count=DayCount.THIRTY_360)
    # r = 1 % a month on the declining balance 3000, 2000, 1000 CNY.
    assert rows(s, "principal_minor", "interest_minor", "total_minor") == [
        (100_000, 3_000, 103_000),
        (100_000, 2_000, 102_000),
        (100_000, 1_000, 101_000),
    ]
    assert s.level_payment_minor is None


def test_equal_principal_hand_checked_daily_rate_with_month_end_clamping():
    s = build_schedule(principal_minor=100_000, disbursement_date=date(2024, 1, 31), term_months=3,
                       method=EP, daily_rate=Decimal("0.0005"))
    # Jan 31 -> Feb 29 (29 d) -> Mar 31 (31 d) -> Apr 30 (30 d); 1000.00/3 -> 333.33, last absorbs.
    assert rows(s, "due_date", "days", "principal_minor", "interest_minor") == [
        (date(2024, 2, 29), 29, 33_333, 1_450),  # 100000 * .0005 * 29
        (date(2024, 3, 31), 31, 33_333, 1_033),  # 66667 * .0005 * 31 = 1033.3385
        (date(2024, 4, 30), 30, 33_334, 500),  # 33334 * .0005 * 30 = 500.01
    ]


def test_interest_only_hand_checked():
    s = build_schedule(principal_minor=1_000_000, disbursement_date=date(2024, 3, 15), term_months=3,
                       method=IO, annual_rate=Decimal("0.073"))
    # 7.3 % / 365 = 0.02 % a day on 10,000.00 = 2.00 CNY a day.
    assert rows(s, "days", "principal_minor", "interest_minor", "total_minor") == [
        (31, 0, 6_200, 6_200),
        (30, 0, 6_000, 6_000),
        (31, 1_000_000, 6_200, 1_006_200),
    ]


def test_actual_360_uses_360_day_year():
    s = build_schedule(principal_minor=360_000, disbursement_date=date(2024, 4, 1), term_months=3,
                       method=IO, annual_rate=Decimal("0.10"), day_count=DayCount.ACTUAL_360)
    assert [i.interest_minor for i in s.installments] == [3_000, 3_100, 3_000]  # 30, 31, 30 days


def test_zero_rate_equal_installment_is_straight_line():
    s = build_schedule(principal_minor=100_000, disbursement_date=date(2024, 1, 1), term_months=3,
                       method=EI, annual_rate=Decimal(0))
    assert rows(s, "principal_minor", "interest_minor") == [(33_333, 0), (33_333, 0), (33_334, 0)]


def test_add_months_clamps_using_original_day():
    d0 = date(2023, 1, 31)
    assert [add_months(d0, k) for k in range(1, 4)] == [date(2023, 2, 28), date(2023, 3, 31), date(2023, 4, 30)]
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)


def test_day_count_days_30e_360():
    assert day_count_days(date(2024, 1, 31), date(2024, 2, 29), DayCount.THIRTY_360) == 29
    assert day_count_days(date(2024, 1, 15), date(2024, 3, 31), DayCount.THIRTY_360) == 75
    assert day_count_days(date(2024, 1, 15), date(2024, 3, 31), DayCount.ACTUAL_365) == 76
    with pytest.raises(ValueError):
        day_count_days(date(2024, 2, 1), date(2024, 1, 1))


def test_daily_rate_from_annual():
    assert daily_rate_from_annual(Decimal("0.073")) == Decimal("0.0002")
    assert daily_rate_from_annual(Decimal("0.18"), DayCount.ACTUAL_360) == Decimal("0.0005")


def test_validation():
    kw = dict(principal_minor=10000, disbursement_date=date(2024, 1, 1), term_months=6, method=EI)
    with pytest.raises(ValueError):
        build_schedule(**kw)  # no rate
    with pytest.raises(ValueError):
        build_schedule(**kw, annual_rate=Decimal("0.1"), daily_rate=Decimal("0.0003"))
    with pytest.raises(TypeError):
        build_schedule(**kw, annual_rate=0.1)  # floats refused
    with pytest.raises(TypeError):
        build_schedule(**{**kw, "principal_minor": 100.0}, annual_rate=Decimal("0.1"))
    with pytest.raises(ValueError):
        build_schedule(**kw, annual_rate=Decimal("-0.1"))
    with pytest.raises(ValueError):
        build_schedule(**kw, annual_rate=Decimal("0.1"), rounding="bogus")


def test_results_do_not_depend_on_callers_decimal_context():
    import decimal

    kw = dict(principal_minor=20_000_000, disbursement_date=date(2024, 1, 1), term_months=36, method=EI,
              annual_rate=Decimal("0.15678"))
    expected = build_schedule(**kw)
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.rounding = 4, decimal.ROUND_FLOOR
        assert build_schedule(**kw) == expected
        assert accrue_interest(principal_minor=20_000_000, daily_rate=Decimal("0.0005"), days=31) == 310_000


def test_module_imports_only_the_standard_library():
    import ast

    import apps.lending.calculations as mod

    tree = ast.parse(Path(mod.__file__).read_text())
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert names <= set(sys.stdlib_module_names) | {"__future__"}, names


# =========================================================================== schedule properties


def check_schedule_invariants(s: Schedule) -> None:
    assert sum(i.principal_minor for i in s.installments) == s.principal_minor
    prev_close, prev_due = s.principal_minor, None
    for i in s.installments:
        for name in ("days", "principal_minor", "interest_minor", "total_minor",
                     "opening_principal_minor", "closing_principal_minor"):
            v = getattr(i, name)
            assert type(v) is int and v >= 0, (name, v)
        assert i.opening_principal_minor == prev_close
        assert i.closing_principal_minor == i.opening_principal_minor - i.principal_minor
        assert i.total_minor == i.principal_minor + i.interest_minor
        assert i.period_end == i.due_date and i.period_start < i.due_date
        if prev_due is not None:
            assert i.period_start == prev_due and i.due_date > prev_due
        prev_close, prev_due = i.closing_principal_minor, i.due_date
    assert s.installments[-1].closing_principal_minor == 0


@FAST
@given(principal=principal_st, n=term_st, d0=date_st, method=method_st, dc=day_count_st,
       annual=rate_st, daily=st.integers(0, 1_000).map(lambda x: Decimal(x).scaleb(-6)),
       use_daily=st.booleans(), rounding=st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN]))
def test_schedule_properties(principal, n, d0, method, dc, annual, daily, use_daily, rounding):
    rate = {"daily_rate": daily} if use_daily else {"annual_rate": annual}
    s = build_schedule(principal_minor=principal, disbursement_date=d0, term_months=n, method=method,
                       day_count=dc, rounding=rounding, **rate)
    assert len(s.installments) == n
    check_schedule_invariants(s)
    for k, i in enumerate(s.installments, start=1):
        assert i.number == k
        assert i.due_date == add_months(d0, k)
        assert i.due_date.day == min(d0.day, _month_end(i.due_date.year, i.due_date.month))
    if method is EI:
        assert all(i.total_minor == s.level_payment_minor for i in s.installments[:-1])
        assert abs(s.installments[-1].total_minor - s.level_payment_minor) <= n
    elif method is IO:
        assert all(i.principal_minor == 0 for i in s.installments[:-1])


# =========================================================================== accrual


def test_accrue_interest_and_penalty():
    assert accrue_interest(principal_minor=1_000_000, daily_rate=Decimal("0.0005"), days=30) == 15_000
    assert accrue_interest(principal_minor=333, daily_rate=Decimal("0.0005"), days=3) == 0  # 0.4995
    assert accrue_interest(principal_minor=1000, daily_rate=Decimal("0.0005"), days=1) == 1  # 0.5 half up
    assert accrue_interest(principal_minor=1000, daily_rate=Decimal("0.0005"), days=1,
                           rounding=ROUND_HALF_EVEN) == 0
    assert penalty_interest(overdue_principal_minor=33_333, penalty_daily_rate=Decimal("0.00075"),
                            days=10) == 250  # 249.9975


def test_daily_accrual_carries_fractions():
    step = accrue_daily(principal_minor=1_000, daily_rate=Decimal("0.0003"))  # 0.3 fen a day
    assert step == AccrualStep(posted_minor=0, carry=Decimal("0.3"))
    posted, carry = [], Decimal(0)
    for _ in range(10):
        step = accrue_daily(principal_minor=1_000, daily_rate=Decimal("0.0003"), carry=carry)
        posted.append(step.posted_minor)
        carry = step.carry
    # running exact 0.3, 0.6, 0.9, 1.2 -> post 1, carry 0.2, 0.5, 0.8, 1.1 -> post 1, ...
    assert posted == [0, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    assert carry == 0


@example(principal=5_000_000, daily=Decimal("1E-7"), days=3, rounding=ROUND_HALF_EVEN)  # 1.5 fen: banker's 2
@FAST
@given(principal=st.integers(0, 20_000_000), daily=st.integers(0, 2_000).map(lambda x: Decimal(x).scaleb(-7)),
       days=st.integers(0, 62), rounding=st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN]))
def test_daily_accrual_sum_matches_period_interest(principal, daily, days, rounding):
    carry, total = Decimal(0), 0
    for _ in range(days):
        step = accrue_daily(principal_minor=principal, daily_rate=daily, carry=carry)
        assert step.posted_minor >= 0 and 0 <= step.carry < 1
        total, carry = total + step.posted_minor, step.carry
    period = accrue_interest(principal_minor=principal, daily_rate=daily, days=days, rounding=rounding)
    assert 0 <= period - total <= 1  # daily postings never over-accrue, lag by < 1 fen
    assert total + settle_accrual_carry(carry, rounding, posted_minor=total) == period  # exact after closing post


# =========================================================================== delinquency


@pytest.mark.parametrize("dpd,bucket", [(0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"),
                                        (61, "61-90"), (90, "61-90"), (91, "90+"), (400, "90+")])
def test_delinquency_bucket(dpd, bucket):
    assert delinquency_bucket(dpd) == bucket


def test_days_past_due():
    assert days_past_due(oldest_unpaid_due_date=None, as_of=date(2024, 5, 1)) == 0
    assert days_past_due(oldest_unpaid_due_date=date(2024, 5, 2), as_of=date(2024, 5, 1)) == 0
    assert days_past_due(oldest_unpaid_due_date=date(2024, 5, 1), as_of=date(2024, 5, 1)) == 0
    assert days_past_due(oldest_unpaid_due_date=date(2024, 3, 1), as_of=date(2024, 5, 1)) == 61
    with pytest.raises(ValueError):
        delinquency_bucket(-1)


# =========================================================================== payoff


def _state_with_overdue() -> LoanState:
    return LoanState(
        outstanding_principal_minor=100_000,
        last_accrual_date=date(2024, 3, 1),
        daily_rate=Decimal("0.0005"),
        penalty_daily_rate=Decimal("0.00075"),
        unpaid_installments=(
            UnpaidInstallment(number=2, due_date=date(2024, 3, 1), principal_due_minor=33_333,
                              interest_due_minor=1_033, interest_paid_minor=33),
            # not yet due on the quote date: ignored (principal is in the outstanding, interest accrues)
            UnpaidInstallment(number=3, due_date=date(2024, 4, 1), principal_due_minor=33_334,
                              interest_due_minor=500),
        ),
    )


def test_payoff_quote_hand_checked():
    q = payoff_quote(state=_state_with_overdue(), as_of=date(2024, 3, 11))
    # accrued: 66667 * .0005 * 10 = 333.335 -> 333; penalty: 33333 * .00075 * 10 = 249.9975 -> 250
    assert q == PayoffQuote(principal_minor=100_000, interest_minor=1_000 + 333, penalty_minor=250,
                            total_minor=101_583, overdue_principal_minor=33_333, overdue_interest_minor=1_000,
                            accrued_interest_minor=333, days_accrued=10)
    assert q.as_dues().total_minor == q.total_minor
    a = allocate_repayment(amount_minor=q.total_minor, dues=q.as_dues())
    assert a.remaining.total_minor == 0 and a.unallocated_minor == 0


def test_payoff_quote_clean_loan_and_penalty_already_paid():
    clean = LoanState(outstanding_principal_minor=500_000, last_accrual_date=date(2024, 6, 15),
                      daily_rate=Decimal("0.0002"))
    q = payoff_quote(state=clean, as_of=date(2024, 6, 30))
    assert (q.principal_minor, q.interest_minor, q.penalty_minor, q.total_minor) == (500_000, 1_500, 0, 501_500)
    same_day = payoff_quote(state=clean, as_of=date(2024, 6, 15))
    assert same_day.total_minor == 500_000
    st_ = _state_with_overdue()
    paid = LoanState(**{**st_.__dict__, "unpaid_installments": (
        UnpaidInstallment(number=2, due_date=date(2024, 3, 1), principal_due_minor=33_333,
                          interest_due_minor=1_033, interest_paid_minor=33, penalty_paid_minor=100),)})
    assert payoff_quote(state=paid, as_of=date(2024, 3, 11)).penalty_minor == 150
    with pytest.raises(ValueError):
        payoff_quote(state=clean, as_of=date(2024, 6, 14))


# =========================================================================== allocation


def test_allocation_order_hand_checked():
    dues = Dues(penalty_minor=250, overdue_interest_minor=1_000, overdue_principal_minor=33_333,
                current_interest_minor=333, current_principal_minor=0, prepayable_principal_minor=66_667)
    a = allocate_repayment(amount_minor=1_500, dues=dues)
    assert (a.penalty_minor, a.overdue_interest_minor, a.overdue_principal_minor, a.current_interest_minor,
            a.current_principal_minor, a.prepayable_principal_minor, a.unallocated_minor) == (
        250, 1_000, 250, 0, 0, 0, 0)
    assert a.remaining == Dues(overdue_principal_minor=33_083, current_interest_minor=333,
                               prepayable_principal_minor=66_667)
    b = allocate_repayment(amount_minor=35_000, dues=dues)
    assert (b.overdue_principal_minor, b.current_interest_minor, b.prepayable_principal_minor) == (33_333, 333, 84)
    with pytest.raises(RepaymentExceedsOutstanding) as exc:
        allocate_repayment(amount_minor=dues.total_minor + 1, dues=dues)
    assert exc.value.outstanding_minor == dues.total_minor
    c = allocate_repayment(amount_minor=dues.total_minor + 1, dues=dues, allow_excess=True)
    assert c.unallocated_minor == 1 and c.remaining.total_minor == 0
    assert isinstance(c, Allocation)


dues_st = st.builds(Dues, *[st.integers(0, 5_000_000) for _ in range(6)])


@FAST
@given(dues=dues_st, payments=st.lists(st.integers(0, 6_000_000), min_size=1, max_size=8),
       allow_excess=st.booleans())
def test_repayment_sequences_conserve_money(dues, payments, allow_excess):
    owed = dues
    for amount in payments:
        before = owed.total_minor
        if amount > before and not allow_excess:
            with pytest.raises(RepaymentExceedsOutstanding):
                allocate_repayment(amount_minor=amount, dues=owed)
            continue
        a = allocate_repayment(amount_minor=amount, dues=owed, allow_excess=allow_excess)
        assert a.allocated_minor + a.unallocated_minor == amount  # no fen created or lost
        assert a.remaining.total_minor == before - a.allocated_minor
        for name in ("penalty_minor", "overdue_interest_minor", "overdue_principal_minor",
                     "current_interest_minor", "current_principal_minor", "prepayable_principal_minor"):
            assert 0 <= getattr(a.remaining, name) <= getattr(owed, name)
            assert getattr(a, name) >= 0
        assert a.unallocated_minor == max(0, amount - before)
        owed = a.remaining


# =========================================================================== prepayment


def test_reschedule_keeps_term_and_dates_and_lowers_installment():
    s = build_schedule(principal_minor=1_200_000, disbursement_date=date(2024, 1, 31), term_months=12,
                       method=EI, annual_rate=Decimal("0.1825"))
    r = reschedule_after_prepayment(schedule=s, installments_settled=3, prepayment_minor=300_000)
    assert [i.number for i in r.installments] == list(range(4, 13))
    assert [i.due_date for i in r.installments] == [i.due_date for i in s.installments[3:]]
    assert r.principal_minor == s.installments[2].closing_principal_minor - 300_000
    assert r.level_payment_minor < s.level_payment_minor
    assert r.installments[0].period_start == s.installments[2].due_date
    check_schedule_invariants(r)
    # identical to a fresh annuity over the same remaining periods (independent check)
    b0, a = Fraction(r.principal_minor), Fraction(0)
    for i in r.installments:
        f = 1 + Fraction(Decimal("0.1825")) * i.days / 365
        b0, a = b0 * f, a * f + 1
    assert r.level_payment_minor == _half_up(b0 / a)


def test_reschedule_mid_period_prepayment_and_equal_principal():
    s = build_schedule(principal_minor=600_000, disbursement_date=date(2024, 1, 10), term_months=6,
                       method=EP, daily_rate=Decimal("0.0005"))
    r = reschedule_after_prepayment(schedule=s, installments_settled=2, prepayment_minor=100_000,
                                    prepayment_date=date(2024, 3, 20))
    first = r.installments[0]
    assert (first.period_start, first.due_date, first.days) == (date(2024, 3, 20), date(2024, 4, 10), 21)
    assert r.principal_minor == 300_000
    assert [i.principal_minor for i in r.installments] == [75_000] * 4
    assert first.interest_minor == 3_150  # 300000 * .0005 * 21
    check_schedule_invariants(r)
    # chained reschedule on the rebuilt schedule works with the original numbering
    r2 = reschedule_after_prepayment(schedule=r, installments_settled=3, prepayment_minor=50_000)
    assert [i.number for i in r2.installments] == [4, 5, 6]
    check_schedule_invariants(r2)
    with pytest.raises(ValueError):
        reschedule_after_prepayment(schedule=s, installments_settled=2, prepayment_minor=400_000)
    with pytest.raises(ValueError):
        reschedule_after_prepayment(schedule=s, installments_settled=2, prepayment_minor=1,
                                    prepayment_date=date(2024, 4, 10))
    with pytest.raises(ValueError):
        reschedule_after_prepayment(schedule=s, installments_settled=6, prepayment_minor=1)


@QUICK
@given(principal=principal_st, annual=rate_st, n=term_st, d0=date_st, method=method_st, dc=day_count_st,
       data=st.data())
def test_reschedule_properties(principal, annual, n, d0, method, dc, data):
    s = build_schedule(principal_minor=principal, disbursement_date=d0, term_months=n, method=method,
                       annual_rate=annual, day_count=dc)
    k = data.draw(st.integers(0, n - 1), label="settled")
    balance = principal if k == 0 else s.installments[k - 1].closing_principal_minor
    if balance < 2:
        return
    pre = data.draw(st.integers(1, balance - 1), label="prepayment")
    start = d0 if k == 0 else s.installments[k - 1].due_date
    offset = data.draw(st.integers(0, (s.installments[k].due_date - start).days - 1), label="offset")
    r = reschedule_after_prepayment(schedule=s, installments_settled=k, prepayment_minor=pre,
                                    prepayment_date=start + timedelta(days=offset))
    assert len(r.installments) == n - k
    assert [i.due_date for i in r.installments] == [i.due_date for i in s.installments[k:]]
    assert r.principal_minor == balance - pre
    check_schedule_invariants(r)


# =========================================================================== split by shares


def test_split_by_shares_examples():
    assert split_by_shares(amount_minor=100, shares=[("bank", Decimal("0.3")), ("partner", Decimal("0.7"))]) == {
        "bank": 30, "partner": 70}
    third = Decimal(1) / 3
    assert split_by_shares(amount_minor=100, shares=[("a", third), ("b", third), ("c", 1 - 2 * third)]) == {
        "a": 33, "b": 33, "c": 34}
    # tie on remainders -> earlier key wins
    assert split_by_shares(amount_minor=1, shares=[("x", Decimal("0.5")), ("y", Decimal("0.5"))]) == {"x": 1, "y": 0}
    assert split_by_shares(amount_minor=1, shares=[("y", Decimal("0.5")), ("x", Decimal("0.5"))]) == {"y": 1, "x": 0}
    with pytest.raises(ValueError):
        split_by_shares(amount_minor=100, shares=[("a", Decimal("0.3")), ("b", Decimal("0.6"))])
    with pytest.raises(ValueError):
        split_by_shares(amount_minor=100, shares=[("a", Decimal("0.3")), ("a", Decimal("0.7"))])
    with pytest.raises(ValueError):
        split_by_shares(amount_minor=100, shares=[("a", Decimal("1.3")), ("b", Decimal("-0.3"))])
    with pytest.raises(TypeError):
        split_by_shares(amount_minor=100, shares=[("a", 0.5), ("b", 0.5)])


@st.composite
def shares_st(draw):
    weights = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=6).filter(lambda w: sum(w) > 0))
    total = sum(weights)
    # Decimal shares with up to 27 decimal places (a share of exactly 1 then still fits the
    # default 28-digit context) that sum to exactly 1 (the last absorbs the rest)
    parts = [(Decimal(w) / Decimal(total)).quantize(Decimal(10) ** -draw(st.integers(1, 27)))
             for w in weights[:-1]]
    last = Decimal(1) - sum(parts)
    if last < 0:
        parts, last = [Decimal(0)] * len(parts), Decimal(1)
    return [(f"k{i}", p) for i, p in enumerate(parts + [last])]


@FAST
@given(amount=st.integers(0, 10**12), shares=shares_st())
def test_split_by_shares_properties(amount, shares):
    out = split_by_shares(amount_minor=amount, shares=shares)
    assert list(out) == [k for k, _ in shares]
    assert sum(out.values()) == amount
    for k, s in shares:
        assert type(out[k]) is int and out[k] >= 0
        assert abs(out[k] - amount * Fraction(s)) < 1
