"""Transaction ids and statement cursors reveal nothing (decision 0002, 0011): ids are not
sequential posting ids, cursors are opaque and only valid on the list they came from."""
from __future__ import annotations

import base64
import json
import re
from datetime import date

import pytest

from apps.accounts.api.statements import transaction_id
from apps.ledger.bank_books import bank_account
from apps.ledger.models import Posting
from apps.ledger.services import Leg, ledger_post
from tests.factories import customer_token, make_account, make_customer
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db


def _book(account, n: int, day: int = 1) -> None:  # type: ignore[no-untyped-def]
    cash = bank_account("cash")
    for i in range(n):
        ledger_post(external_ref=f"{account.id}-{day}-{i}", kind="cash_deposit", description=f"d{i}",
                    legs=[Leg(cash.pk, 100), Leg(account.ledger_account_id, -100)], business_date=date(2026, 5, day))


@pytest.fixture
def two_accounts():  # type: ignore[no-untyped-def]
    customer = make_customer()
    first, second = make_account(customer, name="Everyday"), make_account(customer, name="Savings")
    _book(first, 3)
    _book(second, 3)
    return customer_token(customer, accounts=[first, second]), first, second


def _page(api_client, token, account, **query):  # type: ignore[no-untyped-def]
    return api_client.get(f"/api/v1/accounts/{account.id}/transactions", query, **token.header)


def test_transaction_ids_are_opaque_not_posting_ids(api_client, two_accounts) -> None:  # type: ignore[no-untyped-def]
    token, first, _ = two_accounts
    ids = [t["id"] for t in _page(api_client, token, first).json()["data"]]
    postings = list(Posting.objects.filter(account_id=first.ledger_account_id).order_by("-id").values_list("id", flat=True))
    assert ids == [transaction_id(pk) for pk in postings]
    assert all(re.fullmatch(r"txn_[0-9A-HJKMNP-TV-Z]{26}", i) for i in ids), ids
    assert not any(i == f"txn_{pk}" for pk in postings for i in ids)
    assert len(set(ids)) == len(ids)
    # the same transaction keeps its id
    assert ids == [t["id"] for t in _page(api_client, token, first).json()["data"]]


def test_transaction_ids_follow_the_key(settings) -> None:  # type: ignore[no-untyped-def]
    before = transaction_id(15)
    settings.TRANSACTION_ID_KEY = "another-key-" + "x" * 32
    assert transaction_id(15) != before and transaction_id(15) != transaction_id(16)


def test_a_cursor_does_not_show_the_position(api_client, two_accounts) -> None:  # type: ignore[no-untyped-def]
    token, first, _ = two_accounts
    cursor = _page(api_client, token, first, limit=1).json()["next_cursor"]
    again = _page(api_client, token, first, limit=1).json()["next_cursor"]
    assert cursor == again  # deterministic: a page's body stays what its strong ETag names
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"ledger" not in raw and b"posting" not in raw and ":" not in cursor
    with pytest.raises(ValueError):
        json.loads(raw)
    assert _page(api_client, token, first, cursor=cursor, limit=1).status_code == 200
    assert _page(api_client, token, first, cursor=again, limit=1).status_code == 200


def test_a_cursor_of_one_accounts_statement_is_refused_on_another(api_client, two_accounts) -> None:  # type: ignore[no-untyped-def]
    token, first, second = two_accounts
    cursor = _page(api_client, token, first, limit=1).json()["next_cursor"]
    body = assert_problem(_page(api_client, token, second, cursor=cursor, limit=1), 400, "invalid_cursor")
    assert body["errors"][0]["field"] == "cursor"


def test_a_cursor_is_refused_with_other_filters_but_not_another_limit(api_client, two_accounts) -> None:  # type: ignore[no-untyped-def]
    token, first, _ = two_accounts
    cursor = _page(api_client, token, first, limit=1).json()["next_cursor"]
    assert_problem(_page(api_client, token, first, cursor=cursor, limit=1, booked_from="2026-05-01"), 400, "invalid_cursor")
    filtered = _page(api_client, token, first, limit=1, booked_from="2026-05-01").json()["next_cursor"]
    assert _page(api_client, token, first, cursor=filtered, limit=2, booked_from="2026-05-01").status_code == 200
    assert_problem(_page(api_client, token, first, cursor=filtered, limit=1), 400, "invalid_cursor")
    assert _page(api_client, token, first, cursor=cursor, limit=50).status_code == 200


def test_a_tampered_cursor_is_refused(api_client, two_accounts) -> None:  # type: ignore[no-untyped-def]
    token, first, _ = two_accounts
    cursor = _page(api_client, token, first, limit=1).json()["next_cursor"]
    for i in (0, len(cursor) // 2, len(cursor) - 2):
        flipped = cursor[:i] + ("A" if cursor[i] != "A" else "B") + cursor[i + 1:]
        assert_problem(_page(api_client, token, first, cursor=flipped, limit=1), 400, "invalid_cursor")
