"""Reads from the ledger: balances, statements and the books' invariants."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Count, F, Q, Sum

from .models import JournalEntry, LedgerAccount, Posting


def ledger_account_by_code(*, code: str) -> LedgerAccount:
    return LedgerAccount.objects.get(code=code)


class StatementLine(NamedTuple):
    """One posting of a statement with its entry's description, kind and reference;
    `created_at` in UTC."""

    pk: int
    amount_minor: int
    currency: str
    balance_after_minor: int
    business_date: date
    created_at: datetime
    description: str
    entry_kind: str
    entry_reference: str


# Written out rather than built by the ORM: a statement page is the hottest read of the API,
# and compiling the query and building model rows cost more than the query itself. The page of
# postings is cut first (a backward range scan of the `posting_account_recent` index, however
# deep the page), and only its rows are joined to their entries, so no plan can join the
# whole journal.
_STATEMENT_SQL = """
SELECT p.id, p.amount_minor, p.currency, p.balance_after_minor, p.business_date, p.created_at,
       e.description, e.kind, e.external_ref
  FROM (SELECT id, entry_id, amount_minor, currency, balance_after_minor, business_date, created_at
          FROM {posting}
         WHERE account_id = %s{conditions}
         ORDER BY id DESC
         LIMIT %s) AS p
  JOIN {entry} e ON e.id = p.entry_id
 ORDER BY p.id DESC
"""


def ledger_account_statement_page(
    *,
    ledger_account_id: int,
    booked_from: date | None = None,
    booked_to: date | None = None,
    before_id: int | None = None,
    limit: int,
) -> list[StatementLine]:
    """Up to `limit` of an account's postings, newest first, older than posting `before_id`;
    both business-date bounds inclusive. Statements are of accounts that track a balance
    (customers'); the bank's own books keep none, so their recent postings have no
    balance-after to show (ValueError): read them with `ledger_account_balance` or the admin."""
    conditions = []
    params: list[Any] = [ledger_account_id]
    for condition, value in (
        ("id < %s", before_id), ("business_date >= %s", booked_from), ("business_date <= %s", booked_to)
    ):
        if value is not None:
            conditions.append(f" AND {condition}")
            params.append(value)
    params.append(limit)
    sql = _STATEMENT_SQL.format(
        posting=Posting._meta.db_table, entry=JournalEntry._meta.db_table, conditions="".join(conditions)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if any(row[3] is None for row in rows):
        raise ValueError(f"ledger account {ledger_account_id} keeps no running balance (the bank's own books)")
    lines = list(map(StatementLine._make, rows))
    if lines and lines[0].created_at.tzinfo is None:  # SQLite stores UTC without an offset
        lines = [line._replace(created_at=line.created_at.replace(tzinfo=UTC)) for line in lines]
    return lines


def ledger_trial_balance() -> dict[str, int]:
    """Sum of all postings per currency: zero in every currency when the books balance."""
    rows = Posting.objects.values("currency").annotate(total=Sum("amount_minor"))
    return {row["currency"]: row["total"] or 0 for row in rows}


def ledger_account_balance(*, account_id: int) -> int:
    """An account's balance in its normal direction, in minor units. For the bank's own books,
    which keep no running balance, the sum of their postings: one scan of the account's
    postings (for reports and end of day, not for a request's hot path)."""
    account = LedgerAccount.objects.only("type", "balance_minor", "tracks_balance").get(pk=account_id)
    if account.tracks_balance:
        return account.balance_minor
    total = Posting.objects.filter(account_id=account_id).aggregate(total=Sum("amount_minor"))["total"] or 0
    return total if account.is_debit_normal else -total


def ledger_balance_mismatches() -> list[str]:
    """Codes of accounts whose stored balance or posting count differs from their postings.

    Only accounts that track a balance store one; the bank's books (untracked) hold zero
    by a CHECK constraint and their balance is their postings' sum by definition."""
    sums = {
        account_id: (total, count)
        for account_id, total, count in Posting.objects.filter(account__tracks_balance=True)
        .values("account_id")
        .annotate(total=Sum("amount_minor"), count=Count("id"))
        .values_list("account_id", "total", "count")
    }
    wrong = []
    for account in LedgerAccount.objects.filter(tracks_balance=True):
        total, count = sums.get(account.pk, (0, 0))
        expected = (total or 0) if account.is_debit_normal else -(total or 0)
        if expected != account.balance_minor or count != account.posting_count:
            wrong.append(account.code)
    return wrong


def ledger_balances_match_postings() -> bool:
    """Every tracked account's stored balance equals the sum of its postings (in its normal
    direction), and its posting count their number."""
    return not ledger_balance_mismatches()


def ledger_account_statement_version(*, ledger_account_id: int) -> int:
    """A version of the account's statement: its posting count, which moves under the
    account's row lock in the same transaction as every post that touches it, so it moves
    in commit order. A statement read at one version stays true while the version holds.
    Only accounts that track a balance count their postings (the bank's books do not)."""
    row = LedgerAccount.objects.filter(pk=ledger_account_id).values_list("posting_count", "tracks_balance").first()
    if row is None:
        raise LedgerAccount.DoesNotExist(f"no ledger account {ledger_account_id}")
    count, tracks_balance = row
    if not tracks_balance:
        raise ValueError(f"ledger account {ledger_account_id} keeps no posting count (the bank's own books)")
    return int(count)


def ledger_accounts_beyond_limit() -> list[str]:
    """Codes of accounts below their overdraft limit (never any: the database refuses it)."""
    return list(
        LedgerAccount.objects.filter(unlimited_overdraft=False)
        .filter(Q(balance_minor__lt=-F("overdraft_limit_minor")))
        .values_list("code", flat=True)
    )
