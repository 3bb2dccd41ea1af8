"""What the accounts, statements and payments views share: the token, the consent checks,
the visible account, the money parser and the OpenAPI pieces of conditional reads."""
from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request

from apps.oauth.authentication import TokenInfo
from apps.oauth.permissions import consent_customer_id

from .. import selectors
from ..models import DepositAccount


def auth(request: Request) -> TokenInfo:
    return cast(TokenInfo, request.auth)  # CustomerScopes has checked it is a customer's TokenInfo


def require(info: TokenInfo, permission: str) -> None:
    """403 `consent_permission_missing` unless the token's consent grants `permission`."""
    consent_customer_id(info, permission)


def visible_account(request: Request, account_id: str) -> DepositAccount:
    info = auth(request)
    return selectors.deposit_account_visible_get(
        customer_id=info.customer_id or "", account_ids=info.consent_account_ids, account_id=account_id
    )


def consent_scope(info: TokenInfo) -> tuple[Any, ...]:
    """What, beyond the data, decides what this token sees: part of every ETag, so that no
    304 is ever valid across customers, clients or consents. A consent's window is its
    validity (consents carry no separate transaction window today; one would join here)."""
    return (info.customer_id, info.application_id, info.consent_id, info.consent_expires_at)


# --- OpenAPI: conditional reads ----------------------------------------------------------

ACCOUNT_ID = OpenApiParameter("account_id", str, OpenApiParameter.PATH, description="An account id, `acc_…`.")

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "The `ETag` of the representation you hold. If it is still current, the answer is "
        "`304 Not Modified` with no body (after the same authentication, scope, consent and "
        "visibility checks as a full read)."
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description=(
        "A strong entity tag of this representation for this token's consent; send it back in "
        "`If-None-Match` to revalidate."
    ),
)
CACHE_CONTROL = OpenApiParameter(
    "Cache-Control",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description="`private, no-cache`: keep the body if you like, but revalidate before using it.",
)
CONDITIONAL_PARAMETERS = [IF_NONE_MATCH, ETAG, CACHE_CONTROL]
NOT_MODIFIED = OpenApiResponse(description="Not Modified: the representation named in `If-None-Match` is current.")
