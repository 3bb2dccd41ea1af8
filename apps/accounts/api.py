"""Accounts, balances, transactions and payments for third-party apps (customer tokens).

A token sees only the accounts that are both in its consent and the authorising
customer's own; anything else is 404. What it may read is further limited by the consent's
permissions (403 `consent_permission_missing`). Payments need a token bound to an
authorised payment consent and are made exactly as consented.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.db import models
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import IDEMPOTENCY_KEY_PARAMETER, PlatformAPIView
from apps.core.errors import Forbidden, ValidationFailed, field_error
from apps.core.idempotency import idempotent
from apps.core.money import CURRENCY_EXPONENTS, Money, money_json, parse_amount
from apps.core.pagination import LIST_PARAMETERS, page_of, page_request, page_serializer, paginate
from apps.core.renderers import RenderedJSON, render_json
from apps.core.serializers import (
    MoneyInputSerializer,
    MoneySerializer,
    StrictCharField,
    StrictSerializer,
    rfc3339,
)
from apps.core.versioned_cache import VersionedCache
from apps.ledger.selectors import StatementLine
from apps.oauth.authentication import TokenInfo
from apps.oauth.models import Consent
from apps.oauth.permissions import CustomerScopes, consent_customer_id

from . import selectors, services
from .models import DepositAccount, Payment


class CreditDebitIndicator(models.TextChoices):
    CREDIT = "credit"
    DEBIT = "debit"


def _auth(request: Request) -> TokenInfo:
    return cast(TokenInfo, request.auth)  # CustomerScopes has checked it is a customer's TokenInfo


def _require(info: TokenInfo, permission: str) -> None:
    consent_customer_id(info, permission)


# --- serializers -------------------------------------------------------------------------


@extend_schema_serializer(component_name="Account")
class AccountSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=DepositAccount.Kind.choices)
    currency = serializers.CharField()
    account_number = serializers.CharField()
    masked_number = serializers.CharField()
    status = serializers.ChoiceField(
        choices=DepositAccount.Status.choices, help_text="A frozen account can be read but cannot make payments."
    )
    opened_at = serializers.DateTimeField()


def _account(account: DepositAccount) -> dict[str, Any]:
    # Hot read paths build the documented shape directly: a DRF serializer per row costs
    # more than the whole query (the serializers stay as the OpenAPI contract).
    return {
        "id": account.id,
        "name": account.name,
        "kind": account.kind,
        "currency": account.currency,
        "account_number": account.account_number,
        "masked_number": account.masked_number,
        "status": account.status,
        "opened_at": rfc3339(account.opened_at),
    }


@extend_schema_serializer(component_name="AccountBalances")
class BalancesSerializer(serializers.Serializer):
    account_id = serializers.CharField()
    booked = MoneySerializer(help_text="The ledger balance: every booked transaction.")
    available = MoneySerializer(help_text="What can be spent now: booked plus any overdraft line.")
    as_of = serializers.DateTimeField(help_text="When these figures were read.")


@extend_schema_serializer(component_name="TransactionEntry")
class EntrySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="What moved the money, e.g. `payment`, `cash_deposit`.")
    reference = serializers.CharField(help_text="The ledger reference, e.g. `payment:pay_…`.")


@extend_schema_serializer(component_name="Transaction")
class TransactionSerializer(serializers.Serializer):
    id = serializers.CharField()
    amount = MoneySerializer(help_text="Always positive; see credit_debit_indicator.")
    credit_debit_indicator = serializers.ChoiceField(
        choices=CreditDebitIndicator.choices, help_text="credit: money in; debit: money out."
    )
    booking_date = serializers.DateField(help_text="The bank's business date of the booking.")
    booked_at = serializers.DateTimeField()
    description = serializers.CharField(allow_blank=True)
    balance_after = MoneySerializer(help_text="The booked balance right after this transaction.")
    entry = EntrySerializer()


def _transactions(lines: Sequence[StatementLine]) -> list[dict[str, Any]]:
    """Statement lines in the documented `Transaction` shape.

    The dates go to the renderer as they are: it writes a date and a UTC datetime exactly
    as `booking_date` and `booked_at` are documented, and statement lines are read in UTC."""
    credit, debit = CreditDebitIndicator.CREDIT.value, CreditDebitIndicator.DEBIT.value
    return [
        {
            "id": f"txn_{pk}",
            "amount": money_json(abs(amount_minor), currency),
            "credit_debit_indicator": credit if amount_minor < 0 else debit,
            "booking_date": business_date,
            "booked_at": created_at,
            "description": description,
            "balance_after": money_json(balance_after_minor, currency),
            "entry": {"kind": entry_kind, "reference": entry_reference},
        }
        for (pk, amount_minor, currency, balance_after_minor, business_date, created_at, description,
             entry_kind, entry_reference) in lines
    ]


@extend_schema_serializer(component_name="Payment")
class PaymentSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=Payment.Status.choices)
    consent_id = serializers.CharField()
    debtor_account_id = serializers.CharField()
    creditor_account_number = serializers.CharField()
    amount = MoneySerializer()
    reference = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    business_date = serializers.DateField()


def _payment(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "status": payment.status,
        "consent_id": payment.consent_id,
        "debtor_account_id": payment.debtor_account_id,
        "creditor_account_number": payment.creditor_account.account_number,
        "amount": money_json(payment.amount_minor, payment.currency),
        "reference": payment.reference,
        "created_at": rfc3339(payment.created_at),
        "business_date": payment.business_date.isoformat(),
    }


AccountPage = page_serializer(AccountSerializer, "AccountList")
TransactionPage = page_serializer(TransactionSerializer, "TransactionList")

ACCOUNT_ID = OpenApiParameter("account_id", str, OpenApiParameter.PATH, description="An account id, `acc_…`.")


def _visible_account(request: Request, account_id: str) -> DepositAccount:
    info = _auth(request)
    return selectors.deposit_account_visible_get(
        customer_id=info.customer_id or "", account_ids=info.consent_account_ids, account_id=account_id
    )


# --- accounts ----------------------------------------------------------------------------


class AccountListApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["accounts"]]}

    @extend_schema(
        operation_id="accounts_list",
        summary="List the accounts the customer shared",
        description="Needs the consent permission `read_accounts`.",
        parameters=LIST_PARAMETERS,
        responses={200: AccountPage},
        tags=["accounts"],
    )
    def get(self, request: Request) -> Response:
        info = _auth(request)
        _require(info, Consent.Permission.READ_ACCOUNTS)
        accounts = selectors.deposit_accounts_visible(
            customer_id=info.customer_id or "", account_ids=info.consent_account_ids
        )
        return Response(
            paginate(request, accounts, serialize=lambda rows: [_account(a) for a in rows], descending=False)
        )


class AccountDetailApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["accounts"]]}

    @extend_schema(
        operation_id="accounts_retrieve",
        summary="Get one shared account",
        description="Needs the consent permission `read_accounts`.",
        parameters=[ACCOUNT_ID],
        responses={200: AccountSerializer},
        tags=["accounts"],
    )
    def get(self, request: Request, account_id: str) -> Response:
        _require(_auth(request), Consent.Permission.READ_ACCOUNTS)
        return Response(_account(_visible_account(request, account_id)))


class AccountBalancesApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["accounts"]]}

    @extend_schema(
        operation_id="accounts_balances",
        summary="Get an account's booked and available balances",
        description="Needs the consent permission `read_balances`.",
        parameters=[ACCOUNT_ID],
        responses={200: BalancesSerializer},
        tags=["accounts"],
    )
    def get(self, request: Request, account_id: str) -> Response:
        _require(_auth(request), Consent.Permission.READ_BALANCES)
        account = _visible_account(request, account_id)
        balances = selectors.deposit_account_balances(account=account)
        return Response(
            {
                "account_id": account.id,
                "booked": balances.booked.as_json(),
                "available": balances.available.as_json(),
                "as_of": rfc3339(balances.as_of),
            }
        )


class TransactionFilters(serializers.Serializer):
    booked_from = serializers.DateField(required=False, help_text="First business date, inclusive (YYYY-MM-DD).")
    booked_to = serializers.DateField(required=False, help_text="Last business date, inclusive (YYYY-MM-DD).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("booked_from"), attrs.get("booked_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"booked_to": [serializers.ErrorDetail("Must not be before booked_from.", code="before_booked_from")]}
            )
        return attrs


def _booking_filters(request: Request) -> tuple[date | None, date | None]:
    """`TransactionFilters`, validated the cheap way when none is given (the common case)."""
    if "booked_from" not in request.query_params and "booked_to" not in request.query_params:
        return None, None
    filters = TransactionFilters(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data.get("booked_from"), filters.validated_data.get("booked_to")


TRANSACTIONS_EXAMPLES = [
    OpenApiExample(
        "A page of transactions",
        response_only=True,
        value={
            "data": [
                {
                    "id": "txn_1042",
                    "amount": {"amount": "120.00", "currency": "CNY"},
                    "credit_debit_indicator": "debit",
                    "booking_date": "2026-11-14",
                    "booked_at": "2026-11-14T12:31:05.120000Z",
                    "description": "Dinner, 14 Nov",
                    "balance_after": {"amount": "49880.00", "currency": "CNY"},
                    "entry": {"kind": "payment", "reference": "payment:pay_01JCXQ6M8Z4T0V2R9K1B3N5P7Q"},
                }
            ],
            "has_more": True,
            "next_cursor": "eyJrIjoibGVkZ2VyLnBvc3RpbmciLCJwIjoxMDQyfQ.Y5xKsPBxZjuNe-TOcVMLwA",
        },
    )
]


class AccountTransactionsApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["accounts"]]}

    @extend_schema(
        examples=TRANSACTIONS_EXAMPLES,
        operation_id="accounts_transactions",
        summary="List an account's transactions, newest first",
        description="Needs the consent permission `read_transactions`. Filters are on the bank's business date, inclusive.",
        parameters=[ACCOUNT_ID, TransactionFilters, *LIST_PARAMETERS],
        responses={200: TransactionPage},
        tags=["accounts"],
    )
    def get(self, request: Request, account_id: str) -> Response:
        info = _auth(request)
        _require(info, Consent.Permission.READ_TRANSACTIONS)
        booked_from, booked_to = _booking_filters(request)
        account = selectors.deposit_account_ref_visible(
            customer_id=info.customer_id or "", account_ids=info.consent_account_ids, account_id=account_id
        )
        return Response(_statement_page(request, account, booked_from, booked_to))


_POSTINGS = "ledger.posting"


def _statement_page_budget() -> int:
    return settings.STATEMENT_PAGE_CACHE_BYTES


# Statement pages as written, per process, each kept under its account's statement version
# (the posting count). Pollers (aggregators, apps refreshing a screen) mostly re-read pages
# that have not changed: a kept page costs one single-row read of the version instead of
# fifty rows fetched and written.
_STATEMENT_PAGES: VersionedCache[RenderedJSON] = VersionedCache(max_bytes=_statement_page_budget)


def _statement_page(
    request: Request, account: selectors.AccountRef, booked_from: date | None, booked_to: date | None
) -> RenderedJSON:
    """A page of the account's statement, kept or fetched.

    The page is keyed by what determines it: the account, the filters and the verified
    position and size (anything that comes to shape a page later, a consent's transaction
    window say, must join the key). It is kept under the statement's version read *before*
    the rows, so it can be newer than its version but never older: once a post commits,
    every request that starts after it reads the new version and misses; only requests
    already under way can still be given the page, and the post committed while they were.
    The visibility check above runs on every request, so a kept page is never served to a
    token that may not see the account.
    """
    page = page_request(request, kind=_POSTINGS)
    key = (account.id, booked_from, booked_to, page.after, page.limit)
    version = selectors.deposit_account_statement_version(account=account)
    body = _STATEMENT_PAGES.get(key, version)
    if body is None:
        postings = selectors.deposit_account_transactions(account=account, booked_from=booked_from, booked_to=booked_to)
        body = RenderedJSON(render_json(page_of(postings, page, kind=_POSTINGS, serialize=_transactions)))
        _STATEMENT_PAGES.put(key, version, body)
    return body


# --- payments ----------------------------------------------------------------------------


@extend_schema_serializer(component_name="PaymentCreate")
class PaymentInputSerializer(StrictSerializer):
    consent_id = StrictCharField(max_length=32, help_text="The authorised payment consent the token was issued under.")
    amount = MoneyInputSerializer(help_text="Exactly the consented amount and currency.")
    creditor_account_number = StrictCharField(max_length=34, help_text="Exactly the consented creditor account.")
    reference = StrictCharField(max_length=140, required=False, allow_blank=True)


def _parse_money(data: dict[str, Any]) -> Money:
    currency = data["currency"]
    if currency not in CURRENCY_EXPONENTS:
        raise ValidationFailed(
            f"Unknown currency {currency!r}.",
            code="unsupported_currency",
            errors=[
                field_error(
                    "amount.currency", "unsupported_currency", f"Supported: {', '.join(sorted(CURRENCY_EXPONENTS))}."
                )
            ],
        )
    return parse_amount(data["amount"], currency, field="amount.amount")


PAYMENT_EXAMPLES = [
    OpenApiExample(
        "Pay exactly what the consent says",
        request_only=True,
        value={
            "consent_id": "cns_01JCXQ5Y2W8H3D6F0A9S7E4R1T",
            "amount": {"amount": "120.00", "currency": "CNY"},
            "creditor_account_number": "6217000012345678903",
            "reference": "Dinner, 14 Nov",
        },
    ),
    OpenApiExample(
        "Booked",
        response_only=True,
        status_codes=["201"],
        value={
            "id": "pay_01JCXQ6M8Z4T0V2R9K1B3N5P7Q",
            "status": "booked",
            "consent_id": "cns_01JCXQ5Y2W8H3D6F0A9S7E4R1T",
            "debtor_account_id": "acc_01JCXQ1B6D9F2H5K8M1P4R7T0V",
            "creditor_account_number": "6217000012345678903",
            "amount": {"amount": "120.00", "currency": "CNY"},
            "reference": "Dinner, 14 Nov",
            "created_at": "2026-11-14T12:31:05.120000Z",
            "business_date": "2026-11-14",
        },
    ),
]


class PaymentCreateApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"POST": [["payments"]]}

    @extend_schema(
        examples=PAYMENT_EXAMPLES,
        operation_id="payments_create",
        summary="Make the payment a payment consent authorises",
        description=(
            "The token must be bound to an authorised payment consent, and the body must match it exactly "
            "(`payment_does_not_match_consent`). The consent is consumed by the payment. Refusals "
            "(`insufficient_funds`, `account_frozen`, `creditor_account_not_found`, …) write nothing."
        ),
        request=PaymentInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: PaymentSerializer},
        tags=["payments"],
    )
    @idempotent()
    def post(self, request: Request) -> Response:
        info = _auth(request)
        if info.consent_kind != Consent.Kind.PAYMENT or not info.consent_id:
            raise Forbidden(
                "Payments need a token issued under an authorised payment consent.", code="payment_consent_required"
            )
        body = PaymentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        amount = _parse_money(data["amount"])
        if data["consent_id"] != info.consent_id:
            raise services.PaymentDoesNotMatchConsent(
                "The consent_id is not the consent this token was issued under.",
                errors=[field_error("consent_id", "mismatch", "Use the consent the token was issued under.")],
            )
        payment = services.payment_create(
            consent_id=info.consent_id,
            application_id=info.application_id,
            customer_id=info.customer_id or "",
            amount=amount,
            creditor_account_number=data["creditor_account_number"],
            reference=data.get("reference", ""),
        )
        return Response(_payment(payment), status=201, headers={"Location": f"/api/v1/payments/{payment.id}"})


class PaymentDetailApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["payments"], ["accounts"]]}

    @extend_schema(
        operation_id="payments_retrieve",
        summary="Get a payment this client made for the customer",
        parameters=[OpenApiParameter("payment_id", str, OpenApiParameter.PATH, description="A payment id, `pay_…`.")],
        responses={200: PaymentSerializer},
        tags=["payments"],
    )
    def get(self, request: Request, payment_id: str) -> Response:
        info = _auth(request)
        payment = selectors.payment_visible_get(
            payment_id=payment_id, customer_id=info.customer_id or "", application_id=info.application_id
        )
        return Response(_payment(payment))
