"""Schemathesis hooks (loaded by `st run` through SCHEMATHESIS_HOOKS=tests.fuzz.hooks).

Each operation gets the token a real app would use for it: client credentials for consents,
the customer's token of the matching scope for the rest (tests/fuzz/tokens.py makes them and
writes them to the JSON file named by OPENBANK_FUZZ_TOKENS).
"""
from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

_TOKENS: dict[str, str] | None = None


def tokens() -> dict[str, str]:
    global _TOKENS
    if _TOKENS is None:
        with open(os.environ["OPENBANK_FUZZ_TOKENS"], encoding="utf-8") as fh:
            _TOKENS = json.load(fh)
    return _TOKENS


def role(operation_id: str) -> str:
    """Which token an operation is called with."""
    if operation_id.startswith("consents_"):
        return "client"
    if operation_id.startswith("accounts_"):
        return "accounts"
    if operation_id.startswith("payments_"):
        return "payments"
    return "credit"  # credit lines, loans, credit applications


# No caching and no refetch on 401: the tokens are fixed for the run, and a 401 (a consumed
# payment consent, say) is an answer to check, not a reason to log in again.
@schemathesis.auth(refresh_interval=None, retry_on=[])
class ScopedTokens:
    def get(self, case: Any, ctx: Any) -> str:
        return tokens()[role(case.operation.definition.raw.get("operationId", ""))]

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


# Schema-valid requests that a 400 rightly refuses, and that OpenAPI 3.0 cannot describe:
# (problem code, field of the error, query parameter the request must carry). Only these;
# any other 400 to a schema-valid request is a rule the schema fails to state.
_UNSTATABLE = (
    # Cursors are opaque (any string is schema-valid); only a `next_cursor` the API gave is valid.
    ("invalid_cursor", "cursor", "cursor"),
    # A constraint between two parameters (booked_to >= booked_from).
    ("validation_error", "booked_to", "booked_to"),
)


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure except a positive-data rejection (ST202) of the kinds above."""
    if getattr(failure, "code", "") != "ST202" or response.status_code != 400:
        return True
    try:
        problem = json.loads(response.content)
    except ValueError:
        return True
    fields = {e.get("field") for e in problem.get("errors") or [] if isinstance(e, dict)}
    query = case.query or {}
    return not any(
        problem.get("code") == code and field in fields and parameter in query
        for code, field, parameter in _UNSTATABLE
    )
