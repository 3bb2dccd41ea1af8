"""Pure money math for the lending domain (no Django, standard library only).

Conventions
===========
* Money crosses every public boundary as ``int`` minor units (fen, 1/100 CNY).
  Inside, arithmetic is done with :class:`decimal.Decimal` in a private context
  (34 significant digits, ROUND_HALF_EVEN for *intermediate* results, so the
  caller's thread-local decimal context never changes a result).  A value is
  turned back into whole fen in exactly one place, :func:`_to_fen`, and the
  rounding mode is always passed explicitly (the ``rounding`` argument of the
  public function, or ROUND_DOWN / ROUND_HALF_EVEN where the docstring says so).
  Floats are refused (``TypeError``) wherever a rate or an amount is accepted.
* Rates are ``Decimal`` fractions, never percentages: ``Decimal("0.0005")`` is
  0.05 % per day, ``Decimal("0.15678")`` is 15.678 % a year (nominal).
* Monthly due dates: installment *k* is due *k* calendar months after the
  disbursement, on the disbursement's day of month, clamped to the month end
  and always computed from the ORIGINAL day (Jan 31 -> Feb 29 -> Mar 31).

Day-count conventions (:class:`DayCount`)
-----------------------------------------
* ``ACTUAL_365`` (default): actual days; annual rate / 365 per day.
* ``ACTUAL_360``: actual days; annual rate / 360 per day.
* ``THIRTY_360``: every *scheduled* monthly period counts 30 days, so its rate
  is exactly annual / 12 (this is Fineract's DaysInYear=360 / DaysInMonth=30).
  Any other interval (a broken period after a mid-period prepayment, or
  :func:`day_count_days`) uses European **30E/360** (Eurobond basis, ISDA 2006
  4.16(g)): D1 = min(D1, 30), D2 = min(D2, 30), days = 360*dY + 30*dM + dD.
  Note 30E/360 counts Jan 31 -> Feb 28 as 28 days while the schedule counts
  that whole month as 30.

If a ``daily_rate`` is given instead of an ``annual_rate`` it is used as is:
a period's rate is ``daily_rate * days`` where ``days`` is the period's day
count as above (actual days for the ACTUAL_* conventions, 30 for THIRTY_360).

How EQUAL_INSTALLMENT (annuity, 等额本息) is computed
---------------------------------------------------
This follows Apache Fineract's *progressive* loan (ProgressiveEMICalculator):

1. Each period k gets its own simple-interest rate ``r_k`` from its day count
   (actual/365: ``annual * days_k / 365``; 30/360: ``annual / 12``), and a
   rate factor ``f_k = 1 + r_k``.  Periods of unequal length (28..31 days)
   therefore have unequal rates.
2. The level payment E is the one that amortises the principal exactly under
   those per-period rates (no rounding)::

       E = P * f_1 * f_2 * ... * f_n / (1 + f_n + f_n*f_(n-1) + ... + f_n*...*f_2)

   which reduces to the textbook ``P*r/(1-(1+r)^-n)`` when all r_k are equal.
   E is then rounded to the fen with ``rounding``.
3. Period by period: ``interest_k = round(opening_k * r_k)`` (same rounding),
   ``principal_k = E - interest_k``; the LAST installment takes whatever
   principal is left (so principal parts sum exactly to P) plus its interest,
   so the last payment differs slightly from E.

Reference figures (from Fineract's own unit tests) reproduced by this code:
100.00 at 9.4822 % / 30-360 / 6 months -> 17.13 x 6 (the last is 17.13 too);
100.00 at 15.678 % / actual-365 / 6 months disbursed 2024-01-01 ->
17.43 x 5 and a last installment of 17.47.
"""

from __future__ import annotations

import calendar
import enum
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    localcontext,
)
from fractions import Fraction

__all__ = [
    "DayCount",
    "RepaymentMethod",
    "Installment",
    "Schedule",
    "AccrualStep",
    "UnpaidInstallment",
    "LoanState",
    "PayoffQuote",
    "Dues",
    "Allocation",
    "RepaymentExceedsOutstanding",
    "add_months",
    "day_count_days",
    "daily_rate_from_annual",
    "build_schedule",
    "accrue_interest",
    "accrue_daily",
    "settle_accrual_carry",
    "penalty_interest",
    "payoff_quote",
    "allocate_repayment",
    "reschedule_after_prepayment",
    "days_past_due",
    "delinquency_bucket",
    "split_by_shares",
]

# Private arithmetic context: independent of the caller's decimal context.
_CTX = Context(prec=34, rounding=ROUND_HALF_EVEN)
_ZERO = Decimal(0)
_ONE = Decimal(1)
_ROUNDINGS = frozenset(
    {ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_HALF_DOWN, ROUND_DOWN, ROUND_UP, ROUND_FLOOR, ROUND_CEILING}
)


class DayCount(enum.Enum):
    """Day-count convention (see module docstring for the exact rules)."""

    ACTUAL_365 = "ACTUAL_365"
    ACTUAL_360 = "ACTUAL_360"
    THIRTY_360 = "THIRTY_360"  # 30 days per scheduled month; 30E/360 otherwise

    @property
    def days_in_year(self) -> int:
        return 365 if self is DayCount.ACTUAL_365 else 360


class RepaymentMethod(enum.Enum):
    EQUAL_INSTALLMENT = "EQUAL_INSTALLMENT"  # 等额本息, annuity
    EQUAL_PRINCIPAL = "EQUAL_PRINCIPAL"  # 等额本金
    INTEREST_ONLY = "INTEREST_ONLY"  # 先息后本: interest monthly, principal at the end


class RepaymentExceedsOutstanding(ValueError):
    """A repayment larger than everything owed was offered and excess was not allowed."""

    def __init__(self, amount_minor: int, outstanding_minor: int) -> None:
        self.amount_minor = amount_minor
        self.outstanding_minor = outstanding_minor
        super().__init__(
            f"repayment of {amount_minor} exceeds total outstanding {outstanding_minor} (minor units)"
        )


# --------------------------------------------------------------------------- helpers


def _check_int(name: str, value: object, *, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int (minor units), got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _check_rate(name: str, value: object) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a decimal.Decimal, got {type(value).__name__}")
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a finite, non-negative Decimal, got {value}")
    return value


def _check_rounding(rounding: str) -> str:
    if rounding not in _ROUNDINGS:
        raise ValueError(f"unsupported rounding mode {rounding!r}")
    return rounding


def _to_fen(value: Decimal, rounding: str) -> int:
    """Round a Decimal amount expressed in fen to a whole number of fen."""
    return int(value.quantize(_ONE, rounding=rounding, context=_CTX))


def add_months(start: date, months: int) -> date:
    """``start`` moved by ``months`` calendar months, day clamped to the month end.

    Always derive every due date from the disbursement date (``add_months(d0, k)``)
    rather than chaining, so that Jan 31 -> Feb 29 -> Mar 31 keeps the 31st.
    """
    index = start.month - 1 + months
    year, month0 = divmod(index, 12)
    year += start.year
    month = month0 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def day_count_days(start: date, end: date, day_count: DayCount = DayCount.ACTUAL_365) -> int:
    """Days between two dates under a convention (THIRTY_360 = European 30E/360)."""
    if end < start:
        raise ValueError("end must not be before start")
    if day_count is DayCount.THIRTY_360:
        d1 = min(start.day, 30)
        d2 = min(end.day, 30)
        return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)
    return (end - start).days


def daily_rate_from_annual(annual_rate: Decimal, day_count: DayCount = DayCount.ACTUAL_365) -> Decimal:
    """Annual nominal rate -> daily rate (annual/365 for ACTUAL_365, annual/360 otherwise).

    Not rounded (34 significant digits), so accruals built on it stay exact enough.
    """
    _check_rate("annual_rate", annual_rate)
    return _CTX.divide(annual_rate, Decimal(day_count.days_in_year))


def _period_rate(
    *, days: int, day_count: DayCount, annual_rate: Decimal | None, daily_rate: Decimal | None
) -> Decimal:
    with localcontext(_CTX):
        if daily_rate is not None:
            return daily_rate * days
        assert annual_rate is not None
        return annual_rate * days / day_count.days_in_year


# --------------------------------------------------------------------------- schedule


@dataclass(frozen=True)
class Installment:
    number: int
    due_date: date
    period_start: date
    period_end: date  # == due_date
    days: int  # days of the period under the schedule's day count
    principal_minor: int
    interest_minor: int
    total_minor: int
    opening_principal_minor: int
    closing_principal_minor: int


@dataclass(frozen=True)
class Schedule:
    """A repayment schedule.

    ``principal_minor`` is the principal amortised by ``installments`` (for a
    schedule rebuilt after a prepayment it is the new outstanding principal and
    the installments start at ``installments[0].number`` > 1).
    ``disbursement_date`` is the anchor of the due dates (original day of month).
    ``level_payment_minor`` is the EMI for EQUAL_INSTALLMENT, else ``None``.
    """

    principal_minor: int
    disbursement_date: date
    term_months: int  # total number of installments of the loan (original term)
    method: RepaymentMethod
    annual_rate: Decimal | None
    daily_rate: Decimal | None
    day_count: DayCount
    rounding: str
    level_payment_minor: int | None
    installments: tuple[Installment, ...]

    @property
    def total_interest_minor(self) -> int:
        return sum(i.interest_minor for i in self.installments)

    @property
    def total_repayable_minor(self) -> int:
        return sum(i.total_minor for i in self.installments)

    @property
    def first_due_date(self) -> date:
        return self.installments[0].due_date

    @property
    def maturity_date(self) -> date:
        return self.installments[-1].due_date


def _annuity_payment(principal: Decimal, rates: Sequence[Decimal]) -> Decimal:
    """Unrounded level payment amortising ``principal`` under per-period ``rates``.

    E = P * prod(f_k) / (1 + f_n + f_n f_(n-1) + ... + f_n...f_2), f_k = 1 + r_k
    (Fineract ProgressiveEMICalculator: rateFactorN * P / fnResult).
    """
    with localcontext(_CTX):
        factors = [_ONE + r for r in rates]
        product = _ONE
        for f in factors:
            product *= f
        fn = _ONE
        for f in factors[1:]:
            fn = _ONE + fn * f
        return principal * product / fn


def _build_installments(
    *,
    principal_minor: int,
    anchor: date,
    first_number: int,
    count: int,
    first_period_start: date,
    method: RepaymentMethod,
    annual_rate: Decimal | None,
    daily_rate: Decimal | None,
    day_count: DayCount,
    rounding: str,
) -> tuple[tuple[Installment, ...], int | None]:
    # Periods: due dates are anchor + number months; first period may be broken.
    periods: list[tuple[int, date, date, int]] = []
    start = first_period_start
    for number in range(first_number, first_number + count):
        due = add_months(anchor, number)
        regular_start = add_months(anchor, number - 1)
        if day_count is DayCount.THIRTY_360:
            days = 30 if start == regular_start else day_count_days(start, due, day_count)
        else:
            days = (due - start).days
        periods.append((number, start, due, days))
        start = due
    rates = [
        _period_rate(days=d, day_count=day_count, annual_rate=annual_rate, daily_rate=daily_rate)
        for (_, _, _, d) in periods
    ]

    level: int | None = None
    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        level = _to_fen(_annuity_payment(Decimal(principal_minor), rates), rounding)
    elif method is RepaymentMethod.EQUAL_PRINCIPAL:
        with localcontext(_CTX):
            regular_principal = _to_fen(Decimal(principal_minor) / count, rounding)

    rows: list[Installment] = []
    balance = principal_minor
    for idx, ((number, p_start, due, days), rate) in enumerate(zip(periods, rates, strict=True)):
        last = idx == count - 1
        with localcontext(_CTX):
            interest = _to_fen(Decimal(balance) * rate, rounding)
        if last:
            principal = balance
        elif method is RepaymentMethod.EQUAL_INSTALLMENT:
            assert level is not None
            principal = min(max(level - interest, 0), balance)
        elif method is RepaymentMethod.EQUAL_PRINCIPAL:
            principal = min(regular_principal, balance)
        else:  # INTEREST_ONLY
            principal = 0
        rows.append(
            Installment(
                number=number,
                due_date=due,
                period_start=p_start,
                period_end=due,
                days=days,
                principal_minor=principal,
                interest_minor=interest,
                total_minor=principal + interest,
                opening_principal_minor=balance,
                closing_principal_minor=balance - principal,
            )
        )
        balance -= principal
    return tuple(rows), level


def _validate_rates(annual_rate: Decimal | None, daily_rate: Decimal | None) -> None:
    if (annual_rate is None) == (daily_rate is None):
        raise ValueError("give exactly one of annual_rate or daily_rate")
    if annual_rate is not None:
        _check_rate("annual_rate", annual_rate)
    if daily_rate is not None:
        _check_rate("daily_rate", daily_rate)


def build_schedule(
    *,
    principal_minor: int,
    disbursement_date: date,
    term_months: int,
    method: RepaymentMethod,
    annual_rate: Decimal | None = None,
    daily_rate: Decimal | None = None,
    day_count: DayCount = DayCount.ACTUAL_365,
    rounding: str = ROUND_HALF_UP,
) -> Schedule:
    """Monthly repayment schedule; first installment due one month after disbursement.

    Interest of each period = opening principal x period rate (see module doc),
    rounded to the fen with ``rounding``.  Principal parts sum exactly to
    ``principal_minor``; the last installment absorbs all rounding.
    """
    _check_int("principal_minor", principal_minor, minimum=1)
    _check_int("term_months", term_months, minimum=1)
    if term_months > 600:
        raise ValueError("term_months must be <= 600")
    if not isinstance(method, RepaymentMethod):
        raise TypeError("method must be a RepaymentMethod")
    if not isinstance(day_count, DayCount):
        raise TypeError("day_count must be a DayCount")
    _validate_rates(annual_rate, daily_rate)
    _check_rounding(rounding)
    rows, level = _build_installments(
        principal_minor=principal_minor,
        anchor=disbursement_date,
        first_number=1,
        count=term_months,
        first_period_start=disbursement_date,
        method=method,
        annual_rate=annual_rate,
        daily_rate=daily_rate,
        day_count=day_count,
        rounding=rounding,
    )
    return Schedule(
        principal_minor=principal_minor,
        disbursement_date=disbursement_date,
        term_months=term_months,
        method=method,
        annual_rate=annual_rate,
        daily_rate=daily_rate,
        day_count=day_count,
        rounding=rounding,
        level_payment_minor=level,
        installments=rows,
    )


def reschedule_after_prepayment(
    *,
    schedule: Schedule,
    installments_settled: int,
    prepayment_minor: int,
    prepayment_date: date | None = None,
) -> Schedule:
    """Partial principal prepayment: KEEP the remaining term and due dates, LOWER the installments.

    Why: the customer keeps the same due dates and number of remaining
    installments (what WeBank-style consumer/SME products do for 部分提前还款:
    "期限不变, 月供减少"); only the amounts shrink.

    ``installments_settled`` is the number (the schedule's own numbering, e.g.
    3 means installments up to and including #3 are settled; use
    ``first_number - 1`` if none of this schedule's installments are settled).
    The prepayment is made on ``prepayment_date`` (default: the due date of the
    last settled installment, i.e. no broken period) and must fall before the
    next due date.  Interest accrued on the old principal up to the prepayment
    date must be collected separately at prepayment time (``payoff_quote`` /
    ``allocate_repayment`` put accrued interest before principal); the rebuilt
    first period therefore charges interest on the NEW principal from the
    prepayment date only (broken period: actual days, or 30E/360).

    Returns a Schedule for the remaining installments only, numbered as in the
    original, amortising ``closing principal of #installments_settled -
    prepayment_minor`` with the same method, rate(s), day count and rounding.
    A prepayment of the whole balance is a payoff (use ``payoff_quote``) and
    raises ``ValueError``.
    """
    if not isinstance(schedule, Schedule):
        raise TypeError("schedule must be a Schedule")
    _check_int("prepayment_minor", prepayment_minor, minimum=1)
    _check_int("installments_settled", installments_settled, minimum=0)
    first = schedule.installments[0].number
    last = schedule.installments[-1].number
    if not first - 1 <= installments_settled < last:
        raise ValueError(f"installments_settled must be in [{first - 1}, {last - 1}]")
    if installments_settled == first - 1:
        balance = schedule.principal_minor
        period_start = schedule.installments[0].period_start
    else:
        settled = schedule.installments[installments_settled - first]
        balance = settled.closing_principal_minor
        period_start = settled.due_date
    next_due = schedule.installments[installments_settled - first + 1].due_date
    when = period_start if prepayment_date is None else prepayment_date
    if not period_start <= when < next_due:
        raise ValueError(f"prepayment_date must be in [{period_start}, {next_due})")
    if prepayment_minor >= balance:
        raise ValueError("prepayment must be smaller than the outstanding principal; use payoff_quote")
    new_principal = balance - prepayment_minor
    rows, level = _build_installments(
        principal_minor=new_principal,
        anchor=schedule.disbursement_date,
        first_number=installments_settled + 1,
        count=last - installments_settled,
        first_period_start=when,
        method=schedule.method,
        annual_rate=schedule.annual_rate,
        daily_rate=schedule.daily_rate,
        day_count=schedule.day_count,
        rounding=schedule.rounding,
    )
    return replace(schedule, principal_minor=new_principal, level_payment_minor=level, installments=rows)


# --------------------------------------------------------------------------- accrual


def accrue_interest(
    *, principal_minor: int, daily_rate: Decimal, days: int, rounding: str = ROUND_HALF_UP
) -> int:
    """Simple interest ``principal x daily_rate x days`` rounded once to the fen."""
    _check_int("principal_minor", principal_minor)
    _check_rate("daily_rate", daily_rate)
    _check_int("days", days)
    _check_rounding(rounding)
    with localcontext(_CTX):
        return _to_fen(Decimal(principal_minor) * daily_rate * days, rounding)


@dataclass(frozen=True)
class AccrualStep:
    """One day of accrual: whole fen posted today and the sub-fen remainder carried."""

    posted_minor: int
    carry: Decimal  # fraction of a fen, 0 <= carry < 1


def accrue_daily(*, principal_minor: int, daily_rate: Decimal, carry: Decimal = _ZERO) -> AccrualStep:
    """Accrue one day without losing fractions.

    exact = principal x daily_rate + carry; post ``floor(exact)`` whole fen
    (ROUND_DOWN: never post interest not yet earned) and carry the rest.
    Over N days on a constant principal the postings sum to
    floor(P x r x N) -- i.e. the period interest rounded down, within 1 fen
    of ``accrue_interest`` -- and posting ``settle_accrual_carry(carry,
    posted_minor=<the period's postings>)`` at period close makes the total
    EXACTLY equal to ``accrue_interest`` with the same rounding.  When principal
    changes mid-period the carry simply runs on.
    """
    _check_int("principal_minor", principal_minor)
    _check_rate("daily_rate", daily_rate)
    _check_rate("carry", carry)
    if carry >= 1:
        raise ValueError("carry must be < 1 fen")
    with localcontext(_CTX):
        exact = Decimal(principal_minor) * daily_rate + carry
        posted = _to_fen(exact, ROUND_DOWN)
        return AccrualStep(posted_minor=posted, carry=exact - posted)


def settle_accrual_carry(carry: Decimal, rounding: str = ROUND_HALF_UP, *, posted_minor: int = 0) -> int:
    """Whole fen (0 or 1) to post at period close for the carried sub-fen remainder.

    `posted_minor` is what the period's daily accruals posted: the period total is
    rounded, not the carry alone, and under ROUND_HALF_EVEN a half fen goes up or down
    with the parity of the total (1.5 rounds to 2, so a carry of 0.5 after 1 posted is 1).
    """
    _check_rate("carry", carry)
    _check_rounding(rounding)
    _check_int("posted_minor", posted_minor)
    with localcontext(_CTX):
        return _to_fen(Decimal(posted_minor) + carry, rounding) - posted_minor


def penalty_interest(
    *,
    overdue_principal_minor: int,
    penalty_daily_rate: Decimal,
    days: int,
    rounding: str = ROUND_HALF_UP,
) -> int:
    """Penalty (罚息) on overdue principal: principal x penalty daily rate x days, rounded once."""
    _check_int("overdue_principal_minor", overdue_principal_minor)
    _check_rate("penalty_daily_rate", penalty_daily_rate)
    _check_int("days", days)
    _check_rounding(rounding)
    with localcontext(_CTX):
        return _to_fen(Decimal(overdue_principal_minor) * penalty_daily_rate * days, rounding)


# --------------------------------------------------------------------------- delinquency


def days_past_due(*, oldest_unpaid_due_date: date | None, as_of: date) -> int:
    """Days since the oldest unpaid due date (0 if none, or not yet past due)."""
    if oldest_unpaid_due_date is None:
        return 0
    return max(0, (as_of - oldest_unpaid_due_date).days)


def delinquency_bucket(dpd: int) -> str:
    """'current' (0), '1-30', '31-60', '61-90', '90+' (91 and more)."""
    _check_int("dpd", dpd)
    if dpd == 0:
        return "current"
    if dpd <= 30:
        return "1-30"
    if dpd <= 60:
        return "31-60"
    if dpd <= 90:
        return "61-90"
    return "90+"


# --------------------------------------------------------------------------- payoff


@dataclass(frozen=True)
class UnpaidInstallment:
    """A scheduled installment not fully paid (one row of the schedule table)."""

    number: int
    due_date: date
    principal_due_minor: int
    interest_due_minor: int
    principal_paid_minor: int = 0
    interest_paid_minor: int = 0
    penalty_paid_minor: int = 0

    def __post_init__(self) -> None:
        for name in (
            "principal_due_minor",
            "interest_due_minor",
            "principal_paid_minor",
            "interest_paid_minor",
            "penalty_paid_minor",
        ):
            _check_int(name, getattr(self, name))
        if self.principal_paid_minor > self.principal_due_minor:
            raise ValueError("principal_paid_minor exceeds principal_due_minor")
        if self.interest_paid_minor > self.interest_due_minor:
            raise ValueError("interest_paid_minor exceeds interest_due_minor")

    @property
    def principal_unpaid_minor(self) -> int:
        return self.principal_due_minor - self.principal_paid_minor

    @property
    def interest_unpaid_minor(self) -> int:
        return self.interest_due_minor - self.interest_paid_minor


@dataclass(frozen=True)
class LoanState:
    """Current state of a loan, as it can be read from database rows.

    ``outstanding_principal_minor``: all principal not yet repaid, INCLUDING the
    unpaid principal of overdue installments.
    ``last_accrual_date``: the last due date on or before today (or the
    disbursement date) -- contractual interest for the current period runs
    from here.
    ``unpaid_installments``: installments not fully paid; those due after the
    quote date are ignored (their principal is inside the outstanding
    principal and their interest is accrued to the day instead).
    """

    outstanding_principal_minor: int
    last_accrual_date: date
    daily_rate: Decimal
    penalty_daily_rate: Decimal = _ZERO
    unpaid_installments: tuple[UnpaidInstallment, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        _check_int("outstanding_principal_minor", self.outstanding_principal_minor)
        _check_rate("daily_rate", self.daily_rate)
        _check_rate("penalty_daily_rate", self.penalty_daily_rate)
        object.__setattr__(self, "unpaid_installments", tuple(self.unpaid_installments))


@dataclass(frozen=True)
class PayoffQuote:
    principal_minor: int  # all outstanding principal (overdue + not yet due)
    interest_minor: int  # overdue unpaid interest + interest accrued to the day
    penalty_minor: int
    total_minor: int
    overdue_principal_minor: int
    overdue_interest_minor: int
    accrued_interest_minor: int
    days_accrued: int

    def as_dues(self) -> Dues:
        """The quote as allocation buckets (full payoff = pay ``total_minor``)."""
        return Dues(
            penalty_minor=self.penalty_minor,
            overdue_interest_minor=self.overdue_interest_minor,
            overdue_principal_minor=self.overdue_principal_minor,
            current_interest_minor=self.accrued_interest_minor,
            current_principal_minor=0,
            prepayable_principal_minor=self.principal_minor - self.overdue_principal_minor,
        )


def payoff_quote(*, state: LoanState, as_of: date, rounding: str = ROUND_HALF_UP) -> PayoffQuote:
    """Full early payoff as of ``as_of`` (no prepayment fee).

    total = outstanding principal
          + unpaid interest of installments due on/before ``as_of``
          + contractual interest on the NOT-yet-due principal from
            ``last_accrual_date`` to ``as_of`` (actual days x daily_rate)
          + penalty: for each installment due on/before ``as_of``, its unpaid
            principal x penalty_daily_rate x days since its due date, less the
            penalty already paid on it (never negative).  Overdue principal
            bears penalty instead of contractual interest.  Simple model: it
            assumes the unpaid principal stayed unpaid since the due date.
    """
    if not isinstance(state, LoanState):
        raise TypeError("state must be a LoanState")
    _check_rounding(rounding)
    if as_of < state.last_accrual_date:
        raise ValueError("as_of is before last_accrual_date")
    overdue = [u for u in state.unpaid_installments if u.due_date <= as_of]
    overdue_principal = sum(u.principal_unpaid_minor for u in overdue)
    overdue_interest = sum(u.interest_unpaid_minor for u in overdue)
    if overdue_principal > state.outstanding_principal_minor:
        raise ValueError("overdue principal exceeds outstanding principal")
    days = (as_of - state.last_accrual_date).days
    accrued = accrue_interest(
        principal_minor=state.outstanding_principal_minor - overdue_principal,
        daily_rate=state.daily_rate,
        days=days,
        rounding=rounding,
    )
    penalty = 0
    for u in overdue:
        charged = penalty_interest(
            overdue_principal_minor=u.principal_unpaid_minor,
            penalty_daily_rate=state.penalty_daily_rate,
            days=(as_of - u.due_date).days,
            rounding=rounding,
        )
        penalty += max(0, charged - u.penalty_paid_minor)
    interest = overdue_interest + accrued
    principal = state.outstanding_principal_minor
    return PayoffQuote(
        principal_minor=principal,
        interest_minor=interest,
        penalty_minor=penalty,
        total_minor=principal + interest + penalty,
        overdue_principal_minor=overdue_principal,
        overdue_interest_minor=overdue_interest,
        accrued_interest_minor=accrued,
        days_accrued=days,
    )


# --------------------------------------------------------------------------- allocation

# Allocation order (waterfall), highest priority first.
_BUCKETS = (
    "penalty_minor",
    "overdue_interest_minor",
    "overdue_principal_minor",
    "current_interest_minor",
    "current_principal_minor",
    "prepayable_principal_minor",
)


@dataclass(frozen=True)
class Dues:
    """What is owed, by bucket (all non-negative fen).

    ``current_*``: due today / accrued in the current period;
    ``prepayable_principal_minor``: principal not yet due (paying it is a prepayment).
    """

    penalty_minor: int = 0
    overdue_interest_minor: int = 0
    overdue_principal_minor: int = 0
    current_interest_minor: int = 0
    current_principal_minor: int = 0
    prepayable_principal_minor: int = 0

    def __post_init__(self) -> None:
        for name in _BUCKETS:
            _check_int(name, getattr(self, name))

    @property
    def total_minor(self) -> int:
        return sum(getattr(self, name) for name in _BUCKETS)


@dataclass(frozen=True)
class Allocation:
    """How a repayment was split; ``remaining`` is what is still owed afterwards."""

    amount_minor: int
    penalty_minor: int
    overdue_interest_minor: int
    overdue_principal_minor: int
    current_interest_minor: int
    current_principal_minor: int
    prepayable_principal_minor: int
    unallocated_minor: int
    remaining: Dues

    @property
    def allocated_minor(self) -> int:
        return sum(getattr(self, name) for name in _BUCKETS)


def allocate_repayment(*, amount_minor: int, dues: Dues, allow_excess: bool = False) -> Allocation:
    """Waterfall a repayment over the dues.

    Order: penalty, overdue interest, overdue principal, current (due/accrued)
    interest, current principal, then principal not yet due (prepayment) last.
    An amount above ``dues.total_minor`` raises ``RepaymentExceedsOutstanding``
    unless ``allow_excess`` is true, in which case the excess is returned as
    ``unallocated_minor`` (to refund or hold as credit).
    Invariant: sum of buckets + unallocated == amount_minor.
    """
    _check_int("amount_minor", amount_minor)
    if not isinstance(dues, Dues):
        raise TypeError("dues must be a Dues")
    total = dues.total_minor
    if amount_minor > total and not allow_excess:
        raise RepaymentExceedsOutstanding(amount_minor, total)
    left = amount_minor
    taken: dict[str, int] = {}
    for name in _BUCKETS:
        part = min(left, getattr(dues, name))
        taken[name] = part
        left -= part
    remaining = Dues(**{name: getattr(dues, name) - taken[name] for name in _BUCKETS})
    return Allocation(amount_minor=amount_minor, unallocated_minor=left, remaining=remaining, **taken)


# --------------------------------------------------------------------------- shares


def split_by_shares(*, amount_minor: int, shares: Sequence[tuple[Hashable, Decimal]]) -> dict:
    """Split an amount by shares with the largest-remainder method.

    Each key first gets floor(amount x share); the fen left over go, one each,
    to the keys with the largest fractional remainders, ties broken by order
    in ``shares`` (earlier first).  The parts add back exactly to the amount and
    each differs from its exact share by less than 1 fen.  Shares must be
    non-negative Decimals summing to exactly 1, keys unique; otherwise ValueError.
    (Minimum bank share rules are NOT enforced here.)
    """
    _check_int("amount_minor", amount_minor)
    shares = list(shares)
    if not shares:
        raise ValueError("shares must not be empty")
    keys = [k for k, _ in shares]
    if len(set(keys)) != len(keys):
        raise ValueError("share keys must be unique")
    for _, s in shares:
        _check_rate("share", s)
    # Exact rational arithmetic (Fraction(Decimal) is exact): no precision limit.
    if sum((Fraction(s) for _, s in shares), Fraction(0)) != 1:
        raise ValueError("shares must sum to exactly 1")
    exact = [amount_minor * Fraction(s) for _, s in shares]
    floors = [math.floor(e) for e in exact]
    remainders = [e - f for e, f in zip(exact, floors, strict=True)]
    leftover = amount_minor - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return {k: v for k, v in zip(keys, floors, strict=True)}
