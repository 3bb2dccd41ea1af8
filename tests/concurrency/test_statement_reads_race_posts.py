"""Statement reads racing posts on PostgreSQL: a read never misses a post that committed
before it started, kept pages included, and every page is one consistent snapshot.

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


def test_reads_never_miss_a_committed_post() -> None:
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
                while reads < seen + 2 and time.monotonic() < deadline:
                    time.sleep(0.0005)
        except BaseException as error:  # noqa: BLE001 - reported below
            failure.append(error)
        finally:
            connections.close_all()

    client = APIClient()
    thread = threading.Thread(target=writer)
    thread.start()
    while thread.is_alive() or reads < 3:
        newest_committed = committed[-1] if committed else 0
        page = client.get(f"/api/v1/accounts/{account.id}/transactions?limit=5", **token.header).json()
        reads += 1
        numbers = [int(t["entry"]["reference"].rsplit(":", 1)[1]) for t in page["data"]]
        assert (numbers[0] if numbers else 0) >= newest_committed, (numbers, newest_committed)
        assert numbers == list(range(numbers[0], numbers[0] - len(numbers), -1)) if numbers else True
        # One snapshot: each balance is the one after it plus this deposit (in yuan cents).
        balances = [int(t["balance_after"]["amount"].replace(".", "")) for t in page["data"]]
        assert balances[0] == sum(range(1, numbers[0] + 1)) if numbers else True
        assert all(balances[i] - balances[i + 1] == numbers[i] for i in range(len(numbers) - 1))
    thread.join(timeout=60)
    assert not failure, failure
    assert reads >= 2 * POSTS  # the reads did interleave with the posts


def test_a_post_committing_while_a_page_is_fetched_shows_in_the_next_read(monkeypatch) -> None:
    """The page is kept under the count read before its rows: a post that commits right
    after the rows were fetched moves the count, so the page is never kept under the new one."""
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
        try:
            ledger_post(external_ref=f"mid-fetch:{account.id}:2", kind="cash_deposit",
                        legs=[Leg(cash.pk, 200), Leg(account.ledger_account_id, -200)])
            posted.append(2)
        finally:
            connections.close_all()

    def fetch_then_post(**kwargs):  # type: ignore[no-untyped-def]
        fetch = real(**kwargs)

        def fetched(before_id, limit):  # type: ignore[no-untyped-def]
            rows = fetch(before_id, limit)
            if not posted:
                thread = threading.Thread(target=post_from_another_connection)
                thread.start()
                thread.join(timeout=30)
            return rows

        return fetched

    monkeypatch.setattr(selectors, "deposit_account_transactions", fetch_then_post)
    client = APIClient()
    url = f"/api/v1/accounts/{account.id}/transactions"
    first = client.get(url, **token.header).json()
    assert posted == [2] and len(first["data"]) == 1  # fetched before the post committed
    for _ in range(2):  # then, and from what is kept after, the post shows
        amounts = [t["amount"]["amount"] for t in client.get(url, **token.header).json()["data"]]
        assert amounts == ["2.00", "1.00"]
