"""Reads of deposit accounts and payments, as customers and consented third parties see them."""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db.models import QuerySet
from django.utils import timezone

from apps.core.errors import NotFound
from apps.core.money import Money
from apps.core.pagination import Fetch
from apps.ledger.selectors import StatementLine, ledger_account_statement_page, ledger_account_statement_version

from .models import DepositAccount, Payment


def consentable_accounts(*, customer_id: str) -> list[dict[str, Any]]:
    """The accounts a customer may choose to share on a consent page."""
    return [
        {"id": a.id, "name": a.name, "masked_number": a.masked_number, "currency": a.currency}
        for a in DepositAccount.objects.filter(customer_id=customer_id, status=DepositAccount.Status.ACTIVE).order_by("id")
    ]


def deposit_accounts_visible(*, customer_id: str, account_ids: Iterable[str]) -> QuerySet[DepositAccount]:
    """The customer's own accounts among those a consent shares (both conditions, always)."""
    return DepositAccount.objects.filter(customer_id=customer_id, id__in=list(account_ids)).select_related(
        "ledger_account"
    )


def deposit_account_visible_get(*, customer_id: str, account_ids: Iterable[str], account_id: str) -> DepositAccount:
    """One visible account, or 404 (another customer's account and an unshared one look alike)."""
    ids = set(account_ids)
    found = (
        list(deposit_accounts_visible(customer_id=customer_id, account_ids=ids).filter(pk=account_id)[:1])
        if account_id in ids
        else []
    )
    if not found:
        raise NotFound("No such account.")
    return found[0]


@dataclass(frozen=True)
class AccountBalances:
    booked: Money
    available: Money
    as_of: datetime


def deposit_account_balances(*, account: DepositAccount) -> AccountBalances:
    """Booked (the ledger balance) and available (booked plus any overdraft line) right now."""
    ledger = account.ledger_account
    return AccountBalances(
        booked=Money(ledger.balance_minor, ledger.currency),
        available=Money(ledger.available_minor, ledger.currency),
        as_of=timezone.now(),
    )


class AccountRef(NamedTuple):
    """What never changes about a deposit account: whose it is and where it is booked."""

    id: str
    customer_id: str
    ledger_account_id: int


# Accounts are never re-owned, re-booked or deleted (the admin and the services allow none
# of it), so their refs can be kept for the life of the process: the statement read, the
# hottest of the API, then needs no query to check that the account is visible.
_ACCOUNT_REFS: dict[str, AccountRef] = {}
_ACCOUNT_REFS_MAX = 100_000


def deposit_account_ref_visible(*, customer_id: str, account_ids: Iterable[str], account_id: str) -> AccountRef:
    """A visible account's ref (both conditions of `deposit_accounts_visible`), or 404."""
    if account_id not in account_ids:
        raise NotFound("No such account.")
    ref = _ACCOUNT_REFS.get(account_id)
    if ref is None:
        row = DepositAccount.objects.filter(pk=account_id).values_list("id", "customer_id", "ledger_account_id").first()
        if row is None:
            raise NotFound("No such account.")
        ref = AccountRef(*row)
        if len(_ACCOUNT_REFS) >= _ACCOUNT_REFS_MAX:
            _ACCOUNT_REFS.clear()
        _ACCOUNT_REFS[account_id] = ref
    if ref.customer_id != customer_id:
        raise NotFound("No such account.")
    return ref


def deposit_account_transactions(
    *, account: AccountRef, booked_from: date | None = None, booked_to: date | None = None
) -> Fetch:
    """The account's bookings as a page source for `paginate`, newest first, business
    dates inclusive."""

    def fetch(before_id: int | None, limit: int) -> list[StatementLine]:
        return ledger_account_statement_page(
            ledger_account_id=account.ledger_account_id, booked_from=booked_from, booked_to=booked_to,
            before_id=before_id, limit=limit,
        )

    return fetch


def deposit_account_statement_version(*, account: AccountRef) -> Hashable:
    """A version that moves, in commit order, whenever the account's statement changes."""
    return ledger_account_statement_version(ledger_account_id=account.ledger_account_id)


def payment_visible_get(*, payment_id: str, customer_id: str, application_id: int) -> Payment:
    """A payment the customer made through this client, or 404."""
    payment = (
        Payment.objects.select_related("debtor_account", "creditor_account")
        .filter(pk=payment_id, customer_id=customer_id, application_id=application_id)
        .first()
    )
    if payment is None:
        raise NotFound("No such payment.")
    return payment
