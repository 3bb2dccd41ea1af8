"""Is a problem response one the committed contract lists for its operation?"""
from __future__ import annotations

from typing import Any

from apps.core.schema import declared_codes
from tests.contract.schema_check import SCHEMA


def operation(template: str, method: str) -> dict[str, Any]:
    return SCHEMA["paths"][template][method.lower()]


def undeclared(response: Any, template: str, method: str) -> str | None:
    """None when the response's status (and, for a problem, its code) is listed."""
    op = operation(template, method)
    status = response.status_code
    if str(status) not in op["responses"]:
        return f"{method.upper()} {template} answered {status}, which it does not list"
    if status >= 400:
        code = response.json()["code"]
        if (status, code) not in declared_codes(op):
            return f"{method.upper()} {template} answered {status} `{code}`, which it lists no example of"
    return None
