from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from conftest import Platform, Req, problem
from openbank import AsyncOpenBank, NotFoundError, OpenBank, aiterate, iterate
from openbank.pagination import PaginationError

ITEMS = [{"id": f"acc_{i:03d}", "balance": {"amount": f"{i}.50", "currency": "CNY"}} for i in range(45)]


def install_accounts(platform: Platform) -> None:
    @platform.route("GET", "/api/v1/accounts/")
    def accounts(req: Req) -> Any:
        limit = int(req.query.get("limit", "20"))
        if not 1 <= limit <= 100:
            return problem(400, "invalid_limit")
        cursor = req.query.get("cursor")
        start = int(cursor[2:]) if cursor else 0
        page = ITEMS[start:start + limit]
        end = start + len(page)
        has_more = end < len(ITEMS)
        return 200, {}, {"data": page, "has_more": has_more, "next_cursor": f"c_{end}" if has_more else None}


def test_45_items_over_3_pages(platform: Platform) -> None:
    install_accounts(platform)
    from conftest import CLIENT_ID, CLIENT_SECRET
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET) as c:
        items = list(c.paginate("/api/v1/accounts/"))
    assert [i["id"] for i in items] == [i["id"] for i in ITEMS]
    calls = platform.api("/api/v1/accounts/")
    assert len(calls) == 3
    assert [r.query.get("cursor") for r in calls] == [None, "c_20", "c_40"]
    assert isinstance(items[3]["balance"]["amount"], str)
    assert Decimal(items[3]["balance"]["amount"]) == Decimal("3.50")


def test_limit_and_filters_are_kept(platform: Platform) -> None:
    install_accounts(platform)
    platform.valid_tokens.add("t")
    with OpenBank(platform.url, token="t") as c:
        items = list(c.paginate("/api/v1/accounts/", {"status": "active"}, limit=10))
    assert len(items) == 45
    calls = platform.api("/api/v1/accounts/")
    assert len(calls) == 5
    assert all(r.query["limit"] == "10" and r.query["status"] == "active" for r in calls)


def test_lazy_iteration(platform: Platform) -> None:
    install_accounts(platform)
    platform.valid_tokens.add("t")
    with OpenBank(platform.url, token="t") as c:
        it = c.paginate("/api/v1/accounts/")
        assert platform.api("/api/v1/accounts/") == []
        first = [next(it) for _ in range(21)]
    assert first[-1]["id"] == "acc_020"
    assert len(platform.api("/api/v1/accounts/")) == 2


def test_errors_propagate(platform: Platform) -> None:
    platform.valid_tokens.add("t")
    with OpenBank(platform.url, token="t") as c:
        with pytest.raises(NotFoundError):
            list(c.paginate("/api/v1/nothing/"))


class _Unset:
    def __bool__(self) -> bool:
        return False


UNSET = _Unset()


@dataclass
class Account:
    id: str


@dataclass
class PaginatedAccounts:  # shaped like an openapi-python-client model
    data: list[Account]
    has_more: bool
    next_cursor: str | None | _Unset = UNSET


def test_generated_model_pages() -> None:
    pages = {
        None: PaginatedAccounts([Account("a"), Account("b")], True, "p2"),
        "p2": PaginatedAccounts([Account("c")], True, "p3"),
        "p3": PaginatedAccounts([Account("d")], False, UNSET),
    }
    requested: list[str | None] = []

    def fetch(cursor: str | None) -> PaginatedAccounts:
        requested.append(cursor)
        return pages[cursor]

    assert [a.id for a in iterate(fetch)] == ["a", "b", "c", "d"]
    assert requested == [None, "p2", "p3"]


def test_has_more_without_cursor_stops_and_loops_detected() -> None:
    assert list(iterate(lambda c: {"data": [1], "has_more": True, "next_cursor": None})) == [1]
    with pytest.raises(PaginationError):
        list(iterate(lambda c: {"data": [1], "has_more": True, "next_cursor": "same"}))
    with pytest.raises(PaginationError):
        list(iterate(lambda c: None))


def test_async_pagination(platform: Platform) -> None:
    install_accounts(platform)
    platform.valid_tokens.add("t")

    async def main() -> list[dict[str, Any]]:
        async with AsyncOpenBank(platform.url, token="t") as c:
            return [item async for item in c.paginate("/api/v1/accounts/")]

    items = asyncio.run(main())
    assert len(items) == 45 and len(platform.api("/api/v1/accounts/")) == 3

    async def fetch(cursor: str | None) -> dict[str, Any]:
        return {"data": [cursor or "first"], "has_more": cursor is None, "next_cursor": "n"}

    async def collect() -> list[Any]:
        return [x async for x in aiterate(fetch)]

    assert asyncio.run(collect()) == ["first", "n"]
