from __future__ import annotations

from typing import Any

import httpx
import pytest

from conftest import Platform, Req, SleepRecorder, problem, public
from openbank import (
    APIError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    OpenBank,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    raise_for_problem,
)
from openbank.errors import FieldError, error_from_response


@pytest.mark.parametrize(
    "status,code,cls",
    [
        (400, "malformed_request", ValidationError),
        (401, "not_authenticated", AuthenticationError),
        (403, "insufficient_scope", PermissionDeniedError),
        (404, "account_not_found", NotFoundError),
        (409, "consent_already_used", ConflictError),
        (422, "insufficient_funds", ValidationError),
        (429, "rate_limited", RateLimitError),
        (500, "internal_error", ServerError),
        (503, "unavailable", ServerError),
        (418, "teapot", APIError),
    ],
)
def test_problem_json_maps_to_typed_errors(platform: Platform, status: int, code: str, cls: type[APIError]) -> None:
    @platform.route("GET", "/api/v1/fail")
    @public
    def fail(req: Req) -> Any:
        return problem(status, code, f"detail for {code}", headers={"Retry-After": "9999"})

    with OpenBank(platform.url, max_retries=0) as c:
        with pytest.raises(cls) as exc:
            c.request("GET", "/api/v1/fail")
    err = exc.value
    assert type(err) is cls
    assert err.status == status and err.code == code and err.detail == f"detail for {code}"
    assert err.request_id and err.request_id.startswith("req_")
    assert err.type == f"https://docs.openbank.test/problems/{code}"
    assert err.response is not None and err.response.headers["x-request-id"] == err.request_id
    assert code in str(err) and err.request_id in str(err)
    if cls is RateLimitError:
        assert isinstance(err, RateLimitError) and err.retry_after == 9999.0


def test_field_errors(platform: Platform) -> None:
    @platform.route("POST", "/api/v1/payments/")
    @public
    def fail(req: Req) -> Any:
        return problem(422, "validation_failed", "Invalid input", errors=[
            {"field": "amount.amount", "code": "invalid_decimal", "message": "Not a decimal"},
            {"field": "creditor_account", "code": "required", "message": "Required"},
        ])

    with OpenBank(platform.url) as c:
        with pytest.raises(ValidationError) as exc:
            c.request("POST", "/api/v1/payments/", json={})
    assert exc.value.errors == [
        FieldError("amount.amount", "invalid_decimal", "Not a decimal"),
        FieldError("creditor_account", "required", "Required"),
    ]
    assert exc.value.problem["title"] == "Validation failed"


def test_non_json_error_uses_header_request_id(sleeps: SleepRecorder) -> None:
    req = httpx.Request("GET", "http://x/api/v1/a")
    resp = httpx.Response(502, text="<html>bad gateway</html>", headers={"X-Request-ID": "rid-9"}, request=req)
    with pytest.raises(ServerError) as exc:
        raise_for_problem(resp)
    assert exc.value.request_id == "rid-9" and exc.value.code is None and exc.value.problem == {}
    assert exc.value.title == "Bad Gateway"


def test_oauth_error_shape() -> None:
    req = httpx.Request("POST", "http://x/oauth/token/")
    resp = httpx.Response(400, json={"error": "invalid_grant", "error_description": "expired"}, request=req)
    err = error_from_response(resp)
    assert isinstance(err, ValidationError) and err.code == "invalid_grant" and err.detail == "expired"


def test_raise_for_problem_ignores_success() -> None:
    req = httpx.Request("GET", "http://x/")
    raise_for_problem(httpx.Response(200, json={}, request=req))
    raise_for_problem(httpx.Response(204, request=req))
