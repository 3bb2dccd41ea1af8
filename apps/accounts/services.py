"""Writes for deposit accounts and payments."""
from __future__ import annotations

import secrets

from django.db import transaction

from apps.customers.models import Customer
from apps.ledger.models import LedgerAccount
from apps.ledger.services import ledger_account_open

from .models import DepositAccount

BANK_CODE = "6217"  # the card-BIN-like prefix of the bank's account numbers


def _new_account_number() -> str:
    body = BANK_CODE + "".join(secrets.choice("0123456789") for _ in range(14))
    return body + _luhn_digit(body)


def _luhn_digit(number: str) -> str:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


@transaction.atomic
def deposit_account_open(
    *, customer: Customer, name: str, kind: str, currency: str = "CNY", overdraft_limit_minor: int = 0
) -> DepositAccount:
    """Open a deposit account and its ledger account (a liability of the bank)."""
    account = DepositAccount(customer=customer, name=name, kind=kind, currency=currency)
    while True:
        number = _new_account_number()
        if not DepositAccount.objects.filter(account_number=number).exists():
            break
    account.account_number = number
    account.ledger_account = ledger_account_open(
        code=f"deposit:{account.id}",
        name=f"Deposit {account.id}",
        type=LedgerAccount.Type.LIABILITY,
        currency=currency,
        overdraft_limit_minor=overdraft_limit_minor,
    )
    account.save(force_insert=True)
    return account
