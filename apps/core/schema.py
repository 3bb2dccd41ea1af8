"""OpenAPI: every operation lists every problem it can answer, each with a real example.

One place builds the error side of the contract. An operation's errors come from:
- what every API operation can answer (validation, authentication, scope, rate limit,
  an empty query value, an unparsable body, a 404 when its path names an object);
- what its parameters imply (`limit`/`cursor`, a required or optional `Idempotency-Key`);
- its view's `schema_errors` (e.g. the customer-token checks of `CustomerScopes`);
- its own `extend_schema(extensions=declare_errors(...))`, naming the `PlatformError`s its
  services raise, as instances carrying a realistic detail.
Each status becomes one problem+json response whose examples are those errors' own
code/title/detail (tests/contract checks the server answers only what is listed).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema

from .api import empty_query_error
from .errors import (
    PROBLEM_TYPE_BASE,
    AuthenticationRequired,
    InsufficientScope,
    InvalidToken,
    NotFound,
    PlatformError,
    ValidationFailed,
    field_error,
)

ERRORS_EXTENSION = "x-platform-errors"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details. `code` is stable and safe to branch on.",
    "properties": {
        "type": {"type": "string", "description": "A URI reference naming the problem type."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable snake_case error code (see /developers#errors)."},
        "request_id": {"type": "string", "description": "Quote this to support."},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/ProblemFieldError"},
        },
    },
    "required": ["type", "title", "status", "detail", "code", "request_id", "errors"],
}
FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "field": {"type": "string", "description": "Dotted path of the offending field or header; empty for the whole request."},
        "code": {"type": "string"},
        "message": {"type": "string"},
    },
    "required": ["field", "code", "message"],
}

_DESCRIPTIONS = {
    400: "The request is malformed or invalid.",
    401: "No valid access token (missing, expired, revoked, or its consent is no longer authorised).",
    403: "The token lacks a required scope or is of the wrong kind for this operation.",
    404: "No such resource visible to this token.",
    409: "Conflicts with the current state.",
    415: "The body is not JSON.",
    422: "Valid but cannot be carried out.",
    429: "Rate limited; retry after `Retry-After` seconds.",
}

ErrorSpec = PlatformError | type[PlatformError]


def _instance(error: ErrorSpec) -> PlatformError:
    return error() if isinstance(error, type) else error


def problem_example(error: ErrorSpec) -> dict[str, Any]:
    """The problem body the handler writes for `error` (apps.core.errors.problem_body)."""
    e = _instance(error)
    return {
        "type": PROBLEM_TYPE_BASE + e.code,
        "title": e.title,
        "status": e.status,
        "detail": e.detail,
        "code": e.code,
        "request_id": "req_01JCXQ7K3M5N8P0R2T4V6X8Z1B",
        "errors": list(e.errors),
    }


def declare_errors(*errors: ErrorSpec) -> dict[str, Any]:
    """`extend_schema(extensions=declare_errors(...))`: the operation's own problems."""
    return {ERRORS_EXTENSION: [problem_example(e) for e in errors]}


def _problem(status: int, code: str, title: str, detail: str, errors: Sequence[dict[str, str]] = ()) -> PlatformError:
    """A problem not raised through its own subclass (DRF's, the middleware's)."""
    # Attributes set after construction: this is an example, not a raise site the
    # developer catalogue's scan of `code=` should count (its status is not PlatformError's).
    error = PlatformError(detail, errors=errors)
    error.status, error.code, error.title = status, code, title
    return error


# What every API operation can answer.
COMMON_ERRORS: tuple[PlatformError, ...] = (
    AuthenticationRequired("Authentication credentials were not provided."),
    InvalidToken("The access token is invalid, expired or revoked."),
    InvalidToken("The access token has expired.", code="token_expired"),
    _problem(429, "rate_limited", "Too many requests", "Rate limit exceeded; retry after 3 seconds."),
)
PATH_NOT_FOUND = NotFound("No such resource.")
BODY_ERRORS: tuple[PlatformError, ...] = (
    ValidationFailed(
        "amount.amount: Give the amount as a decimal string, e.g. \"100.00\".",
        errors=[field_error("amount.amount", "invalid_amount", 'Give the amount as a decimal string, e.g. "100.00".')],
    ),
    ValidationFailed(
        "permisions: Unknown field.", errors=[field_error("permisions", "unknown_field", "Unknown field.")]
    ),
    _problem(400, "malformed_request", "The request body could not be parsed", "JSON parse error - Expecting value."),
    _problem(415, "unsupported_media_type", "Unsupported media type", 'Unsupported media type "text/plain" in request.'),
)


def _list_errors() -> tuple[PlatformError, ...]:
    from .pagination import MAX_LIMIT

    return (
        ValidationFailed(
            f"limit must be an integer from 1 to {MAX_LIMIT}.",
            errors=[field_error("limit", "out_of_range", f"From 1 to {MAX_LIMIT}.")],
        ),
        ValidationFailed(
            "The cursor is not valid for this list.",
            code="invalid_cursor",
            errors=[field_error("cursor", "invalid", "Use next_cursor from a previous page of the same list.")],
        ),
    )


def _idempotency_errors(*, required: bool) -> tuple[PlatformError, ...]:
    from .idempotency import MAX_KEY_LENGTH, IdempotencyKeyInUse, IdempotencyKeyMissing, IdempotencyKeyReused

    found: list[PlatformError] = [
        ValidationFailed(
            "Idempotency-Key is too long.",
            code="idempotency_key_invalid",
            errors=[field_error("Idempotency-Key", "max_length", f"At most {MAX_KEY_LENGTH} characters.")],
        ),
        IdempotencyKeyInUse("A request with this Idempotency-Key is still being processed; retry shortly."),
        IdempotencyKeyReused("This Idempotency-Key was used with a different request body."),
    ]
    if required:
        found.insert(0, IdempotencyKeyMissing("Send an Idempotency-Key header (e.g. a UUID) with this request."))
    return tuple(found)


def _response(status: int, examples: list[dict[str, Any]]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    for example in examples:
        name, n = example["code"], 1
        while name in named:  # two examples of one code (e.g. validation_error): number them
            n += 1
            name = f"{example['code']}_{n}"
        named[name] = {"summary": example["title"], "value": example}
    codes = ", ".join(dict.fromkeys(f"`{e['code']}`" for e in examples))
    return {
        "description": f"{_DESCRIPTIONS.get(status, 'Error.')} Codes: {codes}.",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}, "examples": named}},
    }


class PlatformAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus the problems each operation can answer."""

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        declared = operation.pop(ERRORS_EXTENSION, [])
        params = {(p.get("in"), p.get("name")): p for p in operation.get("parameters", [])}
        errors: list[dict[str, Any]] = [problem_example(e) for e in COMMON_ERRORS]
        wanted = getattr(self.view, "required_alternate_scopes", {}).get(self.method.upper(), [])
        names = " or ".join(" ".join(group) for group in wanted) or "none allowed"
        errors.append(problem_example(InsufficientScope(f"This operation needs the scope: {names}.")))  # as RequireScopes says
        for source in (*getattr(self.view, "permission_classes", ()), self.view):
            errors += [problem_example(e) for e in getattr(source, "schema_errors", ())]
        if any(where == "query" for where, _ in params):
            errors.append(problem_example(empty_query_error(["limit"])))
        if ("query", "limit") in params:
            errors += [problem_example(e) for e in _list_errors()]
        if any(where == "path" for where, _ in params):
            errors.append(problem_example(PATH_NOT_FOUND))
        if "requestBody" in operation:
            errors += [problem_example(e) for e in BODY_ERRORS]
        key = params.get(("header", "Idempotency-Key"))
        if key is not None:
            errors += [problem_example(e) for e in _idempotency_errors(required=bool(key.get("required")))]
        errors += declared
        by_status: dict[int, list[dict[str, Any]]] = {}
        for example in errors:
            bucket = by_status.setdefault(example["status"], [])
            if example not in bucket:
                bucket.append(example)
        responses = operation.setdefault("responses", {})
        for status in sorted(by_status):
            responses[str(status)] = _response(status, by_status[status])
        return operation


def declared_codes(operation: dict[str, Any]) -> set[tuple[int, str]]:
    """(status, code) pairs an operation of the generated schema lists."""
    found = set()
    for status, response in operation.get("responses", {}).items():
        content = response.get("content", {}).get("application/problem+json", {})
        for example in content.get("examples", {}).values():
            found.add((int(status), example["value"]["code"]))
    return found


class StrictSerializerExtension(OpenApiSerializerExtension):
    """A StrictSerializer refuses unknown fields: its schema says `additionalProperties: false`."""

    target_class = "apps.core.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


def _type_nullable_objects(node: Any) -> None:
    """OpenAPI 3.0 wants `type` beside `nullable`; nullable references and JSON fields are objects."""
    if isinstance(node, dict):
        if node.get("nullable") and "type" not in node and "$ref" not in node:
            node["type"] = "object"
        for value in node.values():
            _type_nullable_objects(value)
    elif isinstance(node, list):
        for value in node:
            _type_nullable_objects(value)


def postprocess_problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    _type_nullable_objects(schemas)
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ProblemFieldError"] = FIELD_ERROR_SCHEMA
    return result


def money_input_errors(field: str = "amount") -> tuple[PlatformError, ...]:
    """What `parse_amount` answers for a `Money` input named `field` (apps.core.money)."""
    from .money import InvalidAmount

    def invalid(code: str, message: str, where: str = "amount") -> PlatformError:
        return InvalidAmount(message, code=code, errors=[field_error(f"{field}.{where}", code, message)])

    return (
        invalid("invalid_amount", 'Give the amount as a decimal string, e.g. "100.00".'),
        invalid("amount_too_precise", "CNY amounts have at most 2 decimals."),
        invalid("amount_not_positive", "The amount must be greater than zero."),
        invalid("amount_too_large", "The amount exceeds the largest accepted value."),
        invalid("unsupported_currency", "Supported: CNY, EUR, HKD, USD.", where="currency"),
    )
