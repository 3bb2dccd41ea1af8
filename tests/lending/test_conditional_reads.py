"""Loans, schedules and credit lines answer with a strong ETag and 304 on `If-None-Match`, only
after the token, scope, consent and visibility checks, and never across consents."""
from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from tests.factories import customer_token
from tests.lending.helpers import make_borrower

pytestmark = pytest.mark.django_db


def api(token) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(**token.header)
    return client


def draw(client: APIClient, borrower) -> str:  # type: ignore[no-untyped-def]
    body = {"amount": {"amount": "10000.00", "currency": "CNY"}, "term_months": 5,
            "repayment_method": "equal_installment", "deposit_account_id": borrower.account.id}
    response = client.post(f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", body, format="json",
                           HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 201, response.json()
    return str(response.json()["id"])


def repay(client: APIClient, loan_id: str, amount: str = "100.00") -> None:
    response = client.post(f"/api/v1/loans/{loan_id}/repayments", {"amount": {"amount": amount, "currency": "CNY"}},
                           format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 201, response.json()


@pytest.fixture
def client(borrower):  # type: ignore[no-untyped-def]
    return api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))


def test_every_lending_read_revalidates_with_304(client, borrower):  # type: ignore[no-untyped-def]
    loan_id = draw(client, borrower)
    for url in ("/api/v1/loans", f"/api/v1/loans/{loan_id}", f"/api/v1/loans/{loan_id}/schedule",
                "/api/v1/credit-lines", f"/api/v1/credit-lines/{borrower.line.id}", "/api/v1/loans?limit=1"):
        first = client.get(url)
        etag = first["ETag"]
        assert first.status_code == 200 and etag.startswith('"') and not etag.startswith("W/"), url
        assert first["Cache-Control"] == "private, no-cache"
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag, url
        assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200, url


def test_a_repayment_gives_the_loan_a_new_etag(client, borrower):  # type: ignore[no-untyped-def]
    loan_id = draw(client, borrower)
    urls = (f"/api/v1/loans/{loan_id}", f"/api/v1/loans/{loan_id}/schedule", "/api/v1/loans",
            f"/api/v1/credit-lines/{borrower.line.id}")
    before = {url: client.get(url)["ETag"] for url in urls}
    repay(client, loan_id, "3000.00")  # pays principal: the loan, its schedule and the line change
    for url in urls:
        response = client.get(url, HTTP_IF_NONE_MATCH=before[url])
        assert response.status_code == 200, url
        assert response["ETag"] != before[url], url
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304, url


def test_no_etag_is_good_across_consents(client, products, borrower):  # type: ignore[no-untyped-def]
    loan_id = draw(client, borrower)
    url = f"/api/v1/loans/{loan_id}"
    etag = client.get(url)["ETag"]
    # the same customer's second consent (another app): same data, another validator
    second = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))
    response = second.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    # another customer's token never learns anything from the ETag: the loan is not there
    other = make_borrower(products)
    stranger = api(customer_token(other.customer, accounts=[other.account], scope="credit"))
    for path in (url, f"{url}/schedule"):
        response = stranger.get(path, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    # nor does a token whose consent lacks the permission
    no_read = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit",
                                 permissions=["read_accounts"]))
    assert no_read.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 403
