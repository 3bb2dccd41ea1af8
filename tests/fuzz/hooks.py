"""Schemathesis hooks (loaded by `st run` through SCHEMATHESIS_HOOKS=tests.fuzz.hooks).

Each operation gets the token a real app would use for it: client credentials for consents,
the customer's token of the matching scope for the rest; about half the generated bodies of the
creating calls get the real ids the fuzzer cannot guess (tests/fuzz/tokens.py's fuzz_setup
writes both to the JSON file named by OPENBANK_FUZZ_SETUP).
"""
from __future__ import annotations

import json
import os
import zlib
from typing import Any

import schemathesis

_SETUP: dict[str, Any] | None = None


def setup() -> dict[str, Any]:
    global _SETUP
    if _SETUP is None:
        with open(os.environ["OPENBANK_FUZZ_SETUP"], encoding="utf-8") as fh:
            _SETUP = json.load(fh)
    return _SETUP


def tokens() -> dict[str, str]:
    return dict(setup()["tokens"])


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
        return tokens()[role(_operation_id(case))]

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


def _operation_id(case: Any) -> str:
    return str(case.operation.definition.raw.get("operationId", ""))


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """Real ids into about half the bodies of POST /payments and the drawdowns, dropping the
    fields they do not know (which half depends on the body alone, so a seed replays the run). Without them every payment and
    drawdown fails (the consent id, the deposit account) and the links from their 201s (the
    payment, the loan, its schedule, a repayment) are never followed. Schemathesis revalidates
    a changed body, so a negative case made valid here is checked as a positive one."""
    real = setup()["bodies"].get(_operation_id(case))
    body = case.body
    if real and isinstance(body, dict) and zlib.crc32(repr(sorted(body.items(), key=repr)).encode()) % 2 == 0:
        case.body = {**{k: v for k, v in body.items() if k in real["keep"]}, **real["set"]}
    return case


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
