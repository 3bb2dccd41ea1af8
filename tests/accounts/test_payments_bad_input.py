"""Every way a payment request can be wrong: a 4xx problem with a stable code, nothing written."""
from __future__ import annotations

import pytest

from apps.accounts.models import DepositAccount
from apps.accounts.services import deposit_account_freeze
from apps.core.actors import Actor
from apps.oauth.models import Consent
from tests.factories import (
    customer_token,
    issue_token,
    ledger_counts,
    make_account,
    make_client,
    make_customer,
    payment_token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    alice = make_customer("alice")
    debtor = make_account(alice, balance_minor=100_000)
    creditor = make_account(make_customer("bob"))
    token = payment_token(alice, debtor=debtor, creditor_account_number=creditor.account_number, amount_minor=12_345)
    body = {
        "consent_id": token.consent.id,
        "amount": {"amount": "123.45", "currency": "CNY"},
        "creditor_account_number": creditor.account_number,
    }
    return alice, debtor, creditor, token, body


def refused(api_client, token, body, status: int, code: str, *, field: str | None = None,  # type: ignore[no-untyped-def]
            key: str | None = "key-1", raw: str | None = None) -> dict:
    before = ledger_counts()
    headers = dict(token.header)
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    if raw is not None:
        response = api_client.post("/api/v1/payments", raw, content_type="application/json", **headers)
    else:
        response = api_client.post("/api/v1/payments", body, format="json", **headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code, problem
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]], problem
    assert ledger_counts() == before
    assert not Consent.objects.filter(status=Consent.Status.CONSUMED).exists()  # still usable after a refusal
    return problem


@pytest.mark.parametrize(
    "raw",
    ['{"consent_id": ', "not json", '[1, 2]', '"a string"', ""],
    ids=["truncated", "not-json", "array", "string", "empty"],
)
def test_malformed_json_and_non_objects_are_400(api_client, setup, raw) -> None:
    alice, debtor, creditor, token, body = setup
    problem = refused(api_client, token, body, 400, "malformed_request" if raw in ('{"consent_id": ', "not json") else "validation_error", raw=raw)
    assert problem["status"] == 400


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"amount": {"amount": 123.45, "currency": "CNY"}}, "amount.amount", "validation_error"),
        ({"amount": {"amount": True, "currency": "CNY"}}, "amount.amount", "validation_error"),
        ({"amount": "123.45"}, "amount", "validation_error"),
        ({"amount": {"amount": "123.45"}}, "amount.currency", "validation_error"),
        ({"amount": {"amount": "123.45", "currency": "CNY", "fx": "1"}}, "amount.fx", "validation_error"),
        ({"creditor_account_number": 6217}, "creditor_account_number", "validation_error"),
        ({"creditor_account_number": ["x"]}, "creditor_account_number", "validation_error"),
        ({"consent_id": None}, "consent_id", "validation_error"),
        ({"reference": "x" * 141}, "reference", "validation_error"),
        ({"unexpected": "field"}, "unexpected", "validation_error"),
        ({"debtor_account_id": "acc_x"}, "debtor_account_id", "validation_error"),
    ],
    ids=["float", "bool", "amount-not-object", "no-currency", "unknown-amount-field", "number-account",
         "list-account", "null-consent", "long-reference", "unknown-field", "unknown-debtor-field"],
)
def test_wrong_types_and_unknown_fields_are_400(api_client, setup, change, field, code) -> None:
    alice, debtor, creditor, token, body = setup
    problem = refused(api_client, token, {**body, **change}, 400, code, field=field)
    if change == {"unexpected": "field"}:
        assert problem["errors"][0]["code"] == "unknown_field"


def test_missing_required_fields_are_400(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    problem = refused(api_client, token, {}, 400, "validation_error")
    assert {e["field"] for e in problem["errors"]} == {"consent_id", "amount", "creditor_account_number"}
    assert {e["code"] for e in problem["errors"]} == {"required"}


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        ("0", "CNY", "amount_not_positive"),
        ("0.00", "CNY", "amount_not_positive"),
        ("-123.45", "CNY", "amount_not_positive"),
        ("123.456", "CNY", "amount_too_precise"),
        ("1.5", "JPY", "amount_too_precise"),
        ("10000000000.01", "CNY", "amount_too_large"),
        ("1e3", "CNY", "invalid_amount"),
        ("NaN", "CNY", "invalid_amount"),
        ("12,30", "CNY", "invalid_amount"),
        ("", "CNY", "invalid_amount"),
        ("123.45", "XXX", "unsupported_currency"),
        ("123.45", "cny", "unsupported_currency"),
    ],
)
def test_bad_amounts_and_currencies_are_400(api_client, setup, amount, currency, code) -> None:
    alice, debtor, creditor, token, body = setup
    field = "amount.currency" if code == "unsupported_currency" else "amount.amount"
    refused(api_client, token, {**body, "amount": {"amount": amount, "currency": currency}}, 400, code, field=field)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": {"amount": "123.44", "currency": "CNY"}}, "amount.amount"),
        ({"amount": {"amount": "123.45", "currency": "USD"}}, "amount.currency"),
        ({"creditor_account_number": "6217000000000000000"}, "creditor_account_number"),
        ({"reference": "Not what was consented"}, "reference"),
        ({"consent_id": "cns_someone_else"}, "consent_id"),
    ],
)
def test_a_payment_that_differs_from_its_consent_is_422(api_client, setup, change, field) -> None:
    alice, debtor, creditor, token, body = setup
    if "reference" in change:
        Consent.objects.filter(pk=token.consent.pk).update(reference="Invoice 42")
    refused(api_client, token, {**body, **change}, 422, "payment_does_not_match_consent", field=field)


def test_an_unknown_creditor_is_422(api_client) -> None:
    alice = make_customer()
    debtor = make_account(alice, balance_minor=100_000)
    token = payment_token(alice, debtor=debtor, creditor_account_number="6217999999999999999", amount_minor=100)
    body = {"consent_id": token.consent.id, "amount": {"amount": "1.00", "currency": "CNY"},
            "creditor_account_number": "6217999999999999999"}
    refused(api_client, token, body, 422, "creditor_account_not_found", field="creditor_account_number")


def test_a_closed_creditor_is_422(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    DepositAccount.objects.filter(pk=creditor.pk).update(status=DepositAccount.Status.CLOSED)
    refused(api_client, token, body, 422, "creditor_account_not_found")


def test_paying_the_debtor_account_itself_is_422(api_client) -> None:
    alice = make_customer()
    debtor = make_account(alice, balance_minor=100_000)
    token = payment_token(alice, debtor=debtor, creditor_account_number=debtor.account_number, amount_minor=100)
    body = {"consent_id": token.consent.id, "amount": {"amount": "1.00", "currency": "CNY"},
            "creditor_account_number": debtor.account_number}
    refused(api_client, token, body, 422, "same_account")


def test_a_frozen_or_closed_debtor_cannot_pay(api_client, setup, admin_user) -> None:
    alice, debtor, creditor, token, body = setup
    deposit_account_freeze(account_id=debtor.id, actor=Actor.staff(admin_user))
    refused(api_client, token, body, 422, "account_frozen")
    DepositAccount.objects.filter(pk=debtor.pk).update(status=DepositAccount.Status.CLOSED)
    refused(api_client, token, body, 422, "account_frozen")


def test_a_frozen_creditor_can_still_receive(api_client, setup, admin_user) -> None:
    alice, debtor, creditor, token, body = setup
    deposit_account_freeze(account_id=creditor.id, actor=Actor.staff(admin_user))
    response = api_client.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY="k", **token.header)
    assert response.status_code == 201


def test_beyond_the_available_balance_is_422_insufficient_funds(api_client) -> None:
    alice = make_customer()
    debtor = make_account(alice, balance_minor=10_000)
    creditor = make_account(make_customer())
    token = payment_token(alice, debtor=debtor, creditor_account_number=creditor.account_number, amount_minor=10_001)
    body = {"consent_id": token.consent.id, "amount": {"amount": "100.01", "currency": "CNY"},
            "creditor_account_number": creditor.account_number}
    refused(api_client, token, body, 422, "insufficient_funds")
    debtor.ledger_account.refresh_from_db()
    assert debtor.ledger_account.balance_minor == 10_000


def test_the_idempotency_key_is_required_and_bounded(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    problem = refused(api_client, token, body, 400, "idempotency_key_required", key=None, field="Idempotency-Key")
    assert problem["errors"][0]["code"] == "required"
    refused(api_client, token, body, 400, "idempotency_key_invalid", key="k" * 256)


def test_a_failed_request_releases_its_key_for_a_fixed_retry(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    refused(api_client, token, {**body, "amount": {"amount": "1.00", "currency": "CNY"}}, 422,
            "payment_does_not_match_consent")
    response = api_client.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY="key-1", **token.header)
    assert response.status_code == 201


def test_missing_expired_and_wrong_tokens(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    before = ledger_counts()
    response = api_client.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 401 and response.json()["code"] == "authentication_required"
    expired = issue_token(token.application, scope="payments", customer=alice, consent=token.consent, expires_in=-1)
    refused(api_client, expired, body, 401, "token_expired")
    accounts_only = issue_token(token.application, scope="accounts", customer=alice, consent=token.consent)
    refused(api_client, accounts_only, body, 403, "insufficient_scope")
    client_credentials = issue_token(make_client(), scope="payments")
    refused(api_client, client_credentials, body, 403, "customer_token_required")
    # An account-access consent's token cannot pay, even with the payments scope.
    access = customer_token(alice, accounts=[debtor], scope="accounts payments")
    refused(api_client, access, body, 403, "payment_consent_required")
    assert ledger_counts() == before


def test_a_revoked_or_expired_consent_stops_the_token(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    Consent.objects.filter(pk=token.consent.pk).update(status=Consent.Status.REVOKED)
    before = ledger_counts()
    response = api_client.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY="k", **token.header)
    assert response.status_code == 401 and response.json()["code"] == "consent_revoked"
    assert ledger_counts() == before


def test_another_customers_debtor_account_cannot_be_paid_from(api_client) -> None:
    alice, mallory = make_customer(), make_customer()
    victim = make_account(alice, balance_minor=100_000)
    creditor = make_account(mallory)
    # A consent naming someone else's account as debtor (never created by the consent pages).
    token = payment_token(mallory, debtor=victim, creditor_account_number=creditor.account_number, amount_minor=100)
    body = {"consent_id": token.consent.id, "amount": {"amount": "1.00", "currency": "CNY"},
            "creditor_account_number": creditor.account_number}
    refused(api_client, token, body, 422, "debtor_account_not_found")
