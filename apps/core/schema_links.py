"""OpenAPI links between operations (drf-spectacular postprocessing hook).

A link says where a response's ids lead: create then read (POST /consents -> GET
/consents/{id}, POST /payments -> GET /payments/{id}), draw then the loan, its schedule and
quote, repay then the loan, and list then item. Clients and tools follow them; the fuzzer's
stateful phase (tests/fuzz) chains calls along them, so it reaches real resources rather than
guessed ids. An operation a link names that is no longer in the schema is an error here, so
a renamed operation cannot silently drop its links.
"""
from __future__ import annotations

from typing import Any

# (source operationId, response status) -> [(link name, target operationId, {parameter: expression})]
LINKS: dict[tuple[str, str], list[tuple[str, str, dict[str, str]]]] = {
    ("consents_create", "201"): [
        ("GetConsent", "consents_retrieve", {"consent_id": "$response.body#/id"}),
        ("RevokeConsent", "consents_revoke", {"consent_id": "$response.body#/id"}),
    ],
    ("consents_list", "200"): [
        ("GetFirstConsent", "consents_retrieve", {"consent_id": "$response.body#/data/0/id"}),
    ],
    ("accounts_list", "200"): [
        ("GetFirstAccount", "accounts_retrieve", {"account_id": "$response.body#/data/0/id"}),
        ("GetFirstAccountBalances", "accounts_balances", {"account_id": "$response.body#/data/0/id"}),
        ("ListFirstAccountTransactions", "accounts_transactions", {"account_id": "$response.body#/data/0/id"}),
    ],
    ("accounts_retrieve", "200"): [
        ("GetBalances", "accounts_balances", {"account_id": "$response.body#/id"}),
        ("ListTransactions", "accounts_transactions", {"account_id": "$response.body#/id"}),
    ],
    ("payments_create", "201"): [
        ("GetPayment", "payments_retrieve", {"payment_id": "$response.body#/id"}),
    ],
    ("credit_lines_list", "200"): [
        ("GetFirstCreditLine", "credit_lines_retrieve", {"line_id": "$response.body#/data/0/id"}),
        ("DrawOnFirstCreditLine", "credit_lines_drawdown", {"line_id": "$response.body#/data/0/id"}),
    ],
    ("credit_lines_retrieve", "200"): [
        ("DrawOnCreditLine", "credit_lines_drawdown", {"line_id": "$response.body#/id"}),
    ],
    ("credit_lines_drawdown", "201"): [
        ("GetLoan", "loans_retrieve", {"loan_id": "$response.body#/id"}),
        ("GetLoanSchedule", "loans_schedule", {"loan_id": "$response.body#/id"}),
        ("GetLoanPayoffQuote", "loans_payoff_quote", {"loan_id": "$response.body#/id"}),
        ("RepayLoan", "loans_repay", {"loan_id": "$response.body#/id"}),
        ("GetCreditLine", "credit_lines_retrieve", {"line_id": "$response.body#/credit_line_id"}),
    ],
    ("loans_list", "200"): [
        ("GetFirstLoan", "loans_retrieve", {"loan_id": "$response.body#/data/0/id"}),
        ("GetFirstLoanSchedule", "loans_schedule", {"loan_id": "$response.body#/data/0/id"}),
        ("RepayFirstLoan", "loans_repay", {"loan_id": "$response.body#/data/0/id"}),
    ],
    ("loans_repay", "201"): [
        ("GetRepaidLoan", "loans_retrieve", {"loan_id": "$response.body#/loan_id"}),
        ("GetRepaidLoanSchedule", "loans_schedule", {"loan_id": "$response.body#/loan_id"}),
    ],
    ("credit_applications_create", "201"): [
        ("GetCreditApplication", "credit_applications_retrieve", {"application_id": "$response.body#/id"}),
    ],
}


def _operations(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        op["operationId"]: op
        for item in schema.get("paths", {}).values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }


def postprocess_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    operations = _operations(result)
    for (source, status), links in LINKS.items():
        if source not in operations:
            raise ValueError(f"schema_links: no operation {source!r} in the schema")
        response = operations[source].get("responses", {}).get(status)
        if response is None:
            raise ValueError(f"schema_links: {source} has no {status} response")
        for name, target, parameters in links:
            if target not in operations:
                raise ValueError(f"schema_links: {source} links to a missing operation {target!r}")
            response.setdefault("links", {})[name] = {"operationId": target, "parameters": dict(parameters)}
    return result
