"""Accounts, balances, transactions and payments for third-party apps (customer tokens).

A token sees only the accounts that are both in its consent and the authorising
customer's own; anything else is 404. What it may read is further limited by the consent's
permissions (403 `consent_permission_missing`). Payments need a token bound to an
authorised payment consent and are made exactly as consented. Reads answer with a strong
`ETag` and `If-None-Match` with 304 (apps.core.conditional).

One module per resource: `accounts` (list, detail, balances), `statements` (transactions),
`payments`; `common` holds what they share.
"""
from .accounts import AccountBalancesApi, AccountDetailApi, AccountListApi
from .payments import PaymentCreateApi, PaymentDetailApi
from .statements import AccountTransactionsApi, CreditDebitIndicator

__all__ = [
    "AccountBalancesApi",
    "AccountDetailApi",
    "AccountListApi",
    "AccountTransactionsApi",
    "CreditDebitIndicator",  # named in settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]
    "PaymentCreateApi",
    "PaymentDetailApi",
]
