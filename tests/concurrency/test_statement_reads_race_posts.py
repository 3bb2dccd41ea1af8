"""Statement reads and revalidations racing posts on PostgreSQL.

A page's ETag is built from the account's statement version read BEFORE the page's rows, so
a body can be newer than its ETag but never older: a revalidation never answers 304 for a
page that misses a post committed before the revalidation started, and a post that commits
while a page is read shows in the next revalidation.

Run with DATABASE_URL=postgres://…; skipped on SQLite.
"""
from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from apps.accounts import selectors
from apps.ledger.bank_books import bank_account
from apps.ledger.services import Leg, ledger_post
from tests.factories import customer_token, make_account, make_customer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
POSTS = 60


def _numbers(page: dict) -> list[int]:  # type: ignore[type-arg]
    return [int(t["entry"]["reference"].rsplit(":", 1)[1]) for t in page["data"]]


def test_revalidations_never_hide_a_committed_post() -> None:
    """A reader polls with If-None-Match while a writer posts: whatever it holds after each
    answer (the new body on 200, the body it kept on 304) shows every post that had
    committed when the request started, and each body is one consistent snapshot."""
    assert connection.vendor == "postgresql"
    customer = make_customer()
    account = make_account(customer)
    token = customer_token(customer, accounts=[account])
    cash = bank_account("cash")
    committed: list[int] = []  # indexes of posts whose commit has returned, in order
    failure: list[BaseException] = []
    reads = 0

    def writer() -> None:
        try:
            for n in range(1, POSTS + 1):
                ledger_post(external_ref=f"race-read:{account.id}:{n}", kind="cash_deposit",
                            legs=[Leg(cash.pk, n), Leg(account.ledger_account_id, -n)])
                committed.append(n)
                # Pace the posts so that reads interleave with every one of them (the
                # reader keeps reading meanwhile, so reads also overlap the next commit).
                seen = reads
                deadline = time.monotonic() + 5
                while reads < seen + 3 and time.monotonic() < deadline:
                    time.sleep(0.0005)
        except BaseException as error:  # noqa: BLE001 - reported below
            failure.append(error)
        finally:
            connections.close_all()

    client = APIClient()
    url = f"/api/v1/accounts/{account.id}/transactions?limit=5"
    held: dict = {"data": []}  # type: ignore[type-arg]
    etag = None
    statuses = {200: 0, 304: 0}
    thread = threading.Thread(target=writer)
    thread.start()
    while thread.is_alive() or reads < 3:
        newest_committed = committed[-1] if committed else 0
        headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
        response = client.get(url, **token.header, **headers)
        reads += 1
        statuses[response.status_code] += 1
        if response.status_code == 200:
            held, etag = response.json(), response["ETag"]
        else:
            assert response.status_code == 304 and response["ETag"] == etag
        numbers = _numbers(held)
        assert (numbers[0] if numbers else 0) >= newest_committed, (response.status_code, numbers, newest_committed)
        assert numbers == list(range(numbers[0], numbers[0] - len(numbers), -1)) if numbers else True
        # One snapshot: each balance is the one after it plus this deposit (in yuan cents).
        balances = [int(t["balance_after"]["amount"].replace(".", "")) for t in held["data"]]
        assert balances[0] == sum(range(1, numbers[0] + 1)) if numbers else True
        assert all(balances[i] - balances[i + 1] == numbers[i] for i in range(len(numbers) - 1))
    thread.join(timeout=60)
    assert not failure, failure
    assert reads >= 2 * POSTS  # the reads did interleave with the posts
    assert statuses[304] > 0 and statuses[200] > POSTS // 2, statuses  # both paths were exercised


@pytest.mark.parametrize("post_when", ["before the rows are read", "after the rows are read"])
def test_a_post_committing_while_a_page_is_read_shows_in_the_next_revalidation(monkeypatch, post_when) -> None:
    """The version was read before the post; the rows are read either after it committed
    (the body is newer than its ETag) or before (the body misses it). Either way the next
    revalidation with that ETag is a 200 with the post in it, then 304s again."""
    assert connection.vendor == "postgresql"
    customer = make_customer()
    account = make_account(customer)
    token = customer_token(customer, accounts=[account])
    cash = bank_account("cash")
    ledger_post(external_ref=f"mid-fetch:{account.id}:1", kind="cash_deposit",
                legs=[Leg(cash.pk, 100), Leg(account.ledger_account_id, -100)])
    real = selectors.deposit_account_transactions
    posted: list[int] = []

    def post_from_another_connection() -> None:
        def post() -> None:
            try:
                ledger_post(external_ref=f"mid-fetch:{account.id}:2", kind="cash_deposit",
                            legs=[Leg(cash.pk, 200), Leg(account.ledger_account_id, -200)])
                posted.append(2)
            finally:
                connections.close_all()

        thread = threading.Thread(target=post)
        thread.start()
        thread.join(timeout=30)

    def fetch_with_a_post(**kwargs):  # type: ignore[no-untyped-def]
        fetch = real(**kwargs)

        def fetched(before_id, limit):  # type: ignore[no-untyped-def]
            if not posted and post_when.startswith("before"):
                post_from_another_connection()
            rows = fetch(before_id, limit)
            if not posted:
                post_from_another_connection()
            return rows

        return fetched

    monkeypatch.setattr(selectors, "deposit_account_transactions", fetch_with_a_post)
    client = APIClient()
    url = f"/api/v1/accounts/{account.id}/transactions"
    first = client.get(url, **token.header)
    assert posted == [2]
    expected_first = ["2.00", "1.00"] if post_when.startswith("before") else ["1.00"]
    assert [t["amount"]["amount"] for t in first.json()["data"]] == expected_first
    again = client.get(url, **token.header, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert [t["amount"]["amount"] for t in again.json()["data"]] == ["2.00", "1.00"]
    assert client.get(url, **token.header, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304
