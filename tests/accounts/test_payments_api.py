"""POST /api/v1/payments and GET /api/v1/payments/{id}."""
from __future__ import annotations

import pytest

from apps.accounts.models import Payment
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import ledger_balances_match_postings, ledger_trial_balance
from apps.oauth.models import Consent
from tests.factories import (
    customer_token,
    ledger_counts,
    make_account,
    make_customer,
    payment_token,
)
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db



@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    alice = make_customer("alice")
    debtor = make_account(alice, balance_minor=100_000)
    bob = make_customer("bob")
    creditor = make_account(bob)
    token = payment_token(alice, debtor=debtor, creditor_account_number=creditor.account_number,
                          amount_minor=12_345, reference="Invoice 42")
    body = {
        "consent_id": token.consent.id,
        "amount": {"amount": "123.45", "currency": "CNY"},
        "creditor_account_number": creditor.account_number,
        "reference": "Invoice 42",
    }
    return alice, debtor, creditor, token, body


def pay(api_client, token, body, key="key-1", **extra):  # type: ignore[no-untyped-def]
    return api_client.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY=key, **token.header, **extra)


def balance(account) -> int:  # type: ignore[no-untyped-def]
    account.ledger_account.refresh_from_db()
    return account.ledger_account.balance_minor


def test_a_payment_moves_the_money_consumes_the_consent_and_is_one_entry(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    response = pay(api_client, token, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"].startswith("pay_") and data["status"] == "booked"
    assert data["amount"] == {"amount": "123.45", "currency": "CNY"}
    assert data["debtor_account_id"] == debtor.id and data["creditor_account_number"] == creditor.account_number
    assert data["consent_id"] == token.consent.id and data["reference"] == "Invoice 42"
    assert response["Location"] == f"/api/v1/payments/{data['id']}"
    assert (balance(debtor), balance(creditor)) == (100_000 - 12_345, 12_345)
    payment = Payment.objects.get(pk=data["id"])
    entry = JournalEntry.objects.get(external_ref=f"payment:{payment.id}")
    assert payment.journal_entry_id == entry.pk and entry.kind == "payment"
    assert sorted(entry.postings.values_list("amount_minor", flat=True)) == [-12_345, 12_345]
    token.consent.refresh_from_db()
    assert token.consent.status == Consent.Status.CONSUMED
    assert ledger_trial_balance() == {"CNY": 0} and ledger_balances_match_postings()


def test_the_reference_may_be_left_out_and_comes_from_the_consent(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    del body["reference"]
    response = pay(api_client, token, body)
    assert response.status_code == 201 and response.json()["reference"] == "Invoice 42"


def test_both_parties_see_it_in_their_transactions(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    payment_id = pay(api_client, token, body).json()["id"]
    reader = customer_token(alice, accounts=[debtor])
    latest = api_client.get(f"/api/v1/accounts/{debtor.id}/transactions", **reader.header).json()["data"][0]
    assert latest["credit_debit_indicator"] == "debit" and latest["amount"]["amount"] == "123.45"
    assert latest["entry"] == {"kind": "payment", "reference": f"payment:{payment_id}"}
    assert latest["balance_after"]["amount"] == "876.55"


def test_a_consent_pays_once(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    assert pay(api_client, token, body).status_code == 201
    before = ledger_counts()
    # A second payment with a new key: the consent is consumed (the token stops, or the service refuses).
    response = pay(api_client, token, body, key="key-2")
    assert response.status_code in (401, 422)
    assert response.json()["code"] == "consent_consumed"
    assert ledger_counts() == before


def test_a_retry_with_the_same_key_replays_the_first_response(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    first = pay(api_client, token, body)
    before = ledger_counts()
    again = pay(api_client, token, body)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ledger_counts() == before
    assert_problem(pay(api_client, token, {**body, "reference": "other"}), 422, "idempotency_key_reused")
    assert ledger_counts() == before
    assert api_client.get(f"/api/v1/payments/{first.json()['id']}", **token.header).status_code == 200


def test_the_payment_can_be_read_by_the_same_client_for_the_same_customer(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    payment_id = pay(api_client, token, body).json()["id"]
    same_client = customer_token(alice, accounts=[debtor], application=token.application, scope="accounts")
    response = api_client.get(f"/api/v1/payments/{payment_id}", **same_client.header)
    assert response.status_code == 200 and response.json()["id"] == payment_id
    other_client = customer_token(alice, accounts=[debtor], scope="accounts payments")
    assert_problem(api_client.get(f"/api/v1/payments/{payment_id}", **other_client.header), 404, "not_found")
    bob_same_client = customer_token(make_customer("bob2"), application=token.application, scope="accounts")
    assert_problem(api_client.get(f"/api/v1/payments/{payment_id}", **bob_same_client.header), 404, "not_found")
    assert_problem(api_client.get("/api/v1/payments/pay_unknown", **same_client.header), 404, "not_found")
    credit_only = customer_token(alice, application=token.application, scope="credit")
    assert_problem(api_client.get(f"/api/v1/payments/{payment_id}", **credit_only.header), 403, "insufficient_scope")


def test_an_idempotency_key_is_scoped_to_client_and_customer_across_tokens(api_client, setup) -> None:
    """The client's second payment token (another consent) hits the same key space."""
    alice, debtor, creditor, token, body = setup
    first = pay(api_client, token, body, key="shared-key")
    assert first.status_code == 201
    second = payment_token(alice, debtor=debtor, creditor_account_number=creditor.account_number, amount_minor=500,
                           application=token.application)
    before = ledger_counts()
    replay = pay(api_client, second, body, key="shared-key")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json() and replay["Location"] == first["Location"]
    other_body = {"consent_id": second.consent.id, "amount": {"amount": "5.00", "currency": "CNY"},
                  "creditor_account_number": creditor.account_number}
    assert_problem(pay(api_client, second, other_body, key="shared-key"), 422, "idempotency_key_reused")
    assert ledger_counts() == before
    second.consent.refresh_from_db()
    assert second.consent.status == Consent.Status.AUTHORISED
    # A fresh key makes the second payment.
    assert pay(api_client, second, other_body, key="fresh-key").status_code == 201
    assert ledger_counts()[2] == before[2] + 1


def test_another_client_with_the_same_key_is_not_a_replay(api_client, setup) -> None:
    alice, debtor, creditor, token, body = setup
    assert pay(api_client, token, body, key="k").status_code == 201
    other = payment_token(alice, debtor=debtor, creditor_account_number=creditor.account_number, amount_minor=12_345)
    response = pay(api_client, other, {**body, "consent_id": other.consent.id}, key="k")
    assert response.status_code == 201 and response.get("Idempotent-Replayed") is None
    assert response.json()["id"] != Payment.objects.exclude(pk=response.json()["id"]).get().id


@pytest.mark.parametrize("kyc_status", ["pending", "rejected"])
def test_only_a_verified_customer_may_pay(api_client, setup, kyc_status) -> None:
    alice, debtor, creditor, token, body = setup
    alice.kyc_status = kyc_status
    alice.save(update_fields=["kyc_status"])
    before = ledger_counts()
    problem = assert_problem(pay(api_client, token, body), 422, "kyc_not_verified")
    assert kyc_status in problem["detail"]
    assert ledger_counts() == before and balance(debtor) == 100_000
    assert Consent.objects.get(pk=token.consent.id).status == Consent.Status.AUTHORISED  # usable once verified
    alice.kyc_status = "verified"
    alice.save(update_fields=["kyc_status"])
    assert pay(api_client, token, body, key="key-2").status_code == 201


def test_a_currency_mismatch_is_the_one_core_error(api_client) -> None:
    from apps.core.money import CurrencyMismatch

    alice = make_customer("alice")
    debtor = make_account(alice, balance_minor=100_000, currency="USD")
    creditor = make_account(make_customer("bob"), currency="USD")
    token = payment_token(alice, debtor=debtor, creditor_account_number=creditor.account_number, amount_minor=500)
    body = {"consent_id": token.consent.id, "amount": {"amount": "5.00", "currency": "CNY"},
            "creditor_account_number": creditor.account_number}
    problem = assert_problem(pay(api_client, token, body), 422, CurrencyMismatch.code)
    assert "CNY" in problem["detail"] and "USD" in problem["detail"]
