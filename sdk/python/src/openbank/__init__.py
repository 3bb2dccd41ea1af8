"""OpenBank Python SDK: hand-written runtime (auth, retries, idempotency, errors,
pagination, webhooks, opt-in revalidation cache) around the client generated from the OpenAPI description."""

from ._version import __version__
from .auth import (
    AuthorizationRequest,
    AuthorizationResponse,
    BearerToken,
    ClientCredentials,
    RefreshingUserToken,
    TokenResponse,
    create_authorization_request,
    exchange_code,
    parse_authorization_response,
    refresh_token,
    revoke_token,
)
from .cache import ResponseCache
from .client import AsyncOpenBank, OpenBank
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    OAuthError,
    OpenBankError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    raise_for_problem,
)
from .money import Money
from .operations import aiterate_operation, iterate_operation, unwrap
from .pagination import aiterate, iterate
from .retry import AsyncRetryTransport, RetryTransport
from .webhooks import WebhookVerificationError, verify_webhook

__all__ = [
    "__version__",
    "OpenBank",
    "AsyncOpenBank",
    "ClientCredentials",
    "RefreshingUserToken",
    "BearerToken",
    "TokenResponse",
    "AuthorizationRequest",
    "AuthorizationResponse",
    "create_authorization_request",
    "parse_authorization_response",
    "exchange_code",
    "refresh_token",
    "revoke_token",
    "RetryTransport",
    "ResponseCache",
    "AsyncRetryTransport",
    "OpenBankError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "OAuthError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "raise_for_problem",
    "Money",
    "iterate",
    "iterate_operation",
    "aiterate_operation",
    "unwrap",
    "aiterate",
    "verify_webhook",
    "WebhookVerificationError",
]
