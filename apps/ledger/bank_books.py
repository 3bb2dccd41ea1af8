"""The bank's own books, opened on first use. Later apps post loans and settlement here.

They track no running balance (`tracks_balance=False`): nearly every customer movement has
a leg on one of them, so a locked balance row here would queue the whole bank's movements
behind each other. Their balance is the sum of their postings
(`apps.ledger.selectors.ledger_account_balance`)."""
from __future__ import annotations

from .models import LedgerAccount
from .services import ledger_account_open

# code suffix -> (name, type); one set per currency.
BANK_ACCOUNTS: dict[str, tuple[str, str]] = {
    "cash": ("Cash at the central bank", LedgerAccount.Type.ASSET),
    "clearing": ("Payments clearing", LedgerAccount.Type.ASSET),
    "loans_receivable": ("Loans receivable", LedgerAccount.Type.ASSET),
    "interest_receivable": ("Interest receivable", LedgerAccount.Type.ASSET),
    "interest_income": ("Interest income", LedgerAccount.Type.INCOME),
    "penalty_income": ("Penalty interest income", LedgerAccount.Type.INCOME),
    "funder_payables": ("Payables to co-lending funders", LedgerAccount.Type.LIABILITY),
    "write_off_expense": ("Loan write-off expense", LedgerAccount.Type.EXPENSE),
    "equity": ("Paid-in capital", LedgerAccount.Type.EQUITY),
}


def bank_account(name: str, currency: str = "CNY") -> LedgerAccount:
    """The bank's ledger account `bank:<name>:<currency>`, opened if missing."""
    title, kind = BANK_ACCOUNTS[name]
    return ledger_account_open(
        code=f"bank:{name}:{currency}", name=f"{title} ({currency})", type=kind, currency=currency,
        unlimited_overdraft=True, tracks_balance=False,
    )
