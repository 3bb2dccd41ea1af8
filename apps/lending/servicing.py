"""Servicing: what a loan owes, payoff quotes, repayments (and auto-debits), prepayment
rescheduling, delinquency and write-off.

Accounting (see docs/lending.md):
- interest is recognised daily by the nightly job (Dr interest_receivable, Cr interest_income)
  and trued up to the contractual amount when an installment is billed or when accrued
  interest is paid, so interest_receivable always holds exactly the interest owed;
- repayment: Dr deposit, Cr loans_receivable (principal), Cr interest_receivable
  (interest), Cr penalty_income (penalty interest is recognised when collected);
- write-off: Dr write_off_expense, Cr loans_receivable and interest_receivable.

Lock order (docs/ledger.md): the credit line, then the loan, then ledger rows (in
`ledger_post`). A drawdown takes the line first too, so a drawdown and a repayment on one
line queue on the line's row instead of deadlocking.

This module imports the nightly job (`eod.loan_sync` brings a loan to today with the same
rules); the nightly job never imports this module.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F

from apps.accounts.models import DepositAccount
from apps.accounts.selectors import deposit_account_balances
from apps.core.actors import Actor
from apps.core.clock import business_date
from apps.core.errors import NotFound, Unprocessable
from apps.core.ids import ulid
from apps.core.money import format_minor
from apps.customers.selectors import customer_require_verified
from apps.ledger.bank_books import bank_account
from apps.ledger.services import InsufficientFunds, Leg, ledger_post

from . import calculations as calc
from . import eod
from .errors import BusinessDateBeforeLastAccrual, LoanNotActive, RepaymentExceedsOutstanding
from .models import ACTIVE_LOAN_STATUSES, BILLED, CreditLine, EodRun, Installment, Loan, Repayment

if TYPE_CHECKING:
    from apps.ledger.models import JournalEntry

@dataclass
class LoanPosition:
    as_of: date
    dues: calc.Dues
    accrued_to_day_minor: int  # contractual interest of the current period up to as_of
    accrued_unpaid_minor: int
    billed: list[Installment]
    overdue_numbers: set[int]
    penalty_charged: dict[int, int] = field(default_factory=dict)
    principal_not_due_minor: int = 0
    days_accrued: int = 0

    @property
    def total_minor(self) -> int:
        return self.dues.total_minor

    @property
    def principal_minor(self) -> int:
        d = self.dues
        return d.overdue_principal_minor + d.current_principal_minor + d.prepayable_principal_minor

    @property
    def interest_minor(self) -> int:
        return self.dues.overdue_interest_minor + self.dues.current_interest_minor


def loan_position(*, loan: Loan, installments: list[Installment], as_of: date, include_accrued: bool = True) -> LoanPosition:
    """What the loan owes on `as_of` (today or later), by allocation bucket.

    Installments due on or before `as_of` count as billed even if the nightly job has not
    billed them yet (a quote for a future date). Contractual interest to the day comes from
    `calculations.payoff_quote`; penalty (on principal past the grace days, from the due
    date) from `calculations.penalty_interest`, rounded half up.
    """
    billed = [r for r in installments if r.status in BILLED or (r.status == Installment.Status.SCHEDULED and r.due_date <= as_of)]
    virtual = [r for r in billed if r.status == Installment.Status.SCHEDULED]
    period_start = max([loan.period_start, *[r.due_date for r in virtual]])
    unpaid: list[calc.UnpaidInstallment] = []
    for r in billed:
        interest_paid = r.interest_paid_minor
        if r.status == Installment.Status.SCHEDULED and r.period_start == loan.period_start:
            interest_paid = min(r.interest_minor, interest_paid + loan.current_interest_paid_minor)
        unpaid.append(
            calc.UnpaidInstallment(
                number=r.number, due_date=r.due_date, principal_due_minor=r.principal_minor,
                interest_due_minor=r.interest_minor, principal_paid_minor=r.principal_paid_minor,
                interest_paid_minor=interest_paid, penalty_paid_minor=r.penalty_paid_minor,
            )
        )
    quote = calc.payoff_quote(
        state=calc.LoanState(
            outstanding_principal_minor=loan.outstanding_principal_minor,
            last_accrual_date=period_start,
            daily_rate=loan.daily_rate,
            unpaid_installments=tuple(unpaid),
        ),
        as_of=as_of,
        rounding=loan.rounding,
    )
    accrued_unpaid = quote.accrued_interest_minor - (0 if virtual else loan.current_interest_paid_minor)
    accrued_unpaid = max(0, accrued_unpaid)
    penalty = 0
    charged: dict[int, int] = {}
    buckets: defaultdict[str, int] = defaultdict(int)
    overdue_numbers: set[int] = set()
    for r, u in zip(billed, unpaid, strict=True):
        overdue = as_of > r.grace_until
        if overdue:
            overdue_numbers.add(r.number)
            charged[r.number] = calc.penalty_interest(
                overdue_principal_minor=u.principal_unpaid_minor, penalty_daily_rate=loan.penalty_daily_rate,
                days=(as_of - r.due_date).days, rounding=ROUND_HALF_UP,
            )
            penalty += max(0, charged[r.number] - r.penalty_paid_minor)
        kind = "overdue" if overdue else "current"
        buckets[f"{kind}_interest"] += u.interest_unpaid_minor
        buckets[f"{kind}_principal"] += u.principal_unpaid_minor
    not_due = loan.principal_not_due_minor - sum(r.principal_minor - r.principal_paid_minor for r in virtual)
    dues = calc.Dues(
        penalty_minor=penalty,
        overdue_interest_minor=buckets["overdue_interest"],
        overdue_principal_minor=buckets["overdue_principal"],
        current_interest_minor=buckets["current_interest"] + (accrued_unpaid if include_accrued else 0),
        current_principal_minor=buckets["current_principal"],
        prepayable_principal_minor=not_due if include_accrued else 0,
    )
    return LoanPosition(
        as_of=as_of, dues=dues, accrued_to_day_minor=quote.accrued_interest_minor, accrued_unpaid_minor=accrued_unpaid,
        billed=billed, overdue_numbers=overdue_numbers, penalty_charged=charged, principal_not_due_minor=not_due,
        days_accrued=quote.days_accrued,
    )


def require_not_before_last_accrual(*, loan: Loan, day: date) -> None:
    """Refuse to compute or book on a day before the loan's books already are (the pinned
    business date moved backwards): interest of the later days is in the ledger."""
    if day < loan.last_accrual_date or day < loan.period_start:
        raise BusinessDateBeforeLastAccrual(
            f"The business date {day.isoformat()} is before the loan's last accrual on "
            f"{max(loan.last_accrual_date, loan.period_start).isoformat()}."
        )


def loan_payoff_quote(*, loan: Loan, as_of: date | None = None) -> LoanPosition:
    """Everything owed to close the loan on `as_of` (default: today's business date); no early-repayment fee."""
    today = business_date()
    as_of = as_of or today
    if as_of < today:
        raise Unprocessable("A payoff quote is for today or a later date.", code="quote_date_in_past")
    if loan.status not in ACTIVE_LOAN_STATUSES:
        raise LoanNotActive(f"The loan is {loan.status}.")
    require_not_before_last_accrual(loan=loan, day=as_of)
    return loan_position(loan=loan, installments=list(loan.installments.order_by("number")), as_of=as_of)


# --------------------------------------------------------------------------- repayment


def _take(rows: list[Installment], amount: int, capacity: Any, apply: Any) -> int:
    """Spread `amount` over rows (oldest first) up to each row's capacity; returns what was not placed."""
    for r in rows:
        if amount <= 0:
            break
        part = min(amount, capacity(r))
        if part > 0:
            apply(r, part)
            amount -= part
    return amount


def _net_legs(pairs: list[tuple[int, int]]) -> list[Leg]:
    totals: dict[int, int] = defaultdict(int)
    for account_id, amount in pairs:
        totals[account_id] += amount
    return [Leg(a, v) for a, v in totals.items() if v != 0]


def loan_repay(
    *,
    loan_id: str,
    amount_minor: int,
    reference: str,
    actor: Actor,
    customer_id: str | None = None,
    source: str = Repayment.Source.CUSTOMER,
) -> Repayment:
    """Repay any time: allocate (penalty, overdue interest, overdue principal, current interest,
    current principal, then prepayment), post, restore the line, reschedule or close.

    A partial prepayment keeps the term and the due dates and lowers the installments
    (`calculations.reschedule_after_prepayment`). An auto-debit pays billed amounts only.
    Idempotent by `reference`. A customer's repayment needs a verified customer (KYC); the
    bank's own auto-debit collects what is owed whatever the KYC status.
    """
    with transaction.atomic():
        query = Loan.objects.filter(pk=loan_id)
        if customer_id is not None:
            query = query.filter(customer_id=customer_id)
        line_id = query.values_list("line_id", flat=True).first()  # a loan never changes line
        if line_id is None:
            raise NotFound("No such loan.")
        _lock_line(line_id=line_id)
        loan = Loan.objects.select_for_update(of=("self",)).select_related("customer").get(pk=loan_id)
        # Looked up under the loan's lock: a second call with the same reference waits for the
        # first and then returns its repayment.
        existing = Repayment.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
        if loan.status not in ACTIVE_LOAN_STATUSES:
            raise LoanNotActive(f"The loan is {loan.status}.")
        if source == Repayment.Source.CUSTOMER:
            customer_require_verified(customer=loan.customer)
        today = business_date()
        require_not_before_last_accrual(loan=loan, day=today)
        if eod.loan_sync(loan_id=loan.id, business_date=today, actor=actor):
            loan.refresh_from_db()
        rows = list(loan.installments.order_by("number"))
        include_accrued = source == Repayment.Source.CUSTOMER
        pos = loan_position(loan=loan, installments=rows, as_of=today, include_accrued=include_accrued)
        try:
            alloc = calc.allocate_repayment(amount_minor=amount_minor, dues=pos.dues)
        except calc.RepaymentExceedsOutstanding:
            raise RepaymentExceedsOutstanding(
                f"Everything owed today is {format_minor(pos.total_minor, loan.currency)} {loan.currency}; "
                f"{format_minor(amount_minor, loan.currency)} was offered.",
            ) from None

        trueup = pos.accrued_to_day_minor - loan.accrued_interest_minor if include_accrued else 0
        billed = pos.billed
        overdue_rows = [r for r in billed if r.number in pos.overdue_numbers]
        current_rows = [r for r in billed if r.number not in pos.overdue_numbers]

        def pay_penalty(r: Installment, part: int) -> None:
            r.penalty_paid_minor += part

        def pay_interest(r: Installment, part: int) -> None:
            r.interest_paid_minor += part

        def pay_principal(r: Installment, part: int) -> None:
            r.principal_paid_minor += part

        for r in overdue_rows:
            r.penalty_minor = max(r.penalty_minor, pos.penalty_charged.get(r.number, 0))
        _take(overdue_rows, alloc.penalty_minor, lambda r: max(0, pos.penalty_charged[r.number] - r.penalty_paid_minor), pay_penalty)
        _take(overdue_rows, alloc.overdue_interest_minor, lambda r: r.interest_minor - r.interest_paid_minor, pay_interest)
        _take(overdue_rows, alloc.overdue_principal_minor, lambda r: r.principal_minor - r.principal_paid_minor, pay_principal)
        accrued_paid = _take(current_rows, alloc.current_interest_minor, lambda r: r.interest_minor - r.interest_paid_minor, pay_interest)
        _take(current_rows, alloc.current_principal_minor, lambda r: r.principal_minor - r.principal_paid_minor, pay_principal)
        prepaid = alloc.prepayable_principal_minor

        principal_paid = alloc.overdue_principal_minor + alloc.current_principal_minor + prepaid
        interest_paid = alloc.overdue_interest_minor + alloc.current_interest_minor
        cur = loan.currency
        deposit = DepositAccount.objects.only("ledger_account_id").get(pk=loan.deposit_account_id)
        legs = _net_legs(
            [
                (deposit.ledger_account_id, amount_minor),
                (bank_account("loans_receivable", cur).pk, -principal_paid),
                (bank_account("interest_receivable", cur).pk, trueup - interest_paid),
                (bank_account("interest_income", cur).pk, -trueup),
                (bank_account("penalty_income", cur).pk, -alloc.penalty_minor),
            ]
        )
        entry = ledger_post(
            external_ref=f"repayment:{reference}",
            kind="loan_repayment",
            description=f"Repayment of {loan.id}",
            business_date=today,
            legs=legs,
        )

        if include_accrued:
            loan.accrued_interest_minor = pos.accrued_to_day_minor
        loan.current_interest_paid_minor += accrued_paid
        loan.outstanding_principal_minor -= principal_paid
        unbilled = [r for r in rows if r.status == Installment.Status.SCHEDULED]
        if prepaid and prepaid == loan.principal_not_due_minor:
            # Full payoff: interest only to the day, nothing for the remaining periods.
            for index, r in enumerate(unbilled):
                r.interest_minor = r.interest_paid_minor = (
                    r.interest_paid_minor + loan.current_interest_paid_minor if index == 0 else 0
                )
                r.principal_paid_minor = r.principal_minor
                r.status, r.paid_on = Installment.Status.PAID, today
            loan.principal_not_due_minor = 0
        elif prepaid:
            _reschedule(loan, unbilled, prepaid, today)
            loan.principal_not_due_minor -= prepaid
            loan.period_start = loan.last_accrual_date = today
            loan.accrued_interest_minor = loan.accrual_carry_nano = loan.current_interest_paid_minor = 0
        for r in billed:
            if r.principal_paid_minor == r.principal_minor and r.interest_paid_minor == r.interest_minor:
                r.status, r.paid_on = Installment.Status.PAID, today
        Installment.objects.bulk_update(
            rows,
            ["principal_minor", "interest_minor", "period_start", "principal_paid_minor", "interest_paid_minor",
             "penalty_minor", "penalty_paid_minor", "status", "paid_on"],
        )
        _refresh_delinquency(loan, rows, pos, today, actor)
        loan.save()
        if principal_paid:
            CreditLine.objects.filter(pk=loan.line_id).update(used_minor=F("used_minor") - principal_paid)
        return Repayment.objects.create(
            loan=loan, source=source, reference=reference, amount_minor=amount_minor,
            penalty_minor=alloc.penalty_minor, overdue_interest_minor=alloc.overdue_interest_minor,
            overdue_principal_minor=alloc.overdue_principal_minor, current_interest_minor=alloc.current_interest_minor,
            current_principal_minor=alloc.current_principal_minor, prepaid_principal_minor=prepaid,
            journal_entry=entry, business_date=today, actor=str(actor),
        )


def _reschedule(loan: Loan, unbilled: list[Installment], prepaid: int, today: date) -> None:
    opening = loan.principal_not_due_minor
    rows = []
    for r in unbilled:
        left = r.principal_minor - r.principal_paid_minor  # earlier prepayments sit on the first row as paid
        rows.append(
            calc.Installment(
                number=r.number, due_date=r.due_date, period_start=r.period_start, period_end=r.due_date,
                days=(r.due_date - r.period_start).days, principal_minor=left,
                interest_minor=r.interest_minor - r.interest_paid_minor,
                total_minor=left + r.interest_minor - r.interest_paid_minor,
                opening_principal_minor=opening, closing_principal_minor=opening - left,
            )
        )
        opening -= left
    schedule = calc.Schedule(
        principal_minor=loan.principal_not_due_minor, disbursement_date=loan.disbursement_date,
        term_months=loan.term_months, method=calc.RepaymentMethod(loan.method.upper()), annual_rate=None,
        daily_rate=loan.daily_rate, day_count=calc.DayCount(loan.day_count), rounding=loan.rounding,
        level_payment_minor=None, installments=tuple(rows),
    )
    new = calc.reschedule_after_prepayment(
        schedule=schedule, installments_settled=rows[0].number - 1, prepayment_minor=prepaid, prepayment_date=today
    )
    by_number = {i.number: i for i in new.installments}
    for index, r in enumerate(unbilled):
        n = by_number[r.number]
        r.period_start = n.period_start
        if index == 0:
            # The current period's row keeps what was paid early, so the schedule still adds up to the
            # principal (and to every fen of interest charged): the prepaid principal and the interest
            # to the day are recorded on it as paid.
            r.principal_paid_minor += prepaid
            r.interest_paid_minor += loan.current_interest_paid_minor
            r.principal_minor = n.principal_minor + r.principal_paid_minor
            r.interest_minor = n.interest_minor + r.interest_paid_minor
        else:
            r.principal_minor, r.interest_minor = n.principal_minor, n.interest_minor


def _refresh_delinquency(loan: Loan, rows: list[Installment], pos: LoanPosition, today: date, actor: Actor) -> None:
    unpaid = [r for r in rows if r.status in BILLED]
    oldest = min((r.due_date for r in unpaid), default=None)
    loan.days_past_due = calc.days_past_due(oldest_unpaid_due_date=oldest, as_of=today)
    loan.delinquency_bucket = calc.delinquency_bucket(loan.days_past_due)
    loan.penalty_outstanding_minor = sum(
        max(0, pos.penalty_charged.get(r.number, 0) - r.penalty_paid_minor) for r in unpaid if r.number in pos.overdue_numbers
    )
    if loan.outstanding_principal_minor == 0 and not unpaid and all(r.status == Installment.Status.PAID for r in rows):
        loan.move_to(Loan.Status.CLOSED, reason="repaid in full", day=today, actor=actor)
        loan.closed_on = today
    elif loan.status == Loan.Status.OVERDUE and not any(r.number in pos.overdue_numbers for r in unpaid):
        loan.move_to(Loan.Status.ACTIVE, reason="overdue amounts repaid", day=today, actor=actor)


def loan_auto_debit(*, loan_id: str, business_date_: date, actor: Actor) -> Repayment | None:
    """Collect billed amounts from the loan's deposit account, in part if the balance is short."""
    loan = Loan.objects.select_related("deposit_account__ledger_account").get(pk=loan_id)
    if loan.status not in ACTIVE_LOAN_STATUSES:
        return None
    available = deposit_account_balances(account=loan.deposit_account).available.minor
    if available <= 0:
        return None  # an empty account is not worth working out what is owed
    pos = loan_position(loan=loan, installments=list(loan.installments.order_by("number")), as_of=business_date_, include_accrued=False)
    amount = min(pos.total_minor, available)
    if amount <= 0:
        return None
    try:
        return loan_repay(
            loan_id=loan.id, amount_minor=amount, reference=f"autodebit:{loan.id}:{business_date_.isoformat()}",
            source=Repayment.Source.AUTO_DEBIT, actor=actor,
        )
    except (InsufficientFunds, RepaymentExceedsOutstanding, LoanNotActive):
        return None  # the balance, the dues or the loan (written off, repaid) moved under us


def eod_auto_debit_range(*, business_date: date, first_id: str, last_id: str, actor: Actor) -> int:
    """Auto-debit every loan in the range with billed amounts; returns how many paid something.

    Runs after the chunk's state step has committed (`eod.eod_process_range`), one loan at a
    time through `loan_repay`: these are real transfers out of each customer's account.

    Loans whose deposit account has no money available are left out in the same query: a
    book of late loans with empty accounts is the common case, and looking at each of them
    made the night four times slower (100k loans: 7.8 s against 31 s). This join is the one
    place lending reads a ledger column; it belongs in an accounts (or ledger) selector
    taking a set of accounts, which does not exist yet."""
    ids = (
        Installment.objects.filter(
            loan_id__gte=first_id, loan_id__lte=last_id, status__in=BILLED, loan__status__in=ACTIVE_LOAN_STATUSES,
            loan__deposit_account__ledger_account__balance_minor__gt=-F(
                "loan__deposit_account__ledger_account__overdraft_limit_minor"
            ),
        )
        .values_list("loan_id", flat=True)
        .distinct()
        .order_by("loan_id")
    )
    paid = 0
    for loan_id in list(ids):  # only loans with something billed: a small share of the range
        if loan_auto_debit(loan_id=loan_id, business_date_=business_date, actor=actor) is not None:
            paid += 1
    return paid


def eod_run_inline(*, business_date: date, actor: Actor, chunk_size: int = eod.DEFAULT_CHUNK_SIZE) -> EodRun | None:
    """The whole night in this process (tests, a management shell); Celery runs the same chunks in parallel."""
    if eod.eod_run_begin(business_date=business_date) is None:
        return None
    for first, last in list(eod.chunk_bounds(chunk_size=chunk_size)):
        eod.eod_process_range(business_date=business_date, first_id=first, last_id=last, actor=actor)
        eod_auto_debit_range(business_date=business_date, first_id=first, last_id=last, actor=actor)
    return eod.eod_run_finish(business_date=business_date)


def _lock_line(*, line_id: str) -> CreditLine:
    """The first lock of every money movement on a loan: its credit line (docs/ledger.md).

    FOR NO KEY UPDATE, not FOR UPDATE: it still queues drawdowns, repayments and write-offs
    on the line, but not PostgreSQL's foreign-key checks (FOR KEY SHARE) of rows that refer
    to the line. The nightly job updates each loan row several times in one transaction,
    which makes PostgreSQL check the loan's line key again; with FOR UPDATE here, that check
    waited for a repayment holding the line while the repayment waited for the loan the
    night had locked: a deadlock (tests/concurrency/test_concurrent_lending.py)."""
    return CreditLine.objects.select_for_update(of=("self",), no_key=True).get(pk=line_id)


@transaction.atomic
def loan_write_off(*, loan_id: str, reason: str, actor: Actor) -> JournalEntry:
    """Staff write-off: the principal and recognised interest still owed go to write_off_expense."""
    line_id = Loan.objects.filter(pk=loan_id).values_list("line_id", flat=True).first()
    if line_id is None:
        raise NotFound("No such loan.")
    _lock_line(line_id=line_id)
    loan = Loan.objects.select_for_update(of=("self",)).get(pk=loan_id)
    if loan.status not in ACTIVE_LOAN_STATUSES:
        raise LoanNotActive(f"The loan is {loan.status}.")
    today = business_date()
    require_not_before_last_accrual(loan=loan, day=today)
    rows = list(loan.installments.order_by("number"))
    billed_interest = sum(r.interest_minor - r.interest_paid_minor for r in rows if r.status in BILLED)
    accrued = max(0, loan.accrued_interest_minor - loan.current_interest_paid_minor)
    interest = billed_interest + accrued
    principal = loan.outstanding_principal_minor
    cur = loan.currency
    legs = _net_legs(
        [
            (bank_account("write_off_expense", cur).pk, principal + interest),
            (bank_account("loans_receivable", cur).pk, -principal),
            (bank_account("interest_receivable", cur).pk, -interest),
        ]
    )
    who = actor.label or str(actor)
    entry = ledger_post(
        external_ref=f"loan:{loan.id}:write_off", kind="loan_write_off",
        description=f"Write-off of {loan.id} by {who}: {reason}"[:255], business_date=today, legs=legs,
    )
    Installment.objects.filter(loan=loan).exclude(status=Installment.Status.PAID).update(status=Installment.Status.WRITTEN_OFF)
    loan.move_to(Loan.Status.WRITTEN_OFF, reason=f"written off: {reason}", day=today, actor=actor)
    loan.closed_on = today
    loan.save(update_fields=["status", "closed_on"])
    CreditLine.objects.filter(pk=loan.line_id).update(status=CreditLine.Status.FROZEN)
    return entry


def new_reference() -> str:
    """A fresh unique repayment reference (API requests are deduplicated by Idempotency-Key)."""
    return ulid()
