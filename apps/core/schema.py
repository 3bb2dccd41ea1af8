"""OpenAPI post-processing: every operation documents its errors as problem+json."""
from __future__ import annotations

from typing import Any

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details. `code` is stable and safe to branch on.",
    "properties": {
        "type": {"type": "string", "description": "A URI reference naming the problem type."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable snake_case error code.", "example": "insufficient_funds"},
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
    "400": "The request is malformed or invalid.",
    "401": "No valid access token (missing, expired, revoked, or its consent is no longer authorised).",
    "403": "The token lacks a required scope or is of the wrong kind for this operation.",
    "404": "No such resource visible to this token.",
    "409": "Conflicts with the current state (e.g. `idempotency_key_in_use`).",
    "422": "Valid but cannot be carried out (e.g. `insufficient_funds`, `idempotency_key_reused`).",
    "429": "Rate limited; retry after `Retry-After` seconds.",
}


def _problem_response(status: str) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


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
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            wanted = ["400", "401", "403", "429"]
            if "{" in path:
                wanted.append("404")
            if method in {"post", "put", "patch", "delete"}:
                wanted += ["409", "422"]
            for status in wanted:
                responses.setdefault(status, _problem_response(status))
    return result
