"""The consents API as a third-party app uses it (client-credentials token)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.oauth.models import ClientProfile, Consent
from tests.factories import client_token, customer_token, issue_token, make_client, make_customer

pytestmark = pytest.mark.django_db


def _future(days: int = 90) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def _account_consent(**overrides: Any) -> dict[str, Any]:
    body = {"kind": "account_access", "permissions": ["read_accounts", "read_balances"], "expires_at": _future()}
    body.update(overrides)
    return body


def _payment_consent(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "payment",
        "amount": {"amount": "128.50", "currency": "CNY"},
        "creditor_account_number": "6217000011112222333",
        "creditor_name": "Hangzhou Tea Trading Co.",
        "reference": "Order 1234",
    }
    body.update(overrides)
    return body


def _post(api_client: Any, token: Any, body: dict[str, Any], **headers: str) -> Any:
    return api_client.post("/api/v1/consents", body, format="json", **token.header, **headers)


def test_create_account_access_consent(api_client: Any) -> None:
    token = client_token(scope="accounts")
    response = _post(api_client, token, _account_consent())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("cns_")
    assert body["status"] == "awaiting_authorisation"
    assert body["kind"] == "account_access"
    assert body["permissions"] == ["read_accounts", "read_balances"]
    assert body["account_ids"] == [] and body["authorised_at"] is None and body["payment"] is None
    assert response["Location"] == f"/api/v1/consents/{body['id']}"
    assert Consent.objects.get(pk=body["id"]).application_id == token.application.pk


def test_create_payment_consent_defaults_to_one_day(api_client: Any) -> None:
    token = client_token(scope="payments")
    before = timezone.now()
    response = _post(api_client, token, _payment_consent())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["payment"]["amount"] == {"amount": "128.50", "currency": "CNY"}
    assert body["payment"]["creditor_name"] == "Hangzhou Tea Trading Co."
    assert body["payment"]["debtor_account_id"] is None
    consent = Consent.objects.get(pk=body["id"])
    assert consent.amount_minor == 12850
    assert timedelta(hours=23) < consent.expires_at - before <= timedelta(days=1, seconds=5)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (_account_consent(expires_at=None), "expires_at", "required"),
        (_account_consent(expires_at=(timezone.now() - timedelta(minutes=1)).isoformat()), "expires_at", "expires_at_in_past"),
        (_account_consent(expires_at=_future(days=400)), "expires_at", "expires_at_too_far"),
        (_account_consent(permissions=[]), "permissions", "required"),
        (_account_consent(permissions=["read_everything"]), "permissions.0", "invalid_choice"),
        ({"kind": "mortgage"}, "kind", "invalid_choice"),
    ],
)
def test_bad_account_consent_is_a_problem_with_a_stable_code(api_client: Any, body: dict, field: str, code: str) -> None:
    body = {k: v for k, v in body.items() if v is not None}
    response = _post(api_client, client_token(scope="accounts"), body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] in {"validation_error", code}
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in problem["errors"]]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"amount": {"amount": "12.345", "currency": "CNY"}}, "amount.amount", "amount_too_precise"),
        ({"amount": {"amount": "-5.00", "currency": "CNY"}}, "amount.amount", "amount_not_positive"),
        ({"amount": {"amount": 12.5, "currency": "CNY"}}, "amount.amount", "invalid_amount"),
        ({"amount": None}, "amount", "required"),
        ({"creditor_name": ""}, "creditor_name", "required"),
    ],
)
def test_bad_payment_consent_is_a_problem(api_client: Any, overrides: dict, field: str, code: str) -> None:
    body = _payment_consent(**overrides)
    body = {k: v for k, v in body.items() if v is not None}
    response = _post(api_client, client_token(scope="payments"), body)
    assert response.status_code == 400, response.content
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in response.json()["errors"]]


def test_kind_needs_its_own_scope(api_client: Any) -> None:
    response = _post(api_client, client_token(scope="accounts"), _payment_consent())
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_customer_token_cannot_create_consents(api_client: Any) -> None:
    token = customer_token(make_customer(), scope="accounts")
    response = _post(api_client, token, _account_consent())
    assert response.status_code == 403
    assert response.json()["code"] == "client_token_required"


def test_partner_client_cannot_create_consents(api_client: Any) -> None:
    token = client_token(ClientProfile.Kind.PARTNER, scope="accounts")
    response = _post(api_client, token, _account_consent())
    assert response.status_code == 403
    assert response.json()["code"] == "client_token_required"


def test_idempotency_key_replays_the_first_consent(api_client: Any) -> None:
    token = client_token(scope="accounts")
    body = _account_consent()
    first = _post(api_client, token, body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = _post(api_client, token, body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Consent.objects.count() == 1


def test_list_shows_only_the_clients_own_consents_paginated(api_client: Any) -> None:
    token = client_token(scope="accounts")
    other = client_token(scope="accounts")
    mine = [_post(api_client, token, _account_consent()).json()["id"] for _ in range(3)]
    _post(api_client, other, _account_consent())
    page = api_client.get("/api/v1/consents?limit=2", **token.header).json()
    assert [c["id"] for c in page["data"]] == list(reversed(mine))[:2]
    assert page["has_more"] is True
    rest = api_client.get(f"/api/v1/consents?limit=2&cursor={page['next_cursor']}", **token.header).json()
    assert [c["id"] for c in rest["data"]] == [mine[0]]
    assert rest["has_more"] is False and rest["next_cursor"] is None


def test_another_clients_consent_is_not_found(api_client: Any) -> None:
    owner = client_token(scope="accounts")
    consent_id = _post(api_client, owner, _account_consent()).json()["id"]
    stranger = client_token(scope="accounts")
    for method in ("get", "delete"):
        response = getattr(api_client, method)(f"/api/v1/consents/{consent_id}", **stranger.header)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert Consent.objects.get(pk=consent_id).status == Consent.Status.AWAITING_AUTHORISATION


def test_app_revokes_its_consent_and_the_customer_token_stops(api_client: Any) -> None:
    customer = make_customer()
    user_token = customer_token(customer, scope="accounts")
    app = user_token.application
    app_token = issue_token(app, scope="accounts")
    url = f"/api/v1/consents/{user_token.consent.pk}"
    assert api_client.get(url, **app_token.header).json()["status"] == "authorised"
    response = api_client.delete(url, **app_token.header)
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert response.json()["revoked_by"] == "client"
    # the customer's token under that consent is now refused, with the reason
    stopped = api_client.get("/api/v1/consents", **user_token.header)
    assert stopped.status_code == 401
    assert stopped.json()["code"] == "consent_revoked"
    again = api_client.delete(url, **app_token.header)
    assert again.status_code == 409
    assert again.json()["code"] == "consent_not_active"


def test_third_party_client_gets_a_client_credentials_token(client: Any) -> None:
    """A confidential auth-code app may use client credentials (to create consents)."""
    app = make_client(scopes="accounts payments")
    app.client_secret = "s3cret-for-tests"
    app.save()
    response = client.post(
        "/oauth/token/",
        {"grant_type": "client_credentials", "scope": "accounts", "client_id": app.client_id, "client_secret": "s3cret-for-tests"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "accounts"
    refused = client.post(
        "/oauth/token/",
        {"grant_type": "client_credentials", "scope": "partner", "client_id": app.client_id, "client_secret": "s3cret-for-tests"},
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"
