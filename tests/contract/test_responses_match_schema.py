"""Real responses of the main read endpoints conform to the committed contract."""
from __future__ import annotations

from typing import Any

import pytest

from tests.contract.ownership import build_world
from tests.contract.schema_check import conforms, response_schema

pytestmark = pytest.mark.django_db


def test_customer_read_endpoints_conform(api_client: Any) -> None:
    world = build_world()
    token = world.token("customer", scope="accounts payments credit")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    account, payment = world.account_a.pk, world.objects["payment_a"].pk
    line, loan = world.objects["credit_line_a"].pk, world.objects["loan_a"].pk
    checks = [
        ("/api/v1/accounts", "/api/v1/accounts"),
        (f"/api/v1/accounts/{account}", "/api/v1/accounts/{account_id}"),
        (f"/api/v1/accounts/{account}/balances", "/api/v1/accounts/{account_id}/balances"),
        (f"/api/v1/accounts/{account}/transactions", "/api/v1/accounts/{account_id}/transactions"),
        (f"/api/v1/payments/{payment}", "/api/v1/payments/{payment_id}"),
        ("/api/v1/credit-lines", "/api/v1/credit-lines"),
        (f"/api/v1/credit-lines/{line}", "/api/v1/credit-lines/{line_id}"),
        ("/api/v1/loans", "/api/v1/loans"),
        (f"/api/v1/loans/{loan}", "/api/v1/loans/{loan_id}"),
        (f"/api/v1/loans/{loan}/schedule", "/api/v1/loans/{loan_id}/schedule"),
        (f"/api/v1/loans/{loan}/payoff-quote", "/api/v1/loans/{loan_id}/payoff-quote"),
    ]
    for url, template in checks:
        response = api_client.get(url, **auth)
        assert response.status_code == 200, (url, response.content)
        body = response.json()
        if isinstance(body, dict) and "data" in body:
            assert body["data"], f"{url}: the world should make this list non-empty"
        assert conforms(body, response_schema(template, "get", 200)) == [], url


def test_client_read_endpoints_conform(api_client: Any) -> None:
    world = build_world()
    token = world.token("third_party_client", scope="accounts payments")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    consent = world.objects["consent_a"].pk
    for url, template in [
        ("/api/v1/consents", "/api/v1/consents"),
        (f"/api/v1/consents/{consent}", "/api/v1/consents/{consent_id}"),
    ]:
        response = api_client.get(url, **auth)
        assert response.status_code == 200, (url, response.content)
        assert conforms(response.json(), response_schema(template, "get", 200)) == [], url


def test_documented_examples_conform_to_their_schemas() -> None:
    """Examples in the contract are what the SDK docs and Swagger UI show: they must be valid."""
    from tests.contract.schema_check import SCHEMA

    checked = 0
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            bodies = [operation.get("requestBody", {})] + list(operation.get("responses", {}).values())
            for body in bodies:
                content = body.get("content", {}).get("application/json", {})
                for name, example in content.get("examples", {}).items():
                    assert conforms(example["value"], content["schema"]) == [], f"{method} {path} {name}"
                    checked += 1
    assert checked >= 6
