"""Writes to the ledger. Every money movement in the platform goes through `ledger_post`."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction

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


def _check_balanced(legs: Sequence[Leg], currencies: dict[int, str]) -> None:
    totals: dict[str, int] = defaultdict(int)
    for leg in legs:
        if not isinstance(leg.amount_minor, int) or leg.amount_minor == 0:
            raise UnbalancedEntry("every leg needs a non-zero integer amount")
        totals[currencies[leg.account_id]] += leg.amount_minor
    unbalanced = {c: t for c, t in totals.items() if t != 0}
    if unbalanced:
        raise UnbalancedEntry(f"postings do not sum to zero: {unbalanced}")


def ledger_post(
    *,
    external_ref: str,
    kind: str,
    legs: Sequence[Leg],
    description: str = "",
    business_date: date | None = None,
) -> JournalEntry:
    """Post one balanced entry atomically; a repeat of `external_ref` returns the first entry.

    Accounts are locked in id order (no deadlocks between opposite transfers), balances are
    moved with the overdraft rule of each account checked under the lock, and the entry
    and its postings are written in the same transaction.
    """
    if len(legs) < 2:
        raise UnbalancedEntry("an entry needs at least two legs")
    day = business_date or current_business_date()
    account_ids = sorted({leg.account_id for leg in legs})
    with transaction.atomic():
        existing = JournalEntry.objects.filter(external_ref=external_ref).first()
        if existing is not None:
            return _same_entry_or_conflict(existing, legs)
        accounts = {
            a.pk: a for a in LedgerAccount.objects.select_for_update().filter(pk__in=account_ids).order_by("pk")
        }
        if len(accounts) != len(account_ids):
            raise ValueError("unknown ledger account in legs")
        _check_balanced(legs, {pk: a.currency for pk, a in accounts.items()})
        postings: list[Posting] = []
        for leg in legs:
            account = accounts[leg.account_id]
            delta = leg.amount_minor if account.is_debit_normal else -leg.amount_minor
            account.balance_minor += delta
            if not account.unlimited_overdraft and account.balance_minor < -account.overdraft_limit_minor:
                raise InsufficientFunds(
                    "The account's available balance does not cover this amount.",
                )
            postings.append(
                Posting(
                    account_id=account.pk,
                    amount_minor=leg.amount_minor,
                    currency=account.currency,
                    balance_after_minor=account.balance_minor,
                    business_date=day,
                )
            )
        try:
            with transaction.atomic():
                entry = JournalEntry.objects.create(
                    external_ref=external_ref, kind=kind, description=description[:255], business_date=day
                )
        except IntegrityError:
            # A concurrent request posted the same reference first.
            existing = JournalEntry.objects.get(external_ref=external_ref)
            return _same_entry_or_conflict(existing, legs)
        for posting in postings:
            posting.entry = entry
        Posting.objects.bulk_create(postings)
        for account in accounts.values():
            LedgerAccount.objects.filter(pk=account.pk).update(balance_minor=account.balance_minor)
    return entry


def _same_entry_or_conflict(entry: JournalEntry, legs: Sequence[Leg]) -> JournalEntry:
    posted = sorted(entry.postings.values_list("account_id", "amount_minor"))
    wanted = sorted((leg.account_id, leg.amount_minor) for leg in legs)
    if posted != wanted:
        raise DuplicateEntryMismatch(f"Reference {entry.external_ref} was posted with other amounts.")
    return entry
