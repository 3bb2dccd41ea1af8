"""Typed exceptions for the OpenBank API.

Every 4xx/5xx response of the platform is an RFC 9457 ``application/problem+json``
document::

    {"type": ..., "title": ..., "status": 404, "detail": ..., "code": "account_not_found",
     "request_id": "...", "errors": [{"field": ..., "code": ..., "message": ...}]}

:func:`raise_for_problem` maps such a response to the matching :class:`APIError`
subclass.  The OAuth token endpoint answers with the standard
``{"error": ..., "error_description": ...}`` shape instead; it is mapped too, with
``code`` set to the OAuth ``error`` value.
"""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import httpx

__all__ = [
    "OpenBankError",
    "APIConnectionError",
    "APITimeoutError",
    "APIError",
    "AuthenticationError",
    "OAuthError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "FieldError",
    "raise_for_problem",
    "error_from_response",
    "parse_retry_after",
]


class OpenBankError(Exception):
    """Base class of every exception raised by this SDK."""


class APIConnectionError(OpenBankError):
    """The API could not be reached (DNS, refused connection, reset, TLS, timeout...)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out (after the configured retries)."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One entry of a problem document's ``errors`` array."""

    field: str | None
    code: str | None
    message: str | None


class APIError(OpenBankError):
    """An HTTP error response from the API (status >= 400)."""

    status: int
    code: str | None
    title: str | None
    detail: str | None
    request_id: str | None
    errors: list[FieldError]
    problem: dict[str, Any]

    def __init__(
        self,
        status: int,
        code: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        request_id: str | None = None,
        errors: list[FieldError] | None = None,
        problem: dict[str, Any] | None = None,
        *,
        response: httpx.Response | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.request_id = request_id
        self.errors = errors or []
        self.problem = problem or {}
        self.response = response
        super().__init__(self._message())

    @property
    def type(self) -> str | None:
        value = self.problem.get("type")
        return value if isinstance(value, str) else None

    def _message(self) -> str:
        parts = [f"HTTP {self.status}"]
        if self.code:
            parts.append(self.code)
        text = self.detail or self.title
        msg = " ".join(parts)
        if text:
            msg += f": {text}"
        if self.request_id:
            msg += f" (request_id={self.request_id})"
        return msg

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"request_id={self.request_id!r})"
        )


class AuthenticationError(APIError):
    """401: missing, invalid or expired credentials."""


class OAuthError(AuthenticationError):
    """The OAuth token/revocation endpoint refused the request.

    ``code`` (and ``error``) carries the RFC 6749 error, e.g. ``invalid_grant``,
    ``invalid_client``; ``detail`` carries ``error_description``.
    """

    @property
    def error(self) -> str | None:
        return self.code

    @property
    def error_description(self) -> str | None:
        return self.detail


class PermissionDeniedError(APIError):
    """403: authenticated but not allowed (scope, consent, ownership)."""


class NotFoundError(APIError):
    """404."""


class ConflictError(APIError):
    """409, e.g. ``idempotency_key_in_use`` or a state conflict."""


class ValidationError(APIError):
    """400 or 422: the request was malformed or semantically invalid
    (including ``idempotency_key_reused``)."""


class RateLimitError(APIError):
    """429: throttled. ``retry_after`` is the number of seconds to wait, if known."""

    retry_after: float | None = None


class ServerError(APIError):
    """5xx."""


_STATUS_MAP: dict[int, type[APIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def parse_retry_after(value: str | None, *, clock: Callable[[], float] = time.time) -> float | None:
    """Parse a ``Retry-After`` header (delta-seconds or HTTP-date) into seconds (>= 0)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None  # pragma: no cover - older Pythons
    return max(0.0, dt.timestamp() - clock())


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def error_from_response(
    response: httpx.Response, *, error_class: type[APIError] | None = None
) -> APIError:
    """Build (without raising) the typed error for an error response.

    The response body must be readable (it is read here if it was streamed).
    """
    try:
        content = response.read()
    except (httpx.StreamError, RuntimeError):  # e.g. an unread async stream
        content = b""
    body: Any = None
    if content:
        try:
            body = json.loads(content)
        except ValueError:
            body = None
    problem: dict[str, Any] = body if isinstance(body, dict) else {}

    status = response.status_code
    code = _str_or_none(problem.get("code"))
    detail = _str_or_none(problem.get("detail"))
    title = _str_or_none(problem.get("title"))
    if code is None and isinstance(problem.get("error"), str):
        # OAuth 2 error document (RFC 6749 section 5.2)
        code = problem["error"]
        detail = detail or _str_or_none(problem.get("error_description"))
    if title is None and not problem:
        title = response.reason_phrase or None
    request_id = _str_or_none(problem.get("request_id")) or response.headers.get("x-request-id")

    errors: list[FieldError] = []
    raw_errors = problem.get("errors")
    if isinstance(raw_errors, list):
        for item in raw_errors:
            if isinstance(item, Mapping):
                errors.append(
                    FieldError(
                        field=_str_or_none(item.get("field")),
                        code=_str_or_none(item.get("code")),
                        message=_str_or_none(item.get("message")),
                    )
                )

    cls = error_class
    if cls is None:
        cls = _STATUS_MAP.get(status)
        if cls is None:
            cls = ServerError if status >= 500 else APIError
    err = cls(
        status,
        code=code,
        title=title,
        detail=detail,
        request_id=request_id,
        errors=errors,
        problem=problem,
        response=response,
    )
    if isinstance(err, RateLimitError):
        err.retry_after = parse_retry_after(response.headers.get("retry-after"))
    return err


def raise_for_problem(response: httpx.Response) -> None:
    """Raise the typed :class:`APIError` for a 4xx/5xx response; return None otherwise."""
    if response.status_code >= 400:
        raise error_from_response(response)
