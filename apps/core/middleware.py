from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .errors import PROBLEM_CONTENT_TYPE, problem_json_response
from .request_id import choose_request_id, reset_request_id, set_request_id

API_PREFIXES = ("/api/",)


class RequestIdMiddleware:
    """Every response carries X-Request-ID: the client's if it sent a sane one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = choose_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class ProblemDetailsMiddleware:
    """API errors produced outside DRF (URL not found, CSRF, 405 from Django) become problems."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(API_PREFIXES)
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            detail = _detail_of(response)
            problem = problem_json_response(
                status=response.status_code,
                code=_CODES.get(response.status_code, "error"),
                title=response.reason_phrase,
                detail=detail or response.reason_phrase,
            )
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    problem[header] = response[header]
            return problem
        return response


_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "rate_limited",
    500: "internal_error",
}


def _detail_of(response: HttpResponse) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(response.content)
        except ValueError:
            return ""
        if isinstance(body, dict):
            return str(body.get("error_description") or body.get("detail") or "")
    return ""
