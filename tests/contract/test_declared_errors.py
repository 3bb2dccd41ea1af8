"""Every status an operation answers is in the contract, with a real example of that error.

The schema side: each problem response carries examples whose own status, code and title
are the error's (not one example everywhere). The server side: real failing requests of
each kind answer only (status, code) pairs their operation lists.
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from apps.core.schema import declared_codes
from apps.developers import catalog
from tests.contract.declared import operation, undeclared
from tests.contract.ownership import build_world
from tests.contract.schema_check import SCHEMA, conforms

OPERATIONS = [
    (path, method, op) for path, item in SCHEMA["paths"].items() for method, op in item.items()
    if method in {"get", "post", "put", "patch", "delete"}
]


def test_every_problem_response_has_examples_of_its_own_status() -> None:
    problem = {"$ref": "#/components/schemas/Problem"}
    codes = {e.code: e for e in catalog.error_codes()}
    for path, method, op in OPERATIONS:
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            content = response["content"]["application/problem+json"]
            assert content["examples"], f"{method} {path} {status}: no example"
            for name, example in content["examples"].items():
                value = example["value"]
                where = f"{method} {path} {status} {name}"
                assert value["status"] == int(status), where
                assert value["type"].endswith("#error-" + value["code"]), where
                assert conforms(value, problem) == [], where
                # What the example says is what the catalogue says of that code.
                assert value["code"] in codes, f"{where}: `{value['code']}` is not in the /developers catalogue"
                assert int(status) in codes[value["code"]].statuses, where


def test_examples_are_not_one_error_everywhere() -> None:
    seen = {code for _, _, op in OPERATIONS for _, code in declared_codes(op)}
    assert len(seen) >= 40, seen
    repay = declared_codes(operation("/api/v1/loans/{loan_id}/repayments", "post"))
    assert {(422, "repayment_exceeds_outstanding"), (409, "loan_not_active"), (422, "insufficient_funds")} <= repay


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS, ids=[f"{m} {p}" for p, m, _ in OPERATIONS])
def test_every_operation_lists_the_problems_every_operation_can_answer(path: str, method: str, op: dict[str, Any]) -> None:
    declared = declared_codes(op)
    expected = {(401, "authentication_required"), (401, "invalid_token"), (403, "insufficient_scope"),
                (429, "rate_limited")}
    params = {(p["in"], p["name"]): p for p in op.get("parameters", [])}
    if any(where == "path" for where, _ in params):
        expected.add((404, "not_found"))
    if any(where == "query" for where, _ in params):
        expected.add((400, "empty_query_parameter"))
    if ("query", "limit") in params:
        expected |= {(400, "validation_error"), (400, "invalid_cursor")}
        assert params[("query", "limit")]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    if "requestBody" in op:
        expected |= {(400, "validation_error"), (400, "malformed_request"), (415, "unsupported_media_type")}
    key = params.get(("header", "Idempotency-Key"))
    if key is not None:
        assert key["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}
        expected |= {(400, "idempotency_key_invalid"), (409, "idempotency_key_in_use"), (422, "idempotency_key_reused")}
        if key.get("required"):
            expected.add((400, "idempotency_key_required"))
    assert expected <= declared, sorted(expected - declared)


def test_bodies_that_refuse_unknown_fields_say_so() -> None:
    schemas = SCHEMA["components"]["schemas"]
    for name in ("MoneyRequest", "PaymentCreateRequest", "DrawdownCreateRequest", "RepaymentCreateRequest",
                 "CreditApplicationCreateRequest", "AccountAccessConsentCreateRequest", "PaymentConsentCreateRequest"):
        assert schemas[name].get("additionalProperties") is False, name


def test_consent_create_is_one_of_its_kinds() -> None:
    body = operation("/api/v1/consents", "post")["requestBody"]["content"]["application/json"]["schema"]
    schema = SCHEMA["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert schema["discriminator"]["propertyName"] == "kind"
    assert set(schema["discriminator"]["mapping"]) == {"account_access", "payment"}
    kinds = {ref["$ref"].rsplit("/", 1)[-1] for ref in schema["oneOf"]}
    schemas = SCHEMA["components"]["schemas"]
    assert set(schemas["AccountAccessConsentCreateRequest"]["required"]) == {"kind", "permissions", "expires_at"}
    assert set(schemas["PaymentConsentCreateRequest"]["required"]) == {
        "kind", "amount", "creditor_account_number", "creditor_name"}
    assert kinds == {"AccountAccessConsentCreateRequest", "PaymentConsentCreateRequest"}


# --- the server answers only what is declared ------------------------------------------

@pytest.fixture
def world(db: Any) -> Any:
    return build_world()


def _customer(world: Any, api_client: Any, scope: str = "accounts payments credit") -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {world.token('customer', scope=scope)}"}


def _check(response: Any, template: str, method: str, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code, response.content
    assert undeclared(response, template, method) is None, undeclared(response, template, method)


def _post(api_client: Any, path: str, body: Any, auth: dict[str, str], **headers: str) -> Any:
    headers.setdefault("HTTP_IDEMPOTENCY_KEY", str(uuid.uuid4()))
    return api_client.post(path, body, format="json", **auth, **headers)


@pytest.mark.django_db
def test_payoff_quote_errors_are_declared(world: Any, api_client: Any) -> None:
    from apps.core.clock import business_date
    from apps.lending.models import Loan

    auth = _customer(world, api_client)
    loan = world.objects["loan_a"]
    template = "/api/v1/loans/{loan_id}/payoff-quote"
    past = (business_date() - timedelta(days=3)).isoformat()
    _check(api_client.get(f"/api/v1/loans/{loan.pk}/payoff-quote?date={past}", **auth), template, "get",
           422, "quote_date_in_past")
    _check(api_client.get(f"/api/v1/loans/{loan.pk}/payoff-quote?date=tomorrow", **auth), template, "get",
           400, "validation_error")
    _check(api_client.get(f"/api/v1/loans/{loan.pk}/payoff-quote?date=", **auth), template, "get",
           400, "empty_query_parameter")
    Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.CLOSED)
    _check(api_client.get(f"/api/v1/loans/{loan.pk}/payoff-quote", **auth), template, "get", 409, "loan_not_active")
    _check(_post(api_client, f"/api/v1/loans/{loan.pk}/repayments", {"amount": {"amount": "1.00", "currency": "CNY"}},
                 auth), "/api/v1/loans/{loan_id}/repayments", "post", 409, "loan_not_active")


@pytest.mark.django_db
def test_empty_and_out_of_range_query_values_are_refused_and_declared(world: Any, api_client: Any) -> None:
    auth = _customer(world, api_client)
    for query, code in (("limit=", "empty_query_parameter"), ("cursor=", "empty_query_parameter"),
                        ("limit=0", "validation_error"), ("limit=101", "validation_error"),
                        ("cursor=forged", "invalid_cursor")):
        for url, template in (("/api/v1/loans", "/api/v1/loans"), ("/api/v1/accounts", "/api/v1/accounts"),
                              (f"/api/v1/accounts/{world.account_a.pk}/transactions",
                               "/api/v1/accounts/{account_id}/transactions")):
            response = api_client.get(f"{url}?{query}", **auth)
            _check(response, template, "get", 400, code)
    response = api_client.get(f"/api/v1/accounts/{world.account_a.pk}/transactions?booked_from=", **auth)
    _check(response, "/api/v1/accounts/{account_id}/transactions", "get", 400, "empty_query_parameter")
    assert response.json()["errors"][0]["field"] == "booked_from"
    assert api_client.get("/api/v1/loans?limit=100", **auth).status_code == 200


@pytest.mark.django_db
def test_lending_bodies_refuse_unknown_fields_and_declare_it(world: Any, api_client: Any) -> None:
    auth = _customer(world, api_client)
    loan, line = world.objects["loan_a"], world.objects["credit_line_a"]
    money = {"amount": "10.00", "currency": "CNY"}
    cases = [
        (f"/api/v1/loans/{loan.pk}/repayments", "/api/v1/loans/{loan_id}/repayments",
         {"amount": money, "amout": "1"}, "amout"),
        (f"/api/v1/loans/{loan.pk}/repayments", "/api/v1/loans/{loan_id}/repayments",
         {"amount": {**money, "scale": 2}}, "amount.scale"),
        (f"/api/v1/credit-lines/{line.pk}/drawdowns", "/api/v1/credit-lines/{line_id}/drawdowns",
         {"amount": money, "term_months": 5, "repayment_method": "equal_installment",
          "deposit_account_id": world.account_a.pk, "grace": 1}, "grace"),
        ("/api/v1/credit-applications", "/api/v1/credit-applications",
         {"requested_amount": money, "annual_revenue": money, "years_in_business": 3, "employes": 4}, "employes"),
    ]
    for url, template, body, field in cases:
        response = _post(api_client, url, body, auth)
        _check(response, template, "post", 400, "validation_error")
        assert {"field": field, "code": "unknown_field", "message": "Unknown field."} in response.json()["errors"]


@pytest.mark.django_db
def test_lending_service_errors_are_declared(world: Any, api_client: Any) -> None:
    auth = _customer(world, api_client)
    loan, line = world.objects["loan_a"], world.objects["credit_line_a"]
    repay = "/api/v1/loans/{loan_id}/repayments"
    _check(_post(api_client, f"/api/v1/loans/{loan.pk}/repayments", {"amount": {"amount": "1.00", "currency": "USD"}},
                 auth), repay, "post", 422, "currency_mismatch")
    _check(_post(api_client, f"/api/v1/loans/{loan.pk}/repayments", {"amount": {"amount": "1.001", "currency": "CNY"}},
                 auth), repay, "post", 400, "amount_too_precise")
    _check(_post(api_client, f"/api/v1/loans/{loan.pk}/repayments",
                 {"amount": {"amount": "99999999.00", "currency": "CNY"}}, auth), repay, "post",
           422, "repayment_exceeds_outstanding")
    _check(_post(api_client, f"/api/v1/loans/{loan.pk}/repayments", {"amount": {"amount": "1.00", "currency": "CNY"}},
                 auth, HTTP_IDEMPOTENCY_KEY="k" * 256), repay, "post", 400, "idempotency_key_invalid")
    drawdown = "/api/v1/credit-lines/{line_id}/drawdowns"
    body = {"amount": {"amount": "100.00", "currency": "CNY"}, "term_months": 7, "repayment_method": "equal_installment",
            "deposit_account_id": world.account_a.pk}
    _check(_post(api_client, f"/api/v1/credit-lines/{line.pk}/drawdowns", body, auth), drawdown, "post",
           422, "term_not_allowed")
    _check(_post(api_client, f"/api/v1/credit-lines/{line.pk}/drawdowns", {**body, "deposit_account_id": "acc_x"},
                 auth), drawdown, "post", 422, "deposit_account_not_in_consent")
    applications = "/api/v1/credit-applications"
    application = {"product_id": "no-such-product", "requested_amount": {"amount": "1000.00", "currency": "CNY"},
                   "annual_revenue": {"amount": "1000.00", "currency": "CNY"}, "years_in_business": 3}
    _check(_post(api_client, applications, application, auth), applications, "post", 404, "not_found")
    _check(_post(api_client, applications, {**application, "product_id": 7}, auth), applications, "post",
           400, "validation_error")


@pytest.mark.django_db
def test_consents_refuse_unknown_fields_and_numbers_for_strings(world: Any, api_client: Any) -> None:
    from apps.oauth.models import Consent

    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.token('third_party_client', scope='accounts payments')}"}
    template = "/api/v1/consents"
    before = Consent.objects.count()
    from django.utils import timezone

    soon = (timezone.now() + timedelta(days=30)).isoformat().replace("+00:00", "Z")
    access = {"kind": "account_access", "permissions": ["read_accounts"], "expires_at": soon}
    payment = {"kind": "payment", "amount": {"amount": "1.00", "currency": "CNY"},
               "creditor_account_number": world.account_b.account_number, "creditor_name": "B"}
    for body, field, code in (
        ({**access, "permisions": ["read_balances"]}, "permisions", "unknown_field"),
        ({**payment, "creditor_acount_number": "1"}, "creditor_acount_number", "unknown_field"),
        ({**payment, "permissions": ["read_accounts"]}, "permissions", "unknown_field"),
        ({**payment, "creditor_account_number": 6.2e18}, "creditor_account_number", "invalid"),
        ({**payment, "creditor_name": 7}, "creditor_name", "invalid"),
        ({**payment, "amount": {"amount": 1.5, "currency": "CNY"}}, "amount.amount", "invalid_amount"),
        ({"kind": "mortgage"}, "kind", "invalid_choice"),
        ({"permissions": ["read_accounts"]}, "kind", "required"),
        ({"kind": "account_access", "permissions": ["read_accounts"]}, "expires_at", "required"),
    ):
        response = api_client.post(template, body, format="json", **auth)
        _check(response, template, "post", 400, "validation_error")
        assert (field, code) in [(e["field"], e["code"]) for e in response.json()["errors"]], response.content
    assert Consent.objects.count() == before
    assert api_client.post(template, access, format="json", **auth).status_code == 201
    created = api_client.post(template, payment, format="json", **auth)
    assert created.status_code == 201, created.content
    assert created.json()["payment"]["creditor_account_number"] == world.account_b.account_number
    _check(api_client.get("/api/v1/consents?limit=", **auth), template, "get", 400, "empty_query_parameter")
    consent = created.json()["id"]
    assert api_client.delete(f"/api/v1/consents/{consent}", **auth).status_code == 200
    _check(api_client.delete(f"/api/v1/consents/{consent}", **auth), "/api/v1/consents/{consent_id}", "delete",
           409, "consent_not_active")


@pytest.mark.django_db
def test_payment_errors_are_declared(world: Any, api_client: Any) -> None:
    auth = _customer(world, api_client)  # an account-access consent: not a payment one
    body = {"consent_id": world.objects["consent_a"].pk, "amount": {"amount": "1.00", "currency": "CNY"},
            "creditor_account_number": world.account_b.account_number}
    _check(_post(api_client, "/api/v1/payments", body, auth), "/api/v1/payments", "post", 403,
           "payment_consent_required")
    _check(api_client.post("/api/v1/payments", body, format="json", **auth), "/api/v1/payments", "post", 400,
           "idempotency_key_required")
    _check(_post(api_client, "/api/v1/payments", {**body, "memo": "x"}, {}), "/api/v1/payments", "post", 401,
           "authentication_required")
