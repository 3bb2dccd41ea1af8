"""An account's transactions (its statement), newest first, revalidated with `ETag`.

Clients poll statements: a revalidation whose page has not changed costs one single-row
read of the account's statement version and answers 304 with no body.

A transaction's id is `txn_` and a keyed hash of its posting's id (decision 0002, 0011):
postings keep sequential big-integer keys for write speed, and a public id derived from
them would otherwise tell anyone the bank's posting volume. Computed per row on the way
out, it costs the statement query nothing (the page is still one range scan of
`posting_account_recent`)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import PlatformAPIView
from apps.core.conditional import conditional_read
from apps.core.errors import ValidationFailed, field_error
from apps.core.money import money_json
from apps.core.pagination import LIST_PARAMETERS, page_of, page_request, page_serializer
from apps.core.schema import declare_errors
from apps.core.serializers import MoneySerializer
from apps.ledger.selectors import StatementLine
from apps.oauth.models import Consent
from apps.oauth.permissions import CustomerScopes

from .. import selectors
from .common import ACCOUNT_ID, CONDITIONAL_PARAMETERS, NOT_MODIFIED, auth, consent_scope, require


class CreditDebitIndicator(models.TextChoices):
    CREDIT = "credit"
    DEBIT = "debit"


@extend_schema_serializer(component_name="TransactionEntry")
class EntrySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="What moved the money, e.g. `payment`, `cash_deposit`.")
    reference = serializers.CharField(help_text="The ledger reference, e.g. `payment:pay_…`.")


@extend_schema_serializer(component_name="Transaction")
class TransactionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Stable and opaque (`txn_` and 26 characters); not in booking order.")
    amount = MoneySerializer(help_text="Always positive; see credit_debit_indicator.")
    credit_debit_indicator = serializers.ChoiceField(
        choices=CreditDebitIndicator.choices, help_text="credit: money in; debit: money out."
    )
    booking_date = serializers.DateField(help_text="The bank's business date of the booking.")
    booked_at = serializers.DateTimeField()
    description = serializers.CharField(allow_blank=True)
    balance_after = MoneySerializer(help_text="The booked balance right after this transaction.")
    entry = EntrySerializer()


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def transaction_id(posting_id: int) -> str:
    """The public id of a posting: `txn_` and 26 Crockford base32 characters of an
    HMAC-SHA256 (128 bits) keyed with TRANSACTION_ID_KEY. Stable for as long as that key
    is; it cannot be reversed, guessed or counted."""
    digest = salted_hmac(
        "openbank.transaction-id", str(posting_id), secret=settings.TRANSACTION_ID_KEY, algorithm="sha256"
    ).digest()
    value = int.from_bytes(digest[:16], "big")
    return "txn_" + "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _transactions(lines: Sequence[StatementLine]) -> list[dict[str, Any]]:
    """Statement lines in the documented `Transaction` shape.

    The dates go to the renderer as they are: it writes a date and a UTC datetime exactly
    as `booking_date` and `booked_at` are documented, and statement lines are read in UTC."""
    credit, debit = CreditDebitIndicator.CREDIT.value, CreditDebitIndicator.DEBIT.value
    return [
        {
            "id": transaction_id(pk),
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


TransactionPage = page_serializer(TransactionSerializer, "TransactionList")


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
                    "id": "txn_2KQ7YV0F4M9TB6R1XC8N3DZP5H",
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
            "next_cursor": "p3mL0a8n5VxQ2kT9cW4yZr7hJfE1uB6sNdG0oYqX",
        },
    )
]

_POSTINGS = "ledger.posting"


class AccountTransactionsApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["accounts"]]}

    @extend_schema(
        examples=TRANSACTIONS_EXAMPLES,
        operation_id="accounts_transactions",
        summary="List an account's transactions, newest first",
        description=(
            "Needs the consent permission `read_transactions`. Filters are on the bank's business date, "
            "inclusive. Conditional: every page has its own `ETag`; `If-None-Match` answers 304 while the "
            "account has no new booking."
        ),
        parameters=[ACCOUNT_ID, TransactionFilters, *LIST_PARAMETERS, *CONDITIONAL_PARAMETERS],
        extensions=declare_errors(
            ValidationFailed("booked_from: Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
                             errors=[field_error("booked_from", "invalid",
                                                 "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")]),
            ValidationFailed("booked_to: Must not be before booked_from.",
                             errors=[field_error("booked_to", "before_booked_from", "Must not be before booked_from.")]),
        ),
        responses={200: TransactionPage, 304: NOT_MODIFIED},
        tags=["accounts"],
    )
    def get(self, request: Request, account_id: str) -> Response:
        info = auth(request)
        require(info, Consent.Permission.READ_TRANSACTIONS)
        booked_from, booked_to = _booking_filters(request)
        account = selectors.deposit_account_ref_visible(
            customer_id=info.customer_id or "", account_ids=info.consent_account_ids, account_id=account_id
        )
        page = page_request(request, kind=_POSTINGS)
        # The version is read BEFORE the rows: a post committing in between makes the body
        # newer than its ETag, never older, and the next revalidation fetches again.
        version = selectors.deposit_account_statement_version(account=account)
        validator = ("statement", account.id, version, booked_from, booked_to, page.after, page.limit,
                     *consent_scope(info))

        def build() -> Response:
            postings = selectors.deposit_account_transactions(
                account=account, booked_from=booked_from, booked_to=booked_to
            )
            return Response(page_of(postings, page, kind=_POSTINGS, serialize=_transactions))

        return conditional_read(request, validator=validator, build=build)
