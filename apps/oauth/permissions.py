"""Scopes and token kinds, declared on each view so the OpenAPI schema shows them.

Views declare `required_alternate_scopes = {"GET": [["accounts"]], "POST": [["payments"]]}`
and pick one permission class for the kind of caller:
- `CustomerScopes`: a token a customer authorised (third-party app, under a consent);
- `ClientScopes`: a server-to-server client-credentials token of a given client kind.
"""
from __future__ import annotations

from typing import Any, ClassVar, cast

from oauth2_provider.contrib.rest_framework import TokenMatchesOASRequirements
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.core.errors import Forbidden, InsufficientScope, PlatformError

from .authentication import ConsentNotAuthorised, TokenInfo


class DenyUnlessDeclared(BasePermission):
    """The default: a view that forgets to declare its permissions is closed."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return False


class RequireScopes(TokenMatchesOASRequirements):
    """The token holds one of the scope sets the view requires for this method."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, TokenInfo):
            return False  # DRF answers 401 authentication_required
        method = (request.method or "").lower()
        if method not in view.http_method_names or not hasattr(view, method):
            return True  # let DRF answer 405 method_not_allowed
        if not super().has_permission(request, view):
            wanted = view.required_alternate_scopes.get(method.upper(), [])
            names = " or ".join(" ".join(group) for group in wanted) or "none allowed"
            raise InsufficientScope(f"This operation needs the scope: {names}.")
        return True


class ConsentPermissionMissing(Forbidden):
    code = "consent_permission_missing"
    title = "The consent does not allow this"


class CustomerScopes(RequireScopes):
    """Scopes, and a token that a customer authorised (not a client-credentials token)."""

    # What this check and the token's consent add to an operation's contract (apps.core.schema).
    schema_errors: ClassVar[tuple[PlatformError, ...]] = (
        Forbidden(
            "This operation acts for a customer: use a token from the authorization-code flow.",
            code="customer_token_required",
        ),
        ConsentPermissionMissing("The customer's consent does not include `read_balances`."),
        ConsentNotAuthorised("The consent this token was issued under is revoked.", code="consent_revoked"),
        ConsentNotAuthorised("The consent this token was issued under is expired.", code="consent_expired"),
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if not cast(TokenInfo, request.auth).is_customer_token:
            raise Forbidden(
                "This operation acts for a customer: use a token from the authorization-code flow.",
                code="customer_token_required",
            )
        return True


class ClientScopes(RequireScopes):
    """Scopes, and a client-credentials token of one of `allowed_client_kinds`."""

    allowed_client_kinds: ClassVar[frozenset[str]] = frozenset()
    schema_errors: ClassVar[tuple[PlatformError, ...]] = (
        Forbidden(
            "This operation is for server-to-server clients: use a client-credentials token.",
            code="client_token_required",
        ),
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        info = cast(TokenInfo, request.auth)
        kinds = getattr(view, "allowed_client_kinds", self.allowed_client_kinds)
        if info.is_customer_token or (kinds and info.client_kind not in kinds):
            raise Forbidden(
                "This operation is for server-to-server clients: use a client-credentials token.",
                code="client_token_required",
            )
        return True


def consent_customer_id(info: TokenInfo, permission: str) -> str:
    """The customer behind a customer token whose consent grants `permission`, else 403.

    Checked after the scope (CustomerScopes) and before any object lookup, so a missing
    permission is told apart from an object the consent does not cover (404).
    """
    if info.customer_id is None or not info.has_permission(permission):
        raise ConsentPermissionMissing(f"The customer's consent does not include `{permission}`.")
    return info.customer_id
