"""Statement reads racing posts on PostgreSQL: a read never misses a post that committed
before it started, kept pages included, and every page is one consistent snapshot.

Run with DATABASE_URL=postgres://…; skipped on SQLite.
"""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

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

    def writer() -> None:
        try:
            for n in range(1, POSTS + 1):
                ledger_post(external_ref=f"race-read:{account.id}:{n}", kind="cash_deposit",
                            legs=[Leg(cash.pk, n), Leg(account.ledger_account_id, -n)])
                committed.append(n)
        except BaseException as error:  # noqa: BLE001 - reported below
            failure.append(error)
        finally:
            connections.close_all()

    client = APIClient()
    thread = threading.Thread(target=writer)
    thread.start()
    reads = 0
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
    assert reads > POSTS / 4  # the reads did interleave with the posts
