"""Writes to the ledger. Every money movement in the platform goes through `ledger_post`.

`ledger_post` is one portable ORM path, the same on PostgreSQL and SQLite, in one
transaction (a savepoint inside the caller's):

1. claim the reference: INSERT the journal entry (its `external_ref` is unique, so a
   concurrent post of the same reference waits here for the first to commit, then fails
   and returns the first entry);
2. lock the rows of the accounts that track a balance, `SELECT … FOR UPDATE` in ascending
   id (the lock order of docs/ledger.md, so opposite transfers cannot deadlock), and read
   the bank's own books, which track no balance, without a lock;
3. check the legs balance per currency and every tracked account stays within its
   overdraft rule on the locked balance (`InsufficientFunds`: nothing is written);
4. bulk-create the postings (with the balance after each one on tracked accounts) and
   move the tracked balances and posting counts in one UPDATE.

The bank's books are never locked or updated here, so customers' movements wait only for
other movements of the same customer accounts.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When

from apps.core.clock import business_date as current_business_date
from apps.core.errors import Conflict, Unprocessable

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


def ledger_account_open(
    *,
    code: str,
    name: str,
    type: str,
    currency: str,
    overdraft_limit_minor: int = 0,
    unlimited_overdraft: bool = False,
    tracks_balance: bool = True,
) -> LedgerAccount:
    """Open (or return the existing) ledger account with this code.

    `tracks_balance=False` (the bank's own books, which must then be `unlimited_overdraft`)
    keeps no running balance on the row: posts never lock it."""
    account, _created = LedgerAccount.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "type": type,
            "currency": currency,
            "overdraft_limit_minor": overdraft_limit_minor,
            "unlimited_overdraft": unlimited_overdraft,
            "tracks_balance": tracks_balance,
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


def _check_balanced(legs: Sequence[Leg], accounts: dict[int, LedgerAccount]) -> None:
    totals: dict[str, int] = defaultdict(int)
    for leg in legs:
        totals[accounts[leg.account_id].currency] += leg.amount_minor
    unbalanced = {c: t for c, t in totals.items() if t != 0}
    if unbalanced:
        raise UnbalancedEntry(f"postings do not sum to zero per currency: {unbalanced}")


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
    - the accounts that track a balance are locked in ascending id and each one's overdraft
      rule is checked under the lock (`InsufficientFunds`, 422, writes nothing); the bank's
      own books (untracked) are neither locked nor updated;
    - the entry, its postings and the new balances commit together.
    """
    _check_legs(legs)
    day = business_date or current_business_date()
    try:
        with transaction.atomic():
            return _post(external_ref, kind, legs, description[:255], day)
    except IntegrityError:
        # The reference was taken: posted before, or by a concurrent transaction that has
        # now committed (the INSERT waited for it). Anything else is re-raised.
        existing = JournalEntry.objects.filter(external_ref=external_ref).first()
        if existing is None:
            raise
        return _same_entry_or_conflict(existing, kind, legs)


def _post(external_ref: str, kind: str, legs: Sequence[Leg], description: str, day: date) -> JournalEntry:
    # The claim comes first, before any account lock: a repeat of a reference (a retry)
    # fails here and is answered with the first entry even if the money has gone since.
    entry = JournalEntry.objects.create(external_ref=external_ref, kind=kind, description=description, business_date=day)
    account_ids = sorted({leg.account_id for leg in legs})
    fields = ("id", "type", "currency", "balance_minor", "overdraft_limit_minor", "unlimited_overdraft", "tracks_balance")
    accounts = {
        a.pk: a
        for a in LedgerAccount.objects.select_for_update(no_key=True)
        .filter(pk__in=account_ids, tracks_balance=True)
        .order_by("pk")
        .only(*fields)
    }
    if len(accounts) < len(account_ids):  # the bank's own books: read, never locked
        accounts.update(
            (a.pk, a) for a in LedgerAccount.objects.filter(pk__in=account_ids, tracks_balance=False).only(*fields)
        )
    if len(accounts) != len(account_ids):
        raise ValueError("unknown ledger account in legs")
    _check_balanced(legs, accounts)
    postings = []
    for leg in legs:
        account = accounts[leg.account_id]
        balance_after = None
        if account.tracks_balance:
            account.balance_minor += leg.amount_minor if account.is_debit_normal else -leg.amount_minor
            balance_after = account.balance_minor
        postings.append(Posting(
            entry=entry, account_id=account.pk, amount_minor=leg.amount_minor, currency=account.currency,
            balance_after_minor=balance_after, business_date=day,
        ))
    tracked = [a for a in accounts.values() if a.tracks_balance]
    for account in tracked:
        if not account.unlimited_overdraft and account.balance_minor < -account.overdraft_limit_minor:
            raise InsufficientFunds("The account's available balance does not cover this amount.")
    Posting.objects.bulk_create(postings)
    if tracked:
        counts = Counter(leg.account_id for leg in legs)
        LedgerAccount.objects.filter(pk__in=[a.pk for a in tracked]).update(
            balance_minor=Case(*(When(pk=a.pk, then=Value(a.balance_minor)) for a in tracked)),
            posting_count=F("posting_count") + Case(*(When(pk=a.pk, then=Value(counts[a.pk])) for a in tracked)),
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
        account = LedgerAccount.objects.select_for_update(no_key=True).get(pk=account_id)
        if not account.unlimited_overdraft and account.balance_minor < -overdraft_limit_minor:
            raise Unprocessable("The balance is already below the requested limit.", code="overdraft_in_use")
        account.overdraft_limit_minor = overdraft_limit_minor
        account.save(update_fields=["overdraft_limit_minor"])
    return account
