"""The nightly business-day job, as set-based SQL over ranges of loan ids.

`eod_process_range(business_date=D, first_id, last_id)` moves every active loan in the
id range to day D, in one transaction, with a fixed number of UPDATE statements
whatever the number of loans:

1. billing: installments due on or before D become `due`; each loan's recognised
   interest for the closing period is trued up to the scheduled interest; the period
   restarts on the due date;
2. accrual: interest on the principal not yet billed, for the days since the last
   accrual, in exact integer arithmetic on billionths of a fen
   (`floor(P x rate x days + carry)` posted, the remainder carried: what
   `calculations.accrue_daily` does);
3. overdue: billed installments past their grace days become `overdue`, and their loans
   (with a status-change row each, written by INSERT ... SELECT);
4. penalty interest on overdue principal (from the due date, half up), days past due
   and the delinquency bucket.

The ledger gets ONE entry per chunk, date and currency for the interest recognised (accrual
plus billing true-ups, Dr interest_receivable / Cr interest_income): 1M loans make ~100
entries a night, not 1M. Per-loan interest is on the loan rows (`accrued_interest_minor`).

The ledger gets one entry per chunk, date and currency (a USD loan's interest is booked in
USD). Auto-debits are real transfers out of each customer's deposit account, so they go
through `servicing.loan_repay` one loan at a time (`servicing.eod_auto_debit_range`), but
only for the loans that have something billed (a small share of the book on any day), after
the chunk's state has committed. This module never imports servicing (servicing imports it:
`loan_sync` brings one loan to today before a repayment).

The servicing rules are defined ONCE, by the Python in `calculations` (accrue_daily,
penalty_interest, days_past_due, delinquency_bucket, the schedule's billing); this SQL is
their set-based form and tests/lending/test_eod_matches_python.py runs it over many days
against the Python rules.

Idempotency: a run row per (date, step) and a chunk row per (date, step, first id) that
commits with the chunk's work; every UPDATE is also guarded (`last_accrual_date < D`,
`status = 'scheduled'`), so a re-run, a retried task or an overlapping range posts once.
"""
# ruff: noqa: S608 -- the SQL is built from table names and validated dates only; ids are parameters
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.core.actors import Actor
from apps.ledger.bank_books import bank_account
from apps.ledger.services import Leg, ledger_post

from .models import NANO, EodChunk, EodRun, Installment, Loan

STEP_STATE = "state"
STEP_AUTO_DEBIT = "auto_debit"
DEFAULT_CHUNK_SIZE = 10_000

L = Loan._meta.db_table
I = Installment._meta.db_table  # noqa: E741
ACTIVE = "('active', 'overdue')"


def _date_sql(day: date) -> str:
    # `day` is a datetime.date (isoformat is digits and dashes only): safe to inline.
    if not isinstance(day, date):
        raise TypeError("business_date must be a date")
    return f"DATE '{day.isoformat()}'" if connection.vendor == "postgresql" else f"'{day.isoformat()}'"


def _days_since(day: date, column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({_date_sql(day)} - {column})"
    return f"CAST(julianday({_date_sql(day)}) - julianday({column}) AS INTEGER)"


def _remainder(expression: str, divisor: int) -> str:
    # The remainder of a non-negative integer division, written without '%' (a parameter
    # marker to psycopg and to Django's debug cursor, which formats the SQL with '%' when
    # DEBUG is on) and without MOD() (not built into every SQLite).
    return f"({expression} - ({expression} / {divisor}) * {divisor})"


@dataclass
class RangeResult:
    loans: int = 0
    billed: int = 0
    interest_by_currency: dict[str, int] = field(default_factory=dict)  # recognised, minor units


def _scalar(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0] or 0)


def _by_currency(sql: str, params: list) -> dict[str, int]:
    """Rows of (currency, amount) as a dict; the SQL groups by currency."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {currency: int(amount or 0) for currency, amount in cursor.fetchall()}


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _process_range_sql(day: date, first_id: str, last_id: str, actor: Actor) -> RangeResult:
    """The set-based statements; the caller holds the transaction."""
    d = _date_sql(day)
    rng = [first_id, last_id]
    in_range = f"id BETWEEN %s AND %s AND status IN {ACTIVE}"
    loans_in_range = f"loan_id IN (SELECT id FROM {L} WHERE {in_range})"
    result = RangeResult()
    if connection.vendor == "postgresql":
        # Short set-based statements with large cost estimates: JIT compilation costs more than it saves.
        _execute("SET LOCAL jit = off", [])
        # Lock the chunk's loans against concurrent repayments.
        _scalar(f"SELECT count(*) FROM (SELECT 1 FROM {L} WHERE {in_range} ORDER BY id FOR UPDATE) locked", rng)
    result.loans = _scalar(f"SELECT count(*) FROM {L} WHERE {in_range}", rng)
    if not result.loans:
        return result

    # 1. billing
    to_bill = f"status = 'scheduled' AND due_date <= {d}"
    billed_interest = _by_currency(
        f"""SELECT l.currency, SUM(i.interest_minor - i.interest_paid_minor) FROM {I} i JOIN {L} l ON l.id = i.loan_id
            WHERE i.loan_id BETWEEN %s AND %s AND i.status = 'scheduled' AND i.due_date <= {d}
              AND l.id BETWEEN %s AND %s AND l.status IN {ACTIVE} GROUP BY l.currency""",
        rng + rng,
    )
    has_bill = f"EXISTS (SELECT 1 FROM {I} i WHERE i.loan_id = {L}.id AND i.status = 'scheduled' AND i.due_date <= {d})"
    recognised = _by_currency(
        f"SELECT currency, SUM(accrued_interest_minor) FROM {L} WHERE {in_range} AND {has_bill} GROUP BY currency", rng
    )
    _execute(
        f"""UPDATE {I} SET interest_paid_minor = interest_paid_minor
                + (SELECT l.current_interest_paid_minor FROM {L} l WHERE l.id = {I}.loan_id)
            WHERE loan_id BETWEEN %s AND %s AND {to_bill} AND {loans_in_range}
              AND period_start = (SELECT l.period_start FROM {L} l WHERE l.id = {I}.loan_id)""",
        rng + rng,
    )
    sub = f"FROM {I} i WHERE i.loan_id = {L}.id AND i.status = 'scheduled' AND i.due_date <= {d}"
    _execute(
        f"""UPDATE {L} SET
              principal_not_due_minor = principal_not_due_minor
                  - (SELECT COALESCE(SUM(i.principal_minor - i.principal_paid_minor), 0) {sub}),
              period_start = (SELECT MAX(i.due_date) {sub}),
              last_accrual_date = (SELECT MAX(i.due_date) {sub}),
              accrued_interest_minor = 0, accrual_carry_nano = 0, current_interest_paid_minor = 0
            WHERE {in_range} AND {has_bill}""",
        rng,
    )
    result.billed = _execute(
        f"UPDATE {I} SET status = 'due' WHERE loan_id BETWEEN %s AND %s AND {to_bill} AND {loans_in_range}",
        rng + rng,
    )
    _execute(
        f"""UPDATE {I} SET status = 'paid', paid_on = {d}
            WHERE loan_id BETWEEN %s AND %s AND status = 'due' AND principal_paid_minor = principal_minor
              AND interest_paid_minor = interest_minor AND {loans_in_range}""",
        rng + rng,
    )

    # 2. accrual (integer billionths of a fen: exact on every database)
    days = _days_since(day, "last_accrual_date")
    exact = f"(principal_not_due_minor * daily_rate_nano * {days} + accrual_carry_nano)"
    accrued = _by_currency(
        f"SELECT currency, SUM({exact} / {NANO}) FROM {L} WHERE {in_range} AND last_accrual_date < {d} GROUP BY currency",
        rng,
    )
    _execute(
        f"""UPDATE {L} SET accrued_interest_minor = accrued_interest_minor + {exact} / {NANO},
                accrual_carry_nano = {_remainder(exact, NANO)}, last_accrual_date = {d}
            WHERE {in_range} AND last_accrual_date < {d}""",
        rng,
    )
    interest: defaultdict[str, int] = defaultdict(int)
    for currency, amount in billed_interest.items():
        interest[currency] += amount
    for currency, amount in recognised.items():
        interest[currency] -= amount
    for currency, amount in accrued.items():
        interest[currency] += amount
    result.interest_by_currency = {c: a for c, a in sorted(interest.items()) if a}

    # 3. overdue
    _execute(
        f"UPDATE {I} SET status = 'overdue' WHERE loan_id BETWEEN %s AND %s AND status = 'due' AND grace_until < {d} AND {loans_in_range}",
        rng + rng,
    )
    becomes_overdue = (
        f"id BETWEEN %s AND %s AND status = 'active' AND EXISTS "
        f"(SELECT 1 FROM {I} i WHERE i.loan_id = {L}.id AND i.status = 'overdue')"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = Loan.status_changes.rel.related_model._meta.db_table
    _execute(
        f"""INSERT INTO {table} (loan_id, timestamp, business_date, from_status, to_status, reason, actor)
            SELECT id, %s, {d}, 'active', 'overdue', 'installment past its grace days', %s FROM {L} WHERE {becomes_overdue}""",
        [now, str(actor), *rng],
    )
    _execute(f"UPDATE {L} SET status = 'overdue' WHERE {becomes_overdue}", rng)

    # 4. penalty, days past due, bucket
    _execute(
        f"""UPDATE {I} SET penalty_minor =
              ((principal_minor - principal_paid_minor) * (SELECT l.penalty_rate_nano FROM {L} l WHERE l.id = {I}.loan_id)
               * {_days_since(day, 'due_date')} + {NANO // 2}) / {NANO}
            WHERE loan_id BETWEEN %s AND %s AND status = 'overdue' AND {loans_in_range}""",
        rng + rng,
    )
    billed_rows = f"FROM {I} i WHERE i.loan_id = {L}.id AND i.status IN ('due', 'overdue')"
    _execute(
        f"""UPDATE {L} SET
              penalty_outstanding_minor = COALESCE((SELECT SUM(CASE WHEN i.penalty_minor > i.penalty_paid_minor
                  THEN i.penalty_minor - i.penalty_paid_minor ELSE 0 END) {billed_rows} AND i.status = 'overdue'), 0),
              days_past_due = COALESCE((SELECT MAX({_days_since(day, 'i.due_date')}) {billed_rows}), 0)
            WHERE {in_range} AND (days_past_due > 0 OR EXISTS (SELECT 1 {billed_rows}))""",
        rng,
    )
    _execute(
        f"""UPDATE {L} SET delinquency_bucket = CASE
              WHEN days_past_due <= 0 THEN 'current' WHEN days_past_due <= 30 THEN '1-30'
              WHEN days_past_due <= 60 THEN '31-60' WHEN days_past_due <= 90 THEN '61-90' ELSE '90+' END
            WHERE {in_range} AND (days_past_due > 0 OR delinquency_bucket <> 'current')""",
        rng,
    )
    return result


def _post_interest(*, day: date, interest_by_currency: dict[str, int], ref: str) -> None:
    """One entry per currency: interest in USD is booked on the USD books."""
    for currency, amount in sorted(interest_by_currency.items()):
        if amount == 0:
            continue
        ledger_post(
            external_ref=f"{ref}:{currency}",
            kind="loan_interest_accrual",
            description=f"Interest recognised for {day.isoformat()}",
            business_date=day,
            legs=[
                Leg(bank_account("interest_receivable", currency).pk, amount),
                Leg(bank_account("interest_income", currency).pk, -amount),
            ],
        )


def eod_process_range(*, business_date: date, first_id: str, last_id: str, actor: Actor) -> RangeResult | None:
    """One chunk of the state step; None if this chunk of this date already ran."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                chunk = EodChunk.objects.create(
                    business_date=business_date, step=STEP_STATE, first_loan_id=first_id, last_loan_id=last_id
                )
        except IntegrityError:
            return None
        result = _process_range_sql(business_date, first_id, last_id, actor)
        _post_interest(
            day=business_date, interest_by_currency=result.interest_by_currency,
            ref=f"eod:{business_date.isoformat()}:interest:{first_id}",
        )
        EodChunk.objects.filter(pk=chunk.pk).update(loans=result.loans, interest_by_currency=result.interest_by_currency)
    return result


def loan_sync(*, loan_id: str, business_date: date, actor: Actor) -> bool:
    """Bring one loan to `business_date` with the same SQL (a repayment before the night's run).

    The caller holds the loan's row lock and transaction. Returns whether anything moved.
    """
    behind = Loan.objects.filter(pk=loan_id, last_accrual_date__lt=business_date).exists() or Installment.objects.filter(
        loan_id=loan_id, status=Installment.Status.SCHEDULED, due_date__lte=business_date
    ).exists()
    if not behind:
        return False
    result = _process_range_sql(business_date, loan_id, loan_id, actor)
    _post_interest(
        day=business_date, interest_by_currency=result.interest_by_currency,
        ref=f"sync:{loan_id}:{business_date.isoformat()}:interest",
    )
    return True


def chunk_bounds(*, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[tuple[str, str]]:
    """[first, last] id ranges of about `chunk_size` active loans, by keyset over the primary key."""
    active = Loan.objects.filter(status__in=[Loan.Status.ACTIVE, Loan.Status.OVERDUE]).order_by("id")
    after = ""
    while True:
        first = active.filter(id__gt=after).values_list("id", flat=True).first()
        if first is None:
            return
        window = active.filter(id__gte=first).values_list("id", flat=True)[chunk_size - 1 : chunk_size]
        last = next(iter(window), None)
        if last is None:
            last = active.filter(id__gte=first).values_list("id", flat=True).last()
            assert last is not None
        yield first, last
        after = last


def eod_run_begin(*, business_date: date, step: str = STEP_STATE) -> EodRun | None:
    """Claim the run of this date and step; None if it already finished."""
    run, _ = EodRun.objects.get_or_create(business_date=business_date, step=step)
    return None if run.status == EodRun.Status.DONE else run


def eod_run_finish(*, business_date: date, step: str = STEP_STATE) -> EodRun:
    chunks = EodChunk.objects.filter(business_date=business_date, step=step)
    EodRun.objects.filter(business_date=business_date, step=step).update(
        status=EodRun.Status.DONE, finished_at=timezone.now(), chunks=chunks.count(),
        loans=sum(chunks.values_list("loans", flat=True)),
    )
    return EodRun.objects.get(business_date=business_date, step=step)
