"""Reads from the ledger."""
from __future__ import annotations

from django.db.models import Sum

from .models import LedgerAccount, Posting


def ledger_account_by_code(*, code: str) -> LedgerAccount:
    return LedgerAccount.objects.get(code=code)


def ledger_trial_balance() -> dict[str, int]:
    """Sum of all postings per currency: zero in every currency when the books balance."""
    rows = Posting.objects.values("currency").annotate(total=Sum("amount_minor"))
    return {row["currency"]: row["total"] or 0 for row in rows}


def ledger_balances_match_postings() -> bool:
    """Every account's stored balance equals the sum of its postings (in its normal direction)."""
    sums = dict(Posting.objects.values("account_id").annotate(total=Sum("amount_minor")).values_list("account_id", "total"))
    for account in LedgerAccount.objects.all():
        total = sums.get(account.pk, 0) or 0
        expected = total if account.is_debit_normal else -total
        if expected != account.balance_minor:
            return False
    return True
