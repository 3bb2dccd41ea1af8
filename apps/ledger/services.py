"""Writes to the ledger. Every money movement in the platform goes through `ledger_post`.

`ledger_post` is the hot path of the whole bank, so on PostgreSQL it is ONE statement: a
chain of CTEs that claims the reference (`INSERT … ON CONFLICT (external_ref) DO NOTHING`),
locks the accounts in id order (`SELECT … ORDER BY id FOR NO KEY UPDATE`), moves every
balance and posting count (`UPDATE … FROM (VALUES …)`) and writes every posting with its
balance-after.
Outside a transaction that statement is its own transaction (one round trip; pgbench's
tpcb-like script needs seven); inside the caller's transaction it runs in a savepoint. The
overdraft rule is the table's CHECK constraint, evaluated on the locked row; its violation
becomes `InsufficientFunds`. Rows stay locked only for the rest of the statement and its
commit, which is what a hot account (the bank's cash) needs.

Other databases (SQLite in development) take a portable ORM path with the same contract,
checking the overdraft rule in Python on the locked balances.
"""
from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from apps.core.clock import business_date as current_business_date
from apps.core.errors import Conflict, Unprocessable
from apps.core.postgres import fast_cursor

from .models import JournalEntry, LedgerAccount, Posting


class UnbalancedEntry(ValueError):
    """A programming error: postings must sum to zero per currency."""


class InsufficientFunds(Unprocessable):
    code = "insufficient_funds"
    title = "Insufficient funds"


class DuplicateEntryMismatch(Conflict):
    code = "ledger_reference_reused"
    title = "This ledger reference was already posted with different postings"


@dataclass(frozen=True, slots=True)
class Leg:
    """One side of an entry: `amount_minor` > 0 debits the account, < 0 credits it."""

    account_id: int
    amount_minor: int


@dataclass(slots=True)
class _Locked:
    """An account row as read under its lock."""

    id: int
    currency: str
    debit_normal: bool
    balance_minor: int
    overdraft_limit_minor: int
    unlimited_overdraft: bool




def ledger_account_open(
    *,
    code: str,
    name: str,
    type: str,
    currency: str,
    overdraft_limit_minor: int = 0,
    unlimited_overdraft: bool = False,
) -> LedgerAccount:
    """Open (or return the existing) ledger account with this code."""
    account, _created = LedgerAccount.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "type": type,
            "currency": currency,
            "overdraft_limit_minor": overdraft_limit_minor,
            "unlimited_overdraft": unlimited_overdraft,
        },
    )
    return account


def _check_legs(legs: Sequence[Leg]) -> None:
    """What can be checked without the database: at least two non-zero integer legs summing to zero."""
    if len(legs) < 2:
        raise UnbalancedEntry("an entry needs at least two legs")
    total = 0
    for leg in legs:
        amount = leg.amount_minor
        if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
            raise UnbalancedEntry("every leg needs a non-zero integer amount")
        total += amount
    if total != 0:
        raise UnbalancedEntry(f"postings do not sum to zero: {total:+d}")


def _check_balanced(legs: Sequence[Leg], currencies: dict[int, str]) -> None:
    totals: dict[str, int] = defaultdict(int)
    for leg in legs:
        totals[currencies[leg.account_id]] += leg.amount_minor
    unbalanced = {c: t for c, t in totals.items() if t != 0}
    if unbalanced:
        raise UnbalancedEntry(f"postings do not sum to zero per currency: {unbalanced}")


def _apply(legs: Sequence[Leg], accounts: dict[int, _Locked]) -> list[tuple[int, int, str, int]]:
    """Move the locked balances; return (account, amount, currency, balance_after) per leg.

    Raises InsufficientFunds if any account ends beyond its overdraft limit.
    """
    if len(accounts) != len({leg.account_id for leg in legs}):
        raise ValueError("unknown ledger account in legs")
    _check_balanced(legs, {pk: a.currency for pk, a in accounts.items()})
    rows = []
    for leg in legs:
        account = accounts[leg.account_id]
        account.balance_minor += leg.amount_minor if account.debit_normal else -leg.amount_minor
        rows.append((account.id, leg.amount_minor, account.currency, account.balance_minor))
    for account in accounts.values():
        if not account.unlimited_overdraft and account.balance_minor < -account.overdraft_limit_minor:
            raise InsufficientFunds("The account's available balance does not cover this amount.")
    return rows


def ledger_post(
    *,
    external_ref: str,
    kind: str,
    legs: Sequence[Leg],
    description: str = "",
    business_date: date | None = None,
) -> JournalEntry:
    """Post one balanced entry atomically; a repeat of `external_ref` returns the first entry.

    - the postings must sum to zero in every currency (else `UnbalancedEntry`);
    - a repeat of `external_ref` with the same legs and kind returns the first entry and
      writes nothing; with other legs it raises `DuplicateEntryMismatch` (409);
    - the accounts are locked in id order and each account's overdraft rule is checked
      under the lock (`InsufficientFunds`, 422, writes nothing);
    - the entry, its postings and the new balances commit together.
    """
    _check_legs(legs)
    day = business_date or current_business_date()
    description = description[:255]
    if connection.vendor == "postgresql":
        return _post_postgresql(external_ref, kind, legs, description, day)
    return _post_portable(external_ref, kind, legs, description, day)


_ENTRY_TABLE = JournalEntry._meta.db_table
_ACCOUNT_TABLE = LedgerAccount._meta.db_table
_POSTING_TABLE = Posting._meta.db_table
_OVERDRAFT_CONSTRAINT = "ledger_account_within_overdraft"

# One statement does the whole post. Reading it top to bottom:
# - new_entry claims the reference (a concurrent post of the same reference waits here
#   until the first commits, then finds it taken and nothing else happens);
# - locked takes the row locks of the accounts in id order, only if the claim succeeded.
#   The UPDATE below touches a row only after `locked` has produced it, and `locked`
#   produces (and locks) rows in ascending id, so whatever plan PostgreSQL picks, locks
#   are acquired in id order and opposite transfers cannot deadlock;
# - moved adds each leg to its account in the account's normal direction and counts the
#   posting (posting_count versions the account's statement); the table's
#   CHECK constraint refuses a balance beyond the overdraft limit (-> InsufficientFunds);
# - posted writes one posting per leg with the balance right after it;
# - the final row always exists: an entry id of NULL means the reference was posted before;
#   an unknown account or postings that do not balance per currency make
#   ledger_refuse_post() (migration ledger.0004) raise, which aborts the whole statement.
# Outside a transaction the statement is its own transaction (one round trip in all);
# inside the caller's transaction it runs in a savepoint.
_POST_SQL = """
WITH new_entry AS (
    INSERT INTO {entry} (external_ref, kind, description, business_date, created_at)
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (external_ref) DO NOTHING
    RETURNING id
),
legs (n, account_id, amount) AS (VALUES {legs}),
locked AS MATERIALIZED (
    SELECT a.id FROM {account} AS a
    WHERE a.id = ANY(%s::bigint[]) AND EXISTS (SELECT 1 FROM new_entry)
    ORDER BY a.id
    FOR NO KEY UPDATE OF a
),
moved AS (
    UPDATE {account} AS a
    SET balance_minor = a.balance_minor + CASE WHEN a.type IN ('asset', 'expense') THEN g.amount ELSE -g.amount END,
        posting_count = a.posting_count + 1
    FROM legs AS g
    WHERE a.id = g.account_id AND a.id IN (SELECT id FROM locked)
    RETURNING g.n, a.id, a.balance_minor, a.currency, g.amount
),
posted AS (
    INSERT INTO {posting} (entry_id, account_id, amount_minor, currency, balance_after_minor, business_date, created_at)
    SELECT (SELECT id FROM new_entry), m.id, m.amount, m.currency, m.balance_minor, %s, %s
    FROM moved AS m ORDER BY m.n
    RETURNING currency, amount_minor
)
SELECT (SELECT id FROM new_entry),
       CASE
           WHEN NOT EXISTS (SELECT 1 FROM new_entry) THEN 0
           WHEN (SELECT count(*) FROM posted) <> {leg_count} THEN ledger_refuse_post('unknown_account')
           WHEN EXISTS (SELECT 1 FROM posted GROUP BY currency HAVING SUM(amount_minor) <> 0)
               THEN ledger_refuse_post('unbalanced')
           ELSE 0
       END
"""

# The same when an account appears in several legs: its net change is applied once and
# each posting's balance-after is the running balance in leg order.
_POST_REPEATED_ACCOUNTS_SQL = """
WITH new_entry AS (
    INSERT INTO {entry} (external_ref, kind, description, business_date, created_at)
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (external_ref) DO NOTHING
    RETURNING id
),
legs (n, account_id, amount) AS (VALUES {legs}),
locked AS MATERIALIZED (
    SELECT a.id, a.type IN ('asset', 'expense') AS debit_normal
    FROM {account} AS a
    WHERE a.id = ANY(%s::bigint[]) AND EXISTS (SELECT 1 FROM new_entry)
    ORDER BY a.id
    FOR NO KEY UPDATE OF a
),
signed AS (
    SELECT g.n, g.account_id, g.amount, CASE WHEN l.debit_normal THEN g.amount ELSE -g.amount END AS delta
    FROM legs AS g JOIN locked AS l ON l.id = g.account_id
),
moved AS (
    UPDATE {account} AS a SET balance_minor = a.balance_minor + d.delta, posting_count = a.posting_count + d.postings
    FROM (SELECT account_id, SUM(delta) AS delta, count(*) AS postings FROM signed GROUP BY account_id) AS d
    WHERE a.id = d.account_id
    RETURNING a.id, a.balance_minor, a.currency
),
posted AS (
    INSERT INTO {posting} (entry_id, account_id, amount_minor, currency, balance_after_minor, business_date, created_at)
    SELECT (SELECT id FROM new_entry), s.account_id, s.amount, m.currency,
           m.balance_minor - COALESCE(SUM(s.delta) OVER (
               PARTITION BY s.account_id ORDER BY s.n ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0),
           %s, %s
    FROM signed AS s JOIN moved AS m ON m.id = s.account_id
    ORDER BY s.n
    RETURNING currency, amount_minor
)
SELECT (SELECT id FROM new_entry),
       CASE
           WHEN NOT EXISTS (SELECT 1 FROM new_entry) THEN 0
           WHEN (SELECT count(*) FROM posted) <> {leg_count} THEN ledger_refuse_post('unknown_account')
           WHEN EXISTS (SELECT 1 FROM posted GROUP BY currency HAVING SUM(amount_minor) <> 0)
               THEN ledger_refuse_post('unbalanced')
           ELSE 0
       END
"""


def _post_postgresql(external_ref: str, kind: str, legs: Sequence[Leg], description: str, day: date) -> JournalEntry:
    now = timezone.now()
    account_ids = sorted({leg.account_id for leg in legs})
    sql = _post_sql(len(legs), repeated_accounts=len(account_ids) < len(legs))
    params: list[Any] = [external_ref, kind, description, day, now]
    for n, leg in enumerate(legs):
        params += [n, leg.account_id, leg.amount_minor]
    params += [account_ids, day, now]
    try:
        if connection.get_autocommit() and not connection.in_atomic_block:
            entry_id = _execute(sql, params)  # a single statement: atomic on its own
        else:
            with transaction.atomic():
                entry_id = _execute(sql, params)
    except IntegrityError as error:
        if _violated_constraint(error) == _OVERDRAFT_CONSTRAINT:
            raise InsufficientFunds("The account's available balance does not cover this amount.") from None
        raise
    except DatabaseError as error:
        reason = _refusal(error)
        if reason == "unbalanced":
            raise UnbalancedEntry("postings do not sum to zero per currency") from None
        if reason == "unknown_account":
            raise ValueError("unknown ledger account in legs") from None
        raise
    if entry_id is None:
        # Posted before (or by a concurrent transaction that has now committed).
        return _same_entry_or_conflict(JournalEntry.objects.get(external_ref=external_ref), kind, legs)
    return _entry_instance(entry_id, external_ref, kind, description, day, now)


@functools.lru_cache(maxsize=32)
def _post_sql(leg_count: int, *, repeated_accounts: bool) -> str:
    return (_POST_REPEATED_ACCOUNTS_SQL if repeated_accounts else _POST_SQL).format(
        entry=_ENTRY_TABLE,
        account=_ACCOUNT_TABLE,
        posting=_POSTING_TABLE,
        legs=", ".join(["(%s::int, %s::bigint, %s::bigint)"] * leg_count),
        leg_count=int(leg_count),
    )


def _execute(sql: str, params: list[Any]) -> int | None:
    with fast_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return row[0] if row else None


_REFUSED_SQLSTATE = "LG001"


def _refusal(error: DatabaseError) -> str | None:
    """The reason ledger_refuse_post() gave, if it raised this error."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) != _REFUSED_SQLSTATE:
        return None
    message = getattr(getattr(cause, "diag", None), "message_primary", "") or ""
    return message.rpartition(": ")[2] or None


def _violated_constraint(error: IntegrityError) -> str | None:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _entry_instance(pk: int, external_ref: str, kind: str, description: str, day: date, now: datetime) -> JournalEntry:
    entry = JournalEntry(
        id=pk, external_ref=external_ref, kind=kind, description=description, business_date=day, created_at=now
    )
    entry._state.adding = False
    entry._state.db = "default"
    return entry


def _post_portable(external_ref: str, kind: str, legs: Sequence[Leg], description: str, day: date) -> JournalEntry:
    account_ids = sorted({leg.account_id for leg in legs})
    with transaction.atomic():
        existing = JournalEntry.objects.filter(external_ref=external_ref).first()
        if existing is not None:
            return _same_entry_or_conflict(existing, kind, legs)
        accounts = {
            a.pk: _Locked(a.pk, a.currency, a.is_debit_normal, a.balance_minor, a.overdraft_limit_minor, a.unlimited_overdraft)
            for a in LedgerAccount.objects.select_for_update().filter(pk__in=account_ids).order_by("pk")
        }
        rows = _apply(legs, accounts)
        try:
            with transaction.atomic():
                entry = JournalEntry.objects.create(
                    external_ref=external_ref, kind=kind, description=description, business_date=day
                )
        except IntegrityError:
            # A concurrent request posted the same reference first.
            return _same_entry_or_conflict(JournalEntry.objects.get(external_ref=external_ref), kind, legs)
        Posting.objects.bulk_create(
            Posting(
                entry=entry,
                account_id=account_id,
                amount_minor=amount,
                currency=currency,
                balance_after_minor=balance_after,
                business_date=day,
            )
            for account_id, amount, currency, balance_after in rows
        )
        postings_per_account = Counter(leg.account_id for leg in legs)
        LedgerAccount.objects.filter(pk__in=account_ids).update(
            balance_minor=Case(*(When(pk=a.id, then=Value(a.balance_minor)) for a in accounts.values())),
            posting_count=F("posting_count")
            + Case(*(When(pk=pk, then=Value(n)) for pk, n in postings_per_account.items())),
        )
    return entry


def _same_entry_or_conflict(entry: JournalEntry, kind: str, legs: Iterable[Leg]) -> JournalEntry:
    posted = sorted(entry.postings.values_list("account_id", "amount_minor"))
    wanted = sorted((leg.account_id, leg.amount_minor) for leg in legs)
    if posted != wanted or entry.kind != kind:
        raise DuplicateEntryMismatch(f"Reference {entry.external_ref} was posted with other amounts.")
    return entry


def ledger_account_set_overdraft_limit(*, account_id: int, overdraft_limit_minor: int) -> LedgerAccount:
    """Change an account's overdraft line; refused if the balance would then be beyond it."""
    if overdraft_limit_minor < 0:
        raise ValueError("an overdraft limit is not negative")
    with transaction.atomic():
        account = LedgerAccount.objects.select_for_update().get(pk=account_id)
        if not account.unlimited_overdraft and account.balance_minor < -overdraft_limit_minor:
            raise Unprocessable("The balance is already below the requested limit.", code="overdraft_in_use")
        account.overdraft_limit_minor = overdraft_limit_minor
        account.save(update_fields=["overdraft_limit_minor"])
    return account
