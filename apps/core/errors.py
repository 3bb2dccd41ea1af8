"""One exception hierarchy, mapped by one handler to RFC 9457 problem details.

Services raise `PlatformError` subclasses with a stable snake_case `code`; DRF's own
exceptions, Django's Http404/PermissionDenied and unexpected errors are mapped here too,
so every 4xx/5xx a client sees is `application/problem+json` with `type`, `title`,
`status`, `detail`, `code`, `request_id` and `errors[]`.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found, server_error
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from .request_id import current_request_id

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/developers#error-"


class PlatformError(Exception):
    """Base of every error a client may see. Subclasses fix status, code and title."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: Iterable[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.detail = detail or self.title
        if code:
            self.code = code
        self.errors = [dict(e) for e in errors]
        self.headers = dict(headers or {})
        super().__init__(self.detail)


class ValidationFailed(PlatformError):
    status, code, title = 400, "validation_error", "The request is not valid"


class AuthenticationRequired(PlatformError):
    status, code, title = 401, "authentication_required", "Authentication required"


class InvalidToken(PlatformError):
    status, code, title = 401, "invalid_token", "The access token is invalid, expired or revoked"


class Forbidden(PlatformError):
    status, code, title = 403, "forbidden", "Not allowed"


class InsufficientScope(Forbidden):
    code, title = "insufficient_scope", "The access token lacks a required scope"


class NotFound(PlatformError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(PlatformError):
    status, code, title = 409, "conflict", "Conflict with the current state"


class Unprocessable(PlatformError):
    status, code, title = 422, "unprocessable", "The request cannot be carried out"


def field_error(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def problem_body(
    *, status: int, code: str, title: str, detail: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": current_request_id(),
        "errors": errors or [],
    }


def problem_json_response(
    *, status: int, code: str, title: str, detail: str, headers: Mapping[str, str] | None = None
) -> JsonResponse:
    """A problem response for plain Django views (404/500 handlers, middleware)."""
    response = JsonResponse(
        problem_body(status=status, code=code, title=title, detail=detail),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _flatten_validation(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested ValidationError detail -> [{field, code, message}] with dotted paths."""
    errors: list[dict[str, str]] = []
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            errors.extend(_flatten_validation(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(item, (Mapping, list)) for item in detail):
            for item in detail:
                errors.append(field_error(prefix, _code_of(item, "invalid"), str(item)))
        else:
            for index, item in enumerate(detail):
                errors.extend(_flatten_validation(item, f"{prefix}[{index}]"))
    else:
        errors.append(field_error(prefix, _code_of(detail, "invalid"), str(detail)))
    return errors


def _code_of(item: Any, default: str) -> str:
    code = getattr(item, "code", None) or default
    return {"null": "required", "blank": "required", "does_not_exist": "not_found"}.get(code, code)


_DRF_CODES: dict[type[drf_exceptions.APIException], tuple[str, str]] = {
    drf_exceptions.ParseError: ("malformed_request", "The request body could not be parsed"),
    drf_exceptions.AuthenticationFailed: ("invalid_token", InvalidToken.title),
    drf_exceptions.NotAuthenticated: ("authentication_required", AuthenticationRequired.title),
    drf_exceptions.PermissionDenied: ("forbidden", Forbidden.title),
    drf_exceptions.NotFound: ("not_found", NotFound.title),
    drf_exceptions.MethodNotAllowed: ("method_not_allowed", "Method not allowed"),
    drf_exceptions.NotAcceptable: ("not_acceptable", "Not acceptable"),
    drf_exceptions.UnsupportedMediaType: ("unsupported_media_type", "Unsupported media type"),
    drf_exceptions.Throttled: ("rate_limited", "Too many requests"),
}


def problem_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error becomes a problem+json response."""
    headers: dict[str, str] = {}
    errors: list[dict[str, str]] = []
    if isinstance(exc, PlatformError):
        status, code, title, detail = exc.status, exc.code, exc.title, exc.detail
        errors, headers = exc.errors, exc.headers
    elif isinstance(exc, drf_exceptions.ValidationError):
        status, code, title = 400, "validation_error", ValidationFailed.title
        errors = _flatten_validation(exc.detail)
        detail = "; ".join(f"{e['field'] or 'request'}: {e['message']}" for e in errors[:5])
    elif isinstance(exc, drf_exceptions.APIException):
        status = exc.status_code
        code, title = next(
            (codes for cls, codes in _DRF_CODES.items() if isinstance(exc, cls)),
            (str(getattr(exc, "default_code", "error")), "Error"),
        )
        detail_code = getattr(exc.detail, "code", None)
        # Permission classes name their own stable codes (e.g. insufficient_scope).
        if detail_code and detail_code not in {"permission_denied", "error", code, "not_authenticated",
                                               "authentication_failed", "throttled", "parse_error"}:
            code = str(detail_code)
        detail = str(exc.detail)
        wait = getattr(exc, "wait", None)
        if isinstance(exc, drf_exceptions.Throttled) and wait is not None:
            headers["Retry-After"] = str(max(1, int(wait + 0.999)))
            detail = f"Rate limit exceeded; retry after {headers['Retry-After']} seconds."
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
    elif isinstance(exc, Http404):
        status, code, title, detail = 404, "not_found", NotFound.title, "No such resource."
    elif isinstance(exc, DjangoPermissionDenied):
        status, code, title, detail = 403, "forbidden", Forbidden.title, str(exc) or Forbidden.title
    else:
        return None  # a real bug: Django's 500 handler answers with a problem and logs it
    if status == 401 and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = f'Bearer error="{"invalid_token" if code != "authentication_required" else "invalid_request"}"'
    response = Response(
        problem_body(status=status, code=code, title=title, detail=detail, errors=errors),
        status=status,
        headers=headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    return response


_MACHINE_PREFIXES = ("/api/", "/oauth/", "/.well-known/")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not request.path.startswith(_MACHINE_PREFIXES):
        return page_not_found(request, exception or Http404())
    return problem_json_response(status=404, code="not_found", title=NotFound.title, detail="No such resource.")


def handler500(request: HttpRequest) -> HttpResponse:
    if not request.path.startswith(_MACHINE_PREFIXES):
        return server_error(request)
    return problem_json_response(
        status=500,
        code="internal_error",
        title="Internal error",
        detail="The request failed on our side; quote the request_id to support.",
    )
