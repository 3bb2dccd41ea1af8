"""Conditional reads of accounts, balances, statements and payments: a strong ETag on every
200, 304 with no body on revalidation, and never a 304 that a full read would not give
(another consent, another page, another representation, a token that may not read it)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.accounts.services import payment_create
from apps.core.actors import Actor
from apps.core.money import Money
from apps.ledger.bank_books import bank_account
from apps.ledger.services import Leg, ledger_post
from apps.oauth.models import Consent
from tests.factories import (
    customer_token,
    fund_account,
    make_account,
    make_client,
    make_consent,
    make_customer,
    payment_token,
)
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob():  # type: ignore[no-untyped-def]
    customer = make_customer("bob")
    account = make_account(customer, balance_minor=90_000)
    cash = bank_account("cash")
    for day in range(1, 6):
        ledger_post(external_ref=f"etag:{account.id}:{day}", kind="cash_deposit", description=f"Deposit {day}",
                    legs=[Leg(cash.pk, day * 100), Leg(account.ledger_account_id, -day * 100)],
                    business_date=date(2026, 6, day))
    app = make_client()
    token = customer_token(customer, accounts=[account], application=app)
    return customer, account, app, token


def _urls(account_id: str) -> list[str]:
    return [
        "/api/v1/accounts",
        f"/api/v1/accounts/{account_id}",
        f"/api/v1/accounts/{account_id}/balances",
        f"/api/v1/accounts/{account_id}/transactions",
        f"/api/v1/accounts/{account_id}/transactions?limit=2",
    ]


def _get(api_client, url, token, etag=None, **headers):  # type: ignore[no-untyped-def]
    if etag is not None:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return api_client.get(url, **token.header, **headers)


@pytest.mark.parametrize("index", range(5))
def test_every_read_carries_a_strong_etag_and_revalidates_to_304(api_client, bob, index) -> None:
    customer, account, app, token = bob
    url = _urls(account.id)[index]
    first = _get(api_client, url, token)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert first["Cache-Control"] == "private, no-cache"
    again = _get(api_client, url, token, etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert again["Cache-Control"] == "private, no-cache"
    # A list of validators, or the weak form of ours, matches as RFC 9110 says for If-None-Match.
    assert _get(api_client, url, token, f'"nope", W/{etag}').status_code == 304
    assert _get(api_client, url, token, '"nope"').status_code == 200


def test_a_payment_moves_the_statement_and_balances_etags(api_client, bob) -> None:
    customer, account, app, token = bob
    statement, balances = f"/api/v1/accounts/{account.id}/transactions", f"/api/v1/accounts/{account.id}/balances"
    tags = {url: _get(api_client, url, token)["ETag"] for url in (statement, balances)}
    creditor = make_account(make_customer("carol"))
    pay = payment_token(customer, debtor=account, creditor_account_number=creditor.account_number, amount_minor=1_234)
    assert pay.consent is not None
    payment_create(actor=Actor.client(pay.application.client_id), consent_id=pay.consent.id,
                   application_id=pay.application.pk, customer_id=customer.id, amount=Money(1_234, "CNY"),
                   creditor_account_number=creditor.account_number)
    fresh = _get(api_client, statement, token, tags[statement])
    assert fresh.status_code == 200 and fresh["ETag"] != tags[statement]
    assert fresh.json()["data"][0]["amount"] == {"amount": "12.34", "currency": "CNY"}
    moved = _get(api_client, balances, token, tags[balances])
    assert moved.status_code == 200 and moved["ETag"] != tags[balances]
    assert moved.json()["booked"]["amount"] == "902.66"  # 900.00 + 15.00 deposited - 12.34
    # And the new tags revalidate again.
    assert _get(api_client, statement, token, fresh["ETag"]).status_code == 304
    assert _get(api_client, balances, token, moved["ETag"]).status_code == 304


def test_money_in_moves_the_creditors_statement_etag(api_client, bob) -> None:
    customer, account, app, token = bob
    url = f"/api/v1/accounts/{account.id}/transactions"
    etag = _get(api_client, url, token)["ETag"]
    fund_account(account, 1)
    assert _get(api_client, url, token, etag).status_code == 200


@pytest.mark.parametrize("index", range(5))
def test_another_consents_token_never_gets_a_304_for_our_etag(api_client, bob, index) -> None:
    """Same customer, same client, same account: only the consent differs (a consent that
    expires at another time, i.e. another window). The ETag is per consent."""
    customer, account, app, token = bob
    url = _urls(account.id)[index]
    etag = _get(api_client, url, token)["ETag"]
    other = customer_token(customer, accounts=[account], application=app)
    assert other.consent is not None
    Consent.objects.filter(pk=other.consent.pk).update(expires_at=timezone.now() + timedelta(days=7))
    answer = _get(api_client, url, other, etag)
    assert answer.status_code == 200 and answer["ETag"] != etag
    # Another client of the same customer, too.
    third = customer_token(customer, accounts=[account])
    assert _get(api_client, url, third, etag).status_code == 200


def test_an_account_outside_the_consent_is_404_even_with_a_matching_etag(api_client, bob) -> None:
    customer, account, app, token = bob
    other_account = make_account(customer, name="Other")
    narrow = customer_token(customer, accounts=[other_account], application=app)
    for url in _urls(account.id)[1:]:
        etag = _get(api_client, url, token)["ETag"]
        assert_problem(_get(api_client, url, narrow, etag), 404, "not_found")
        assert_problem(_get(api_client, url, narrow, "*"), 404, "not_found")
    # Another customer's token naming bob's account, with bob's ETag: 404 as well.
    mallory = make_customer("mallory")
    theirs = customer_token(mallory, accounts=[account])
    url = f"/api/v1/accounts/{account.id}/transactions"
    assert_problem(_get(api_client, url, theirs, _get(api_client, url, token)["ETag"]), 404, "not_found")


def test_scope_and_consent_permission_are_checked_before_the_304(api_client, bob) -> None:
    customer, account, app, token = bob
    url = f"/api/v1/accounts/{account.id}/transactions"
    etag = _get(api_client, url, token)["ETag"]
    no_scope = customer_token(customer, accounts=[account], application=app, scope="credit")
    assert_problem(_get(api_client, url, no_scope, etag), 403, "insufficient_scope")
    no_permission = customer_token(customer, accounts=[account], application=app,
                                   permissions=[Consent.Permission.READ_ACCOUNTS])
    assert_problem(_get(api_client, url, no_permission, etag), 403, "consent_permission_missing")
    assert_problem(_get(api_client, url, no_permission, "*"), 403, "consent_permission_missing")
    # No valid token: 401 from authentication, before anything else.
    assert api_client.get(url, HTTP_AUTHORIZATION="Bearer not-a-token", HTTP_IF_NONE_MATCH=etag).status_code == 401
    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 401


def test_limit_cursor_and_filters_each_change_the_etag(api_client, bob) -> None:
    customer, account, app, token = bob
    base = f"/api/v1/accounts/{account.id}/transactions"
    first = _get(api_client, f"{base}?limit=2", token)
    cursor = first.json()["next_cursor"]
    queries = ["", "?limit=2", "?limit=3", f"?limit=2&cursor={cursor}", "?booked_from=2026-06-02",
               "?booked_to=2026-06-04", "?booked_from=2026-06-02&booked_to=2026-06-04"]
    tags = {query: _get(api_client, f"{base}{query}", token)["ETag"] for query in queries}
    assert len(set(tags.values())) == len(queries), tags
    for query, etag in tags.items():
        for other in queries:
            expected = 304 if other == query else 200
            assert _get(api_client, f"{base}{other}", token, etag).status_code == expected, (query, other)
    # The account list's ETag is of its page: two accounts in one page or one a page differ.
    two = customer_token(customer, accounts=[account, make_account(customer, name="Second")], application=app)
    accounts = {q: _get(api_client, f"/api/v1/accounts{q}", two)["ETag"] for q in ("", "?limit=1")}
    assert accounts[""] != accounts["?limit=1"]


def test_a_bad_cursor_or_filter_is_400_even_with_an_etag(api_client, bob) -> None:
    customer, account, app, token = bob
    base = f"/api/v1/accounts/{account.id}/transactions"
    etag = _get(api_client, base, token)["ETag"]
    assert_problem(_get(api_client, f"{base}?cursor=forged", token, etag), 400, "invalid_cursor")
    assert _get(api_client, f"{base}?booked_from=2026-06-05&booked_to=2026-06-01", token, etag).status_code == 400


@pytest.mark.parametrize("index", range(5))
def test_an_indented_representation_has_its_own_etag(api_client, bob, index) -> None:
    customer, account, app, token = bob
    url = _urls(account.id)[index]
    compact = _get(api_client, url, token)
    indented = _get(api_client, url, token, compact["ETag"], HTTP_ACCEPT="application/json; indent=2")
    assert indented.status_code == 200 and indented["ETag"] != compact["ETag"]
    assert indented.content != compact.content
    assert {**indented.json(), "as_of": None} == {**compact.json(), "as_of": None}
    assert _get(api_client, url, token, indented["ETag"], HTTP_ACCEPT="application/json; indent=2").status_code == 304
    assert _get(api_client, url, token, indented["ETag"]).status_code == 200


def test_account_detail_and_list_etags_follow_the_account(api_client, bob, admin_user) -> None:
    from apps.accounts.services import deposit_account_freeze

    customer, account, app, token = bob
    urls = ["/api/v1/accounts", f"/api/v1/accounts/{account.id}", f"/api/v1/accounts/{account.id}/balances"]
    tags = {url: _get(api_client, url, token)["ETag"] for url in urls}
    deposit_account_freeze(account_id=account.id, actor=Actor.staff(admin_user))
    for url in urls:
        answer = _get(api_client, url, token, tags[url])
        assert answer.status_code == 200 and answer["ETag"] != tags[url], url


def test_payment_detail_is_conditional_and_only_for_its_client(api_client, bob) -> None:
    customer, account, app, token = bob
    creditor = make_account(make_customer("dave"))
    consent = make_consent(app, customer, kind=Consent.Kind.PAYMENT, permissions=[], amount_minor=500,
                           currency="CNY", creditor_account_number=creditor.account_number, creditor_name="Dave",
                           debtor_account_id=account.id)
    payment = payment_create(actor=Actor.client(app.client_id), consent_id=consent.id, application_id=app.pk,
                             customer_id=customer.id, amount=Money(500, "CNY"),
                             creditor_account_number=creditor.account_number)
    url = f"/api/v1/payments/{payment.id}"
    first = _get(api_client, url, token)
    assert first.status_code == 200 and first.json()["id"] == payment.id
    assert _get(api_client, url, token, first["ETag"]).status_code == 304
    stranger = customer_token(customer, accounts=[account])  # another client: not its payment
    assert_problem(_get(api_client, url, stranger, first["ETag"]), 404, "not_found")


def test_the_developer_page_documents_conditional_requests(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/developers").content.decode()
    section = page[page.index('id="conditional-requests"'):]
    section = section[: section.index("</section>")]
    for needed in ("If-None-Match", "304 Not Modified", "private, no-cache", "indent=2", "403", "404",
                   "response_cache=True", "responseCache: true", "docs/sdks.md", "/accounts/{id}/transactions"):
        assert needed in section, needed
    assert 'href="#conditional-requests"' in page
