"""What the lending views share: the token and its consent, the acting client, money input,
deposit accounts a consent shares, and the validator scope of conditional reads."""
from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request

from apps.accounts.models import DepositAccount
from apps.core.actors import Actor
from apps.core.api import PlatformAPIView
from apps.core.errors import Unprocessable, field_error
from apps.oauth.authentication import TokenInfo
from apps.oauth.permissions import CustomerScopes, consent_customer_id

READ, MANAGE = "read_credit", "manage_credit"

# The OpenAPI side of a conditional read (apps/core/conditional.py): `If-None-Match` in, a
# strong `ETag` out on 200 and 304, and the 304 itself.
CONDITIONAL_PARAMETERS = [
    OpenApiParameter(
        "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
        description="The `ETag` of the representation the client holds; if still current, 304 with no body.",
    ),
    OpenApiParameter(
        "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304],
        description="Strong validator of this representation (it depends on the data and on the consent).",
    ),
]
NOT_MODIFIED = OpenApiResponse(
    description="Not modified: the representation named in `If-None-Match` is still current (no body).",
)


def auth(request: Request) -> TokenInfo:
    return cast(TokenInfo, request.auth)


def require(request: Request, permission: str) -> str:
    """The customer behind the token, if its consent grants `permission`."""
    return consent_customer_id(auth(request), permission)


def actor(request: Request) -> Actor:
    """The OAuth client acting under the customer's consent."""
    return Actor.client(auth(request).client_id)


class DepositAccountNotInConsent(Unprocessable):
    code, title = "deposit_account_not_in_consent", "The deposit account is not shared in this consent"


DEPOSIT_ACCOUNT_NOT_IN_CONSENT = DepositAccountNotInConsent(
    "The deposit account is not one the customer shared in this consent.",
    errors=[field_error("deposit_account_id", "not_in_consent", "Use an account shared in the consent.")],
)


def consented_deposit_account(request: Request, *, customer_id: str, account_id: str) -> DepositAccount:
    """The customer's deposit account a drawdown pays into, if the token's consent shares it."""
    account = None
    if account_id in auth(request).consent_account_ids:
        account = DepositAccount.objects.filter(pk=account_id, customer_id=customer_id).first()
    if account is None:
        raise DepositAccountNotInConsent(
            "The deposit account is not one the customer shared in this consent.",
            errors=[field_error("deposit_account_id", "not_in_consent", "Use an account shared in the consent.")],
        )
    return account


def require_account_in_consent(request: Request, *, account_id: str) -> None:
    """Money never moves from an account the customer did not share with this client: a
    repayment debits the loan's deposit account, so the consent must share it (as a drawdown's)."""
    if account_id not in auth(request).consent_account_ids:
        raise DepositAccountNotInConsent(
            "The loan's deposit account is not one the customer shared in this consent; "
            "the repayment would be taken from it."
        )


def read_scope(request: Request) -> tuple[Any, ...]:
    """What, besides the data, a lending read's ETag depends on: the consent and its window
    (so no validator is good across consents) and the query (cursor, limit, filters)."""
    info = auth(request)
    return (info.consent_id, info.consent_expires_at, info.customer_id, sorted(request.query_params.lists()))


class LendingView(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["credit"]], "POST": [["credit"]]}

