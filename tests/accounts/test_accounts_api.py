"""GET /api/v1/accounts…: only the customer's own accounts in the consent, gated by its permissions."""
from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from apps.accounts.services import deposit_account_freeze
from apps.core.actors import Actor
from apps.ledger.bank_books import bank_account
from apps.ledger.services import Leg, ledger_post
from tests.factories import customer_token, fund_account, issue_token, make_account, make_client, make_customer
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db



@pytest.fixture
def alice():  # type: ignore[no-untyped-def]
    customer = make_customer("alice")
    everyday = make_account(customer, balance_minor=123_456, name="Everyday")
    savings = make_account(customer, balance_minor=50_000, name="Savings")
    hidden = make_account(customer, name="Not shared")
    return customer, everyday, savings, hidden


def test_list_shows_only_the_shared_accounts_in_opening_order(api_client, alice) -> None:
    customer, everyday, savings, hidden = alice
    token = customer_token(customer, accounts=[savings, everyday])
    response = api_client.get("/api/v1/accounts", **token.header)
    assert response.status_code == 200
    body = response.json()
    assert [a["id"] for a in body["data"]] == [everyday.id, savings.id]
    assert body["has_more"] is False and body["next_cursor"] is None
    first = body["data"][0]
    assert first["name"] == "Everyday" and first["currency"] == "CNY" and first["status"] == "active"
    assert first["account_number"] == everyday.account_number
    assert first["masked_number"].endswith(everyday.account_number[-4:])


def test_list_pages_with_a_cursor(api_client, alice) -> None:
    customer, everyday, savings, hidden = alice
    token = customer_token(customer, accounts=[everyday, savings, hidden])
    page1 = api_client.get("/api/v1/accounts?limit=2", **token.header).json()
    assert len(page1["data"]) == 2 and page1["has_more"] is True
    page2 = api_client.get(f"/api/v1/accounts?limit=2&cursor={page1['next_cursor']}", **token.header).json()
    assert [a["id"] for a in page1["data"] + page2["data"]] == [everyday.id, savings.id, hidden.id]
    assert page2["has_more"] is False


def test_another_customers_account_in_the_consent_is_still_invisible(api_client, alice) -> None:
    customer, everyday, savings, hidden = alice
    mallory = make_customer("mallory")
    mallory_account = make_account(mallory, balance_minor=999)
    # Mallory reads her own statement first, so this process remembers whose account it is.
    own = customer_token(mallory, accounts=[mallory_account])
    assert api_client.get(f"/api/v1/accounts/{mallory_account.id}/transactions", **own.header).status_code == 200
    # A consent that (wrongly) lists someone else's account still only shows the customer's own.
    token = customer_token(customer, accounts=[everyday, mallory_account])
    assert [a["id"] for a in api_client.get("/api/v1/accounts", **token.header).json()["data"]] == [everyday.id]
    for suffix in ("", "/balances", "/transactions"):
        assert_problem(api_client.get(f"/api/v1/accounts/{mallory_account.id}{suffix}", **token.header), 404, "not_found")


def test_an_own_account_not_in_the_consent_is_404(api_client, alice) -> None:
    customer, everyday, savings, hidden = alice
    token = customer_token(customer, accounts=[everyday])
    for suffix in ("", "/balances", "/transactions"):
        assert_problem(api_client.get(f"/api/v1/accounts/{hidden.id}{suffix}", **token.header), 404, "not_found")
        assert_problem(api_client.get(f"/api/v1/accounts/acc_does_not_exist{suffix}", **token.header), 404, "not_found")


def test_retrieve_one_account(api_client, alice) -> None:
    customer, everyday, savings, hidden = alice
    token = customer_token(customer, accounts=[everyday])
    body = api_client.get(f"/api/v1/accounts/{everyday.id}", **token.header).json()
    assert body["id"] == everyday.id and body["kind"] == "current"


def test_balances_are_money_objects_from_the_ledger(api_client, alice) -> None:
    customer, everyday, savings, hidden = alice
    token = customer_token(customer, accounts=[everyday])
    body = api_client.get(f"/api/v1/accounts/{everyday.id}/balances", **token.header).json()
    assert body["booked"] == {"amount": "1234.56", "currency": "CNY"}
    assert body["available"] == {"amount": "1234.56", "currency": "CNY"}
    assert body["account_id"] == everyday.id and body["as_of"].endswith("Z")


@pytest.mark.parametrize(
    ("permissions", "path", "allowed"),
    [
        (["read_balances", "read_transactions"], "", False),
        (["read_accounts", "read_transactions"], "/balances", False),
        (["read_accounts", "read_balances"], "/transactions", False),
        (["read_accounts"], "", True),
        (["read_balances"], "/balances", True),
        (["read_transactions"], "/transactions", True),
    ],
)
def test_each_read_needs_its_consent_permission(api_client, alice, permissions, path, allowed) -> None:
    customer, everyday, savings, hidden = alice
    token = customer_token(customer, accounts=[everyday], permissions=permissions)
    response = api_client.get(f"/api/v1/accounts/{everyday.id}{path}", **token.header)
    if allowed:
        assert response.status_code == 200
    else:
        assert_problem(response, 403, "consent_permission_missing")


def test_listing_needs_read_accounts(api_client, alice) -> None:
    customer, everyday, savings, hidden = alice
    token = customer_token(customer, accounts=[everyday], permissions=["read_balances"])
    assert_problem(api_client.get("/api/v1/accounts", **token.header), 403, "consent_permission_missing")


def test_transactions_newest_first_with_signs_and_running_balance(api_client) -> None:
    customer = make_customer()
    account = make_account(customer)
    cash = bank_account("cash")
    ledger_post(external_ref="in-1", kind="cash_deposit", description="Salary",
                legs=[Leg(cash.pk, 10_000), Leg(account.ledger_account_id, -10_000)], business_date=date(2026, 5, 1))
    ledger_post(external_ref="out-1", kind="card_payment", description="Coffee",
                legs=[Leg(account.ledger_account_id, 2_550), Leg(cash.pk, -2_550)], business_date=date(2026, 5, 2))
    token = customer_token(customer, accounts=[account])
    body = api_client.get(f"/api/v1/accounts/{account.id}/transactions", **token.header).json()
    assert [(t["description"], t["credit_debit_indicator"], t["amount"]["amount"], t["balance_after"]["amount"],
             t["booking_date"], t["entry"]["kind"], t["entry"]["reference"]) for t in body["data"]] == [
        ("Coffee", "debit", "25.50", "74.50", "2026-05-02", "card_payment", "out-1"),
        ("Salary", "credit", "100.00", "100.00", "2026-05-01", "cash_deposit", "in-1"),
    ]
    assert all(t["id"].startswith("txn_") and t["booked_at"].endswith("Z") for t in body["data"])


def test_transactions_filter_by_business_date_inclusive_and_page(api_client) -> None:
    customer = make_customer()
    account = make_account(customer)
    cash = bank_account("cash")
    for day in range(1, 8):
        ledger_post(external_ref=f"d{day}", kind="cash_deposit",
                    legs=[Leg(cash.pk, day * 100), Leg(account.ledger_account_id, -day * 100)], business_date=date(2026, 6, day))
    token = customer_token(customer, accounts=[account])
    url = f"/api/v1/accounts/{account.id}/transactions?booked_from=2026-06-02&booked_to=2026-06-05&limit=3"
    page1 = api_client.get(url, **token.header).json()
    page2 = api_client.get(f"{url}&cursor={page1['next_cursor']}", **token.header).json()
    dates = [t["booking_date"] for t in page1["data"] + page2["data"]]
    assert dates == ["2026-06-05", "2026-06-04", "2026-06-03", "2026-06-02"]
    assert page1["has_more"] is True and page2["has_more"] is False


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("booked_from=yesterday", "booked_from", "invalid"),
        ("booked_to=2026-13-01", "booked_to", "invalid"),
        ("booked_from=2026-06-05T00:00:00Z", "booked_from", "invalid"),
        ("booked_from=2026-06-05&booked_to=2026-06-01", "booked_to", "before_booked_from"),
        ("limit=0", "limit", "out_of_range"),
        ("limit=abc", "limit", "out_of_range"),
        ("limit=101", "limit", "out_of_range"),
        ("cursor=forged", "cursor", "invalid"),
    ],
)
def test_bad_transaction_filters_are_400(api_client, query, field, code) -> None:
    customer = make_customer()
    account = make_account(customer, balance_minor=100)
    token = customer_token(customer, accounts=[account])
    body = assert_problem(api_client.get(f"/api/v1/accounts/{account.id}/transactions?{query}", **token.header), 400,
                   "invalid_cursor" if field == "cursor" else "validation_error")
    assert body["errors"][0]["field"] == field and body["errors"][0]["code"] == code


def test_a_cursor_from_another_list_is_refused(api_client, alice) -> None:
    customer, everyday, savings, hidden = alice
    token = customer_token(customer, accounts=[everyday, savings, hidden])
    cursor = api_client.get("/api/v1/accounts?limit=1", **token.header).json()["next_cursor"]
    assert_problem(api_client.get(f"/api/v1/accounts/{everyday.id}/transactions?cursor={cursor}", **token.header), 400, "invalid_cursor")


def test_a_frozen_account_is_still_readable(api_client, alice, admin_user) -> None:
    customer, everyday, savings, hidden = alice
    deposit_account_freeze(account_id=everyday.id, actor=Actor.staff(admin_user))
    token = customer_token(customer, accounts=[everyday])
    assert api_client.get(f"/api/v1/accounts/{everyday.id}", **token.header).json()["status"] == "frozen"
    assert api_client.get(f"/api/v1/accounts/{everyday.id}/balances", **token.header).status_code == 200
    assert api_client.get(f"/api/v1/accounts/{everyday.id}/transactions", **token.header).status_code == 200


def test_no_token_expired_token_wrong_scope_and_client_token(api_client, alice) -> None:
    customer, everyday, savings, hidden = alice
    assert_problem(api_client.get("/api/v1/accounts"), 401, "authentication_required")
    assert_problem(api_client.get("/api/v1/accounts", HTTP_AUTHORIZATION="Bearer nope"), 401, "invalid_token")
    app = make_client()
    from tests.factories import make_consent

    consent = make_consent(app, customer, accounts=[everyday])
    expired = issue_token(app, scope="accounts", customer=customer, consent=consent, expires_in=-5)
    assert_problem(api_client.get("/api/v1/accounts", **expired.header), 401, "token_expired")
    wrong_scope = customer_token(customer, accounts=[everyday], scope="credit")
    assert_problem(api_client.get(f"/api/v1/accounts/{everyday.id}/balances", **wrong_scope.header), 403, "insufficient_scope")
    client_only = issue_token(make_client(), scope="accounts")
    assert_problem(api_client.get("/api/v1/accounts", **client_only.header), 403, "customer_token_required")


@override_settings(TOKEN_CACHE_SECONDS=60)
def test_reading_balances_with_a_cached_token_costs_one_query(api_client, alice, django_assert_max_num_queries) -> None:
    customer, everyday, savings, hidden = alice
    fund_account(everyday, 1)
    token = customer_token(customer, accounts=[everyday])
    api_client.get(f"/api/v1/accounts/{everyday.id}/balances", **token.header)
    with django_assert_max_num_queries(1):
        assert api_client.get(f"/api/v1/accounts/{everyday.id}/balances", **token.header).status_code == 200


@override_settings(TOKEN_CACHE_SECONDS=60)
def test_a_statement_page_with_a_cached_token_costs_two_queries_and_a_revalidation_one(
    api_client, alice, django_assert_max_num_queries
) -> None:
    customer, everyday, savings, hidden = alice
    for n in range(3):
        fund_account(everyday, 100 + n)
    token = customer_token(customer, accounts=[everyday])
    first = api_client.get(f"/api/v1/accounts/{everyday.id}/transactions?limit=2", **token.header)
    with django_assert_max_num_queries(2):  # the statement version, then the rows
        again = api_client.get(f"/api/v1/accounts/{everyday.id}/transactions?limit=2", **token.header)
    assert again.json() == first.json() and first.json()["has_more"] is True
    with django_assert_max_num_queries(1):  # the version only
        revalidated = api_client.get(f"/api/v1/accounts/{everyday.id}/transactions?limit=2", **token.header,
                                     HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304
