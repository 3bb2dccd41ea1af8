"""The accounts a customer shared: the list, one account, its balances.

Each answers with a strong `ETag` and `If-None-Match` with 304, after the same checks as a
full read (apps.core.conditional)."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import PlatformAPIView
from apps.core.conditional import conditional_data, conditional_read
from apps.core.pagination import LIST_PARAMETERS, page_serializer, paginate
from apps.core.serializers import MoneySerializer, rfc3339
from apps.oauth.models import Consent
from apps.oauth.permissions import CustomerScopes

from .. import selectors
from ..models import DepositAccount
from .common import ACCOUNT_ID, CONDITIONAL_PARAMETERS, NOT_MODIFIED, auth, consent_scope, require, visible_account


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
    as_of = serializers.DateTimeField(
        help_text="When these figures were read. A 304 says the figures you hold are still the current ones."
    )


AccountPage = page_serializer(AccountSerializer, "AccountList")


class AccountListApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["accounts"]]}

    @extend_schema(
        operation_id="accounts_list",
        summary="List the accounts the customer shared",
        description="Needs the consent permission `read_accounts`. Conditional: `ETag` and `If-None-Match`.",
        parameters=[*LIST_PARAMETERS, *CONDITIONAL_PARAMETERS],
        responses={200: AccountPage, 304: NOT_MODIFIED},
        tags=["accounts"],
    )
    def get(self, request: Request) -> Response:
        info = auth(request)
        require(info, Consent.Permission.READ_ACCOUNTS)
        accounts = selectors.deposit_accounts_visible(
            customer_id=info.customer_id or "", account_ids=info.consent_account_ids
        )
        page = paginate(request, accounts, serialize=lambda rows: [_account(a) for a in rows], descending=False)
        return conditional_data(request, page, scope=("accounts", *consent_scope(info)))


class AccountDetailApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["accounts"]]}

    @extend_schema(
        operation_id="accounts_retrieve",
        summary="Get one shared account",
        description="Needs the consent permission `read_accounts`. Conditional: `ETag` and `If-None-Match`.",
        parameters=[ACCOUNT_ID, *CONDITIONAL_PARAMETERS],
        responses={200: AccountSerializer, 304: NOT_MODIFIED},
        tags=["accounts"],
    )
    def get(self, request: Request, account_id: str) -> Response:
        info = auth(request)
        require(info, Consent.Permission.READ_ACCOUNTS)
        account = visible_account(request, account_id)
        return conditional_data(request, _account(account), scope=("account", *consent_scope(info)))


class AccountBalancesApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["accounts"]]}

    @extend_schema(
        operation_id="accounts_balances",
        summary="Get an account's booked and available balances",
        description="Needs the consent permission `read_balances`. Conditional: `ETag` and `If-None-Match`.",
        parameters=[ACCOUNT_ID, *CONDITIONAL_PARAMETERS],
        responses={200: BalancesSerializer, 304: NOT_MODIFIED},
        tags=["accounts"],
    )
    def get(self, request: Request, account_id: str) -> Response:
        info = auth(request)
        require(info, Consent.Permission.READ_BALANCES)
        account = visible_account(request, account_id)
        balances = selectors.deposit_account_balances(account=account)
        # The figures and the status are the validator (one row, already read); `as_of` is
        # left out, or no revalidation would ever match.
        validator = ("balances", account.id, balances.booked, balances.available, account.status,
                     *consent_scope(info))
        return conditional_read(
            request,
            validator=validator,
            build=lambda: Response(
                {
                    "account_id": account.id,
                    "booked": balances.booked.as_json(),
                    "available": balances.available.as_json(),
                    "as_of": rfc3339(balances.as_of),
                }
            ),
        )
