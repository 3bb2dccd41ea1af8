"""Test data builders shared by every suite: customers, accounts, OAuth clients and tokens.

Tokens are minted directly (the OAuth flow itself is tested end to end in tests/e2e);
they are real django-oauth-toolkit tokens, bound to real consents, so the API under test
authenticates them exactly as in production.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from apps.accounts.models import DepositAccount
from apps.accounts.services import deposit_account_open
from apps.core.actors import Actor
from apps.customers.models import Customer
from apps.ledger.bank_books import bank_account
from apps.ledger.services import Leg, ledger_post
from apps.oauth.models import ClientProfile, Consent, TokenBinding

ALL_PERMISSIONS = [p.value for p in Consent.Permission]


def make_customer(username: str | None = None, *, kind: str = Customer.Kind.INDIVIDUAL) -> Customer:
    username = username or f"user-{secrets.token_hex(4)}"
    user = get_user_model().objects.create_user(username=username, password="correct-horse-battery")
    return Customer.objects.create(user=user, kind=kind, display_name=username.title(), kyc_status="verified")


def make_account(customer: Customer, *, balance_minor: int = 0, name: str = "Everyday", currency: str = "CNY") -> DepositAccount:
    account = deposit_account_open(actor=Actor.system("tests"), customer=customer, name=name, kind=DepositAccount.Kind.CURRENT, currency=currency)
    if balance_minor:
        fund_account(account, balance_minor)
    return account


def fund_account(account: DepositAccount, amount_minor: int) -> None:
    cash = bank_account("cash", account.currency)
    ledger_post(
        external_ref=f"test:fund:{secrets.token_hex(8)}",
        kind="cash_deposit",
        legs=[Leg(cash.pk, amount_minor), Leg(account.ledger_account_id, -amount_minor)],
    )


def make_client(kind: str = ClientProfile.Kind.THIRD_PARTY, *, scopes: str = "accounts payments credit", name: str | None = None) -> Any:
    Application = get_application_model()
    app = Application.objects.create(
        name=name or f"{kind}-{secrets.token_hex(3)}",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=(
            Application.GRANT_AUTHORIZATION_CODE if kind == ClientProfile.Kind.THIRD_PARTY else Application.GRANT_CLIENT_CREDENTIALS
        ),
        redirect_uris="http://127.0.0.1:8765/callback" if kind == ClientProfile.Kind.THIRD_PARTY else "",
    )
    ClientProfile.objects.create(application=app, kind=kind, display_name=app.name, allowed_scopes=scopes)
    return app


@dataclass
class IssuedToken:
    raw: str
    application: Any
    consent: Consent | None

    @property
    def header(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.raw}"}


def make_consent(
    application: Any,
    customer: Customer,
    *,
    accounts: list[DepositAccount] | None = None,
    permissions: list[str] | None = None,
    kind: str = Consent.Kind.ACCOUNT_ACCESS,
    status: str = Consent.Status.AUTHORISED,
    **fields: Any,
) -> Consent:
    return Consent.objects.create(
        application=application,
        kind=kind,
        status=status,
        customer=customer,
        permissions=ALL_PERMISSIONS if permissions is None and kind == Consent.Kind.ACCOUNT_ACCESS else (permissions or []),
        account_ids=[a.id for a in (accounts or [])],
        expires_at=timezone.now() + timedelta(days=90),
        authorised_at=timezone.now() if status == Consent.Status.AUTHORISED else None,
        **fields,
    )


def issue_token(
    application: Any,
    *,
    scope: str,
    customer: Customer | None = None,
    consent: Consent | None = None,
    expires_in: int = 600,
) -> IssuedToken:
    """A real access token as the token endpoint would issue it (hashed at rest)."""
    AccessToken = get_access_token_model()
    raw = secrets.token_urlsafe(30)
    token = AccessToken(
        user=customer.user if customer else None,
        application=application,
        scope=scope,
        expires=timezone.now() + timedelta(seconds=expires_in),
    )
    token.token = raw
    token.save()
    if consent is not None:
        TokenBinding.objects.create(token_checksum=token.token_checksum, consent=consent)
    return IssuedToken(raw=raw, application=application, consent=consent)


def customer_token(
    customer: Customer,
    *,
    accounts: list[DepositAccount] | None = None,
    scope: str = "accounts payments credit",
    permissions: list[str] | None = None,
    application: Any = None,
    **consent_fields: Any,
) -> IssuedToken:
    """A third-party app's token authorised by `customer` under an account-access consent."""
    application = application or make_client()
    consent = make_consent(application, customer, accounts=accounts, permissions=permissions, **consent_fields)
    return issue_token(application, scope=scope, customer=customer, consent=consent)


def client_token(kind: str = ClientProfile.Kind.THIRD_PARTY, *, scope: str = "accounts payments", application: Any = None) -> IssuedToken:
    application = application or make_client(kind, scopes=scope)
    return issue_token(application, scope=scope)


def payment_token(
    customer: Customer,
    *,
    debtor: DepositAccount,
    creditor_account_number: str,
    amount_minor: int,
    currency: str = "CNY",
    reference: str = "",
    scope: str = "payments",
    application: Any = None,
    status: str = Consent.Status.AUTHORISED,
) -> IssuedToken:
    """A third-party app's token authorised by `customer` under a payment consent."""
    application = application or make_client()
    consent = make_consent(
        application,
        customer,
        kind=Consent.Kind.PAYMENT,
        status=status,
        amount_minor=amount_minor,
        currency=currency,
        creditor_account_number=creditor_account_number,
        creditor_name="Creditor",
        reference=reference,
        debtor_account_id=debtor.id,
    )
    return issue_token(application, scope=scope, customer=customer, consent=consent)


def ledger_counts() -> tuple[int, int, int]:
    """(journal entries, postings, payments): what a refused request must leave unchanged."""
    from apps.accounts.models import Payment
    from apps.ledger.models import JournalEntry, Posting

    return JournalEntry.objects.count(), Posting.objects.count(), Payment.objects.count()
