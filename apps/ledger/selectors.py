"""Reads from the ledger: balances, statements and the books' invariants."""
from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from .models import LedgerAccount, Posting


def ledger_account_by_code(*, code: str) -> LedgerAccount:
    return LedgerAccount.objects.get(code=code)


def ledger_account_statement(
    *, ledger_account_id: int, booked_from: date | None = None, booked_to: date | None = None
) -> QuerySet[Posting]:
    """An account's postings with their entries, both business-date bounds inclusive.

    Each posting carries the account's balance right after it, so a statement page needs
    no running sum. Order it by `-pk` for newest first (the `posting_account_recent` index).
    """
    postings = Posting.objects.filter(account_id=ledger_account_id).select_related("entry")
    if booked_from is not None:
        postings = postings.filter(business_date__gte=booked_from)
    if booked_to is not None:
        postings = postings.filter(business_date__lte=booked_to)
    return postings


# The columns a statement line needs, read as plain rows: a page of 50 costs no model objects.
STATEMENT_COLUMNS = (
    "pk", "amount_minor", "currency", "balance_after_minor", "business_date", "created_at",
    "entry__description", "entry__kind", "entry__external_ref",
)


def ledger_account_statement_rows(
    *, ledger_account_id: int, booked_from: date | None = None, booked_to: date | None = None
) -> QuerySet[Posting, dict[str, Any]]:
    """`ledger_account_statement` as `.values()` rows with STATEMENT_COLUMNS."""
    postings = Posting.objects.filter(account_id=ledger_account_id)
    if booked_from is not None:
        postings = postings.filter(business_date__gte=booked_from)
    if booked_to is not None:
        postings = postings.filter(business_date__lte=booked_to)
    return postings.values(*STATEMENT_COLUMNS)


def ledger_trial_balance() -> dict[str, int]:
    """Sum of all postings per currency: zero in every currency when the books balance."""
    rows = Posting.objects.values("currency").annotate(total=Sum("amount_minor"))
    return {row["currency"]: row["total"] or 0 for row in rows}


def ledger_balance_mismatches() -> list[str]:
    """Codes of accounts whose stored balance differs from the sum of their postings."""
    sums = dict(
        Posting.objects.values("account_id").annotate(total=Sum("amount_minor")).values_list("account_id", "total")
    )
    wrong = []
    for account in LedgerAccount.objects.all():
        total = sums.get(account.pk, 0) or 0
        expected = total if account.is_debit_normal else -total
        if expected != account.balance_minor:
            wrong.append(account.code)
    return wrong


def ledger_balances_match_postings() -> bool:
    """Every account's stored balance equals the sum of its postings (in its normal direction)."""
    return not ledger_balance_mismatches()


def ledger_accounts_beyond_limit() -> list[str]:
    """Codes of accounts below their overdraft limit (never any: the database refuses it)."""
    return list(
        LedgerAccount.objects.filter(unlimited_overdraft=False)
        .filter(Q(balance_minor__lt=-F("overdraft_limit_minor")))
        .values_list("code", flat=True)
    )
