"""Demo deposit accounts: an opening deposit each, and one savings transfer per individual.

Each customer entry of the seed output gets `accounts` (ids, as the API names them) and
`deposit_accounts` (id, account number, name, kind, currency): a payment's creditor is an
account number and a name (the customer's `display_name`).
"""
from __future__ import annotations

from apps.core.actors import Actor
from apps.customers.models import Customer
from apps.ledger.bank_books import bank_account
from apps.ledger.services import Leg, ledger_post

from .models import DepositAccount
from .services import deposit_account_open

OPENING_DEPOSIT_MINOR = 5_000_000  # RMB 50,000.00
SAVINGS_TRANSFER_MINOR = 100_000  # RMB 1,000.00: so statements show money in and out


def seed(output: dict) -> None:
    cash = bank_account("cash")
    for entry in output["customers"]:
        customer = Customer.objects.get(pk=entry["id"])
        accounts = list(DepositAccount.objects.filter(customer=customer).order_by("id"))
        if not accounts:
            kind = DepositAccount.Kind.BUSINESS if customer.kind == Customer.Kind.BUSINESS else DepositAccount.Kind.CURRENT
            accounts = [deposit_account_open(actor=Actor.system("seed"), customer=customer, name="Everyday account", kind=kind)]
            if customer.kind == Customer.Kind.INDIVIDUAL:
                accounts.append(deposit_account_open(actor=Actor.system("seed"), customer=customer, name="Savings", kind=DepositAccount.Kind.SAVINGS))
        for account in accounts:
            ledger_post(
                external_ref=f"demo:opening-deposit:{account.id}",
                kind="cash_deposit",
                description="Opening deposit",
                legs=[Leg(cash.pk, OPENING_DEPOSIT_MINOR), Leg(account.ledger_account_id, -OPENING_DEPOSIT_MINOR)],
            )
        if len(accounts) > 1:
            everyday, savings = accounts[0], accounts[1]
            ledger_post(
                external_ref=f"demo:savings-transfer:{everyday.id}",
                kind="internal_transfer",
                description="Monthly savings",
                legs=[
                    Leg(everyday.ledger_account_id, SAVINGS_TRANSFER_MINOR),
                    Leg(savings.ledger_account_id, -SAVINGS_TRANSFER_MINOR),
                ],
            )
        entry["accounts"] = [a.id for a in accounts]
        # What a payment names as its creditor (`creditor_account_number`, `creditor_name`):
        # another demo customer's account number, so a payment can be tried without looking it up.
        entry["deposit_accounts"] = [
            {"id": a.id, "account_number": a.account_number, "name": a.name, "kind": a.kind, "currency": a.currency}
            for a in accounts
        ]
