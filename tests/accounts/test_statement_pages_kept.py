"""Statement pages kept per process under the account's posting count: a kept page is the
page a fresh read would give, costs one query, and is never served to a token that may not
read it."""
from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from apps.ledger.bank_books import bank_account
from apps.ledger.models import LedgerAccount
from apps.ledger.selectors import ledger_balance_mismatches
from apps.ledger.services import Leg, ledger_post
from tests.factories import customer_token, fund_account, make_account, make_customer
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db

NO_KEPT_PAGES = override_settings(STATEMENT_PAGE_CACHE_BYTES=0)


def _statement(api_client, account, token, query: str = "", **headers):  # type: ignore[no-untyped-def]
    response = api_client.get(f"/api/v1/accounts/{account.id}/transactions{query}", **token.header, **headers)
    assert response.status_code == 200, response.content
    return response


@pytest.fixture
def reader():  # type: ignore[no-untyped-def]
    customer = make_customer()
    account = make_account(customer)
    cash = bank_account("cash")
    for day in range(1, 8):
        ledger_post(external_ref=f"kept:{account.id}:{day}", kind="cash_deposit", description=f"Deposit {day}",
                    legs=[Leg(cash.pk, day * 100), Leg(account.ledger_account_id, -day * 100)],
                    business_date=date(2026, 6, day))
    return customer, account, customer_token(customer, accounts=[account])


@override_settings(TOKEN_CACHE_SECONDS=60)
def test_a_kept_page_costs_one_query_and_is_the_same_body(api_client, reader) -> None:
    customer, account, token = reader
    first = _statement(api_client, account, token, "?limit=3")
    with CaptureQueriesContext(connection) as queries:
        again = _statement(api_client, account, token, "?limit=3")
    assert again.content == first.content
    assert len(queries) == 1 and '"posting_count"' in queries[0]["sql"]  # the version alone


def test_a_post_moves_the_count_and_the_next_read_shows_it(api_client, reader) -> None:
    customer, account, token = reader
    before = _statement(api_client, account, token).json()
    assert len(before["data"]) == 7
    fund_account(account, 4_200)
    after = _statement(api_client, account, token).json()
    assert len(after["data"]) == 8
    assert after["data"][0]["amount"]["amount"] == "42.00" and after["data"][1:] == before["data"]
    # Money out as well, through a posting where the account is the debit side.
    ledger_post(external_ref=f"kept:out:{account.id}", kind="card_payment",
                legs=[Leg(account.ledger_account_id, 150), Leg(bank_account("cash").pk, -150)])
    latest = _statement(api_client, account, token).json()["data"][0]
    assert (latest["credit_debit_indicator"], latest["amount"]["amount"]) == ("debit", "1.50")


@pytest.mark.parametrize(
    "query",
    ["", "?limit=2", "?limit=3", "?booked_from=2026-06-03", "?booked_to=2026-06-04&limit=1",
     "?booked_from=2026-06-02&booked_to=2026-06-05&limit=2"],
)
def test_every_query_is_its_own_page_and_kept_pages_equal_fresh_ones(api_client, reader, query) -> None:
    customer, account, token = reader
    with NO_KEPT_PAGES:
        fresh = [_statement(api_client, account, token, query)]
        while (cursor := fresh[-1].json()["next_cursor"]) is not None:
            fresh.append(_statement(api_client, account, token, f"{query}{'&' if query else '?'}cursor={cursor}"))
    for _ in range(2):  # the first pass fills, the second reads what was kept
        pages = [_statement(api_client, account, token, query)]
        while (cursor := pages[-1].json()["next_cursor"]) is not None:
            pages.append(_statement(api_client, account, token, f"{query}{'&' if query else '?'}cursor={cursor}"))
        assert [p.content for p in pages] == [p.content for p in fresh]


def test_a_kept_page_is_not_served_to_another_customer_or_without_the_permission(api_client, reader) -> None:
    customer, account, token = reader
    _statement(api_client, account, token)
    mallory = make_customer("mallory")
    own = make_account(mallory)
    # A consent that (wrongly) lists someone else's account still does not show it.
    stranger = customer_token(mallory, accounts=[own, account])
    assert_problem(api_client.get(f"/api/v1/accounts/{account.id}/transactions", **stranger.header), 404, "not_found")
    balances_only = customer_token(customer, accounts=[account], permissions=["read_balances"])
    assert_problem(api_client.get(f"/api/v1/accounts/{account.id}/transactions", **balances_only.header), 403,
                   "consent_permission_missing")
    unshared = customer_token(customer, accounts=[make_account(customer)])
    assert_problem(api_client.get(f"/api/v1/accounts/{account.id}/transactions", **unshared.header), 404, "not_found")


def test_a_bad_cursor_is_refused_even_where_pages_are_kept(api_client, reader) -> None:
    customer, account, token = reader
    cursor = _statement(api_client, account, token, "?limit=2").json()["next_cursor"]
    assert_problem(api_client.get(f"/api/v1/accounts/{account.id}/transactions?limit=2&cursor={cursor[1:]}",
                                  **token.header), 400, "invalid_cursor")


def test_a_kept_page_is_indented_on_request_like_a_fresh_one(api_client, reader) -> None:
    customer, account, token = reader
    pretty = {"HTTP_ACCEPT": "application/json; indent=2"}
    with NO_KEPT_PAGES:
        fresh = _statement(api_client, account, token, "?limit=2", **pretty).content
    _statement(api_client, account, token, "?limit=2")
    kept = _statement(api_client, account, token, "?limit=2", **pretty).content
    assert kept == fresh and b'\n  "data": [' in kept


def _reads_postings(api_client, account, token) -> bool:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        _statement(api_client, account, token)
    return any("ledger_posting" in (query["sql"] or "") for query in queries)


def test_with_no_budget_nothing_is_kept_or_served(api_client, reader) -> None:
    customer, account, token = reader
    assert _reads_postings(api_client, account, token)
    assert not _reads_postings(api_client, account, token)  # kept
    with NO_KEPT_PAGES:
        assert _reads_postings(api_client, account, token)  # what was kept is not served
        other = make_account(customer)
        other_token = customer_token(customer, accounts=[other])
        assert _reads_postings(api_client, other, other_token)
        assert _reads_postings(api_client, other, other_token)  # nor is anything new kept
    assert _reads_postings(api_client, account, token)  # turned on again: fetched, then kept
    assert not _reads_postings(api_client, account, token)


def test_every_post_counts_its_postings_on_each_account() -> None:
    customer = make_customer()
    account = make_account(customer)
    cash, fees = bank_account("cash"), bank_account("interest_income")
    ledger_post(external_ref="count:1", kind="cash_deposit",
                legs=[Leg(cash.pk, 1_000), Leg(account.ledger_account_id, -1_000)])
    # The same account in two legs of one entry: two postings.
    ledger_post(external_ref="count:2", kind="fee", legs=[Leg(account.ledger_account_id, 300),
                                                         Leg(account.ledger_account_id, 200), Leg(fees.pk, -500)])
    # A repeat of a reference writes nothing, so counts nothing.
    ledger_post(external_ref="count:1", kind="cash_deposit",
                legs=[Leg(cash.pk, 1_000), Leg(account.ledger_account_id, -1_000)])
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).posting_count == 3
    assert ledger_balance_mismatches() == []
