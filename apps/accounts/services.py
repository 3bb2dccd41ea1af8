"""Writes for deposit accounts and payments."""
from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.core.actors import Actor
from apps.core.errors import Forbidden, NotFound, Unprocessable, field_error
from apps.core.ids import new_id
from apps.core.money import CurrencyMismatch, Money
from apps.customers.models import Customer
from apps.customers.selectors import customer_require_verified
from apps.ledger.models import LedgerAccount
from apps.ledger.services import Leg, ledger_account_open, ledger_post
from apps.oauth.payment_consents import payment_consent_consume, payment_consent_lock

from .models import DepositAccount, Payment

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
    *, actor: Actor, customer: Customer, name: str, kind: str, currency: str = "CNY", overdraft_limit_minor: int = 0
) -> DepositAccount:
    """Open a deposit account and its ledger account (a liability of the bank). `actor`
    (staff, the seed job, a test) is who opened it."""
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


class AccountFrozen(Unprocessable):
    code = "account_frozen"
    title = "The account cannot make payments"


class CreditorAccountNotFound(Unprocessable):
    code = "creditor_account_not_found"
    title = "No account of this bank has that number"


class SameAccount(Unprocessable):
    code = "same_account"
    title = "The debtor and creditor accounts are the same"


class PaymentDoesNotMatchConsent(Unprocessable):
    code = "payment_does_not_match_consent"
    title = "The payment does not match its consent"


def _require_staff(actor: Actor | None) -> None:
    # The actor names a user; whether that user is active staff is read now, not trusted.
    is_staff = (
        actor is not None
        and actor.kind == "staff"
        and get_user_model().objects.filter(pk=actor.id, is_active=True, is_staff=True).exists()
    )
    if not is_staff:
        raise Forbidden("Only bank staff may freeze or unfreeze accounts.", code="staff_only")


def _set_status(*, account_id: str, actor: Actor, status: str, allowed_from: set[str]) -> DepositAccount:
    _require_staff(actor)
    with transaction.atomic():
        account = DepositAccount.objects.select_for_update(no_key=True).filter(pk=account_id).first()
        if account is None:
            raise NotFound("No such account.")
        if account.status == status:
            return account
        if account.status not in allowed_from:
            raise Unprocessable(f"A {account.status} account cannot become {status}.", code="account_status_conflict")
        account.status = status
        account.save(update_fields=["status"])
    return account


def deposit_account_freeze(*, account_id: str, actor: Actor) -> DepositAccount:
    """Staff only: stop all payments out of the account (it stays readable and can receive)."""
    return _set_status(account_id=account_id, actor=actor, status=DepositAccount.Status.FROZEN,
                       allowed_from={DepositAccount.Status.ACTIVE})


def deposit_account_unfreeze(*, account_id: str, actor: Actor) -> DepositAccount:
    """Staff only: let a frozen account pay again."""
    return _set_status(account_id=account_id, actor=actor, status=DepositAccount.Status.ACTIVE,
                       allowed_from={DepositAccount.Status.FROZEN})


def _normalise_account_number(number: str) -> str:
    return "".join(number.split())


def payment_create(
    *,
    actor: Actor,
    consent_id: str,
    application_id: int,
    customer_id: str,
    amount: Money,
    creditor_account_number: str,
    reference: str = "",
) -> Payment:
    """Make the one payment a payment consent authorises, in one transaction.

    The consent is locked first (a second payment on it waits, then finds it consumed),
    then the debtor account (so a freeze cannot slip in between the check and the
    booking); the ledger entry `payment:<id>`, the payment and the consumed consent commit
    together, and any refusal (`insufficient_funds` included) writes nothing. Only a
    customer whose identity check is verified may pay (422 `kyc_not_verified`). `actor` is
    the OAuth client making the payment for the customer.
    """
    creditor_number = _normalise_account_number(creditor_account_number)
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("No such customer.")
    customer_require_verified(customer=customer)
    with transaction.atomic():
        consent = payment_consent_lock(consent_id=consent_id, application_id=application_id, customer_id=customer_id)
        mismatches = []
        if consent.amount_minor != amount.minor:
            mismatches.append(field_error("amount.amount", "mismatch", "Differs from the consented amount."))
        if consent.currency != amount.currency:
            mismatches.append(field_error("amount.currency", "mismatch", "Differs from the consented currency."))
        if _normalise_account_number(consent.creditor_account_number) != creditor_number:
            mismatches.append(field_error("creditor_account_number", "mismatch", "Differs from the consented creditor."))
        if reference and consent.reference and reference != consent.reference:
            mismatches.append(field_error("reference", "mismatch", "Differs from the consented reference."))
        if mismatches:
            raise PaymentDoesNotMatchConsent(
                "The payment must match what the customer consented to exactly.", errors=mismatches
            )
        # FOR NO KEY UPDATE: a plain FOR UPDATE blocks the foreign-key check of a payment or
        # loan being inserted against this account by a transaction that already holds a
        # ledger row this one waits for (two customers paying each other deadlocked).
        debtor = (
            DepositAccount.objects.select_for_update(no_key=True)
            .filter(pk=consent.debtor_account_id, customer_id=customer_id)
            .first()
        )
        if debtor is None:
            raise AccountFrozen("The consented debtor account is no longer available.", code="debtor_account_not_found")
        if debtor.status != DepositAccount.Status.ACTIVE:
            raise AccountFrozen(f"The debtor account is {debtor.status} and cannot make payments.")
        creditor = DepositAccount.objects.filter(account_number=creditor_number).first()
        if creditor is None or creditor.status == DepositAccount.Status.CLOSED:
            raise CreditorAccountNotFound(
                "No open account of this bank has that number.",
                errors=[field_error("creditor_account_number", "not_found", "Unknown account number.")],
            )
        if creditor.pk == debtor.pk:
            raise SameAccount(
                "A payment cannot go to the account it comes from.",
                errors=[field_error("creditor_account_number", "same_account", "This is the debtor account.")],
            )
        if not (debtor.currency == creditor.currency == amount.currency):
            raise CurrencyMismatch(
                f"The payment is in {amount.currency}; the debtor account holds {debtor.currency} and the "
                f"creditor account {creditor.currency}: both must hold the payment's currency."
            )
        payment_id = new_id("pay")
        entry = ledger_post(
            external_ref=f"payment:{payment_id}",
            kind="payment",
            legs=[Leg(debtor.ledger_account_id, amount.minor), Leg(creditor.ledger_account_id, -amount.minor)],
            description=reference or consent.reference or f"Payment {payment_id}",
        )
        payment = Payment.objects.create(
            id=payment_id,
            consent=consent,
            application_id=application_id,
            customer_id=customer_id,
            debtor_account=debtor,
            creditor_account=creditor,
            amount_minor=amount.minor,
            currency=amount.currency,
            reference=reference or consent.reference,
            status=Payment.Status.BOOKED,
            journal_entry=entry,
            business_date=entry.business_date,
        )
        payment_consent_consume(consent=consent)
    return payment
