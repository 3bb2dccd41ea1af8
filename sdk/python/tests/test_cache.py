"""The opt-in response cache (``response_cache=``) against a real HTTP server with ETag/304 semantics."""
from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from conftest import CLIENT_ID, CLIENT_SECRET, Platform, Req, problem
from openbank import AsyncOpenBank, NotFoundError, OpenBank, ResponseCache
from openbank.cache import CACHE_EXTENSION

PATH = "/api/v1/accounts/acc_1/transactions"


class Versioned:
    """A resource served like the platform serves it: a strong ETag over (version, query, token),
    `Cache-Control: private, no-cache`, and `304` with no body when If-None-Match names the
    current ETag, after the platform's auth check (the stub's dispatch answers 401 first)."""

    def __init__(self) -> None:
        self.version = 1
        self.fail_with: int | None = None

    def etag(self, req: Req) -> str:
        query = "&".join(f"{k}={v}" for k, v in sorted(req.query.items()))
        return '"' + hashlib.sha256(f"{self.version}|{query}|{req.bearer}".encode()).hexdigest()[:32] + '"'

    def __call__(self, req: Req) -> Any:
        if self.fail_with is not None:
            return problem(self.fail_with, "account_not_found", headers={"ETag": '"error-etag"'})
        etag = self.etag(req)
        headers = {"ETag": etag, "Cache-Control": "private, no-cache", "X-Version": str(self.version)}
        wanted = [t.strip() for t in req.headers.get("if-none-match", "").split(",") if t.strip()]
        if etag in wanted:
            return 304, headers, b""
        transaction = {
            "id": f"txn_{self.version}", "amount": {"amount": "8000.10", "currency": "CNY"},
            "credit_debit_indicator": "credit", "booking_date": "2026-01-02", "booked_at": "2026-01-02T03:04:05Z",
            "description": "opening deposit", "balance_after": {"amount": "8000.10", "currency": "CNY"},
            "entry": {"kind": "deposit", "reference": "seed"}, "fee": 0.5,
        }
        return 200, headers, {"data": [transaction], "has_more": False, "next_cursor": None, "query": req.query}


@pytest.fixture
def resource(platform: Platform) -> Versioned:
    res = Versioned()
    platform.route("GET", PATH)(res)
    return res


def inm(platform: Platform, path: str = PATH) -> list[str | None]:
    """The If-None-Match of every request the server got for `path`, in order."""
    return [r.headers.get("if-none-match") for r in platform.api(path)]


def test_a_304_hands_back_the_remembered_body_as_a_200(platform: Platform, resource: Versioned) -> None:
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=True) as ob:
        first = ob.request("GET", PATH)
        second = ob.request("GET", PATH)
        raw = ob.http.get(PATH)
    assert first == second and second["data"][0]["fee"] == Decimal("0.5")  # parsed like any 200
    sent = inm(platform)
    assert sent[0] is None and sent[1] == sent[2] and sent[1] is not None  # the stored ETag is sent
    assert raw.status_code == 200 and raw.extensions[CACHE_EXTENSION] == "revalidated"
    assert raw.headers["etag"] == sent[1] and raw.headers["content-type"] == "application/json"
    assert ob.response_cache is not None and ob.response_cache.revalidated == 2 and len(ob.response_cache) == 1


def test_a_changed_resource_replaces_the_entry(platform: Platform, resource: Versioned) -> None:
    with OpenBank(platform.url, token="x", response_cache=True) as ob:
        platform.valid_tokens.add("x")
        assert ob.get(PATH)["data"][0]["id"] == "txn_1"
        resource.version = 2
        changed = ob.http.get(PATH)  # the old ETag is sent, the server answers 200 with the new one
        assert changed.status_code == 200 and CACHE_EXTENSION not in changed.extensions
        assert changed.json()["data"][0]["id"] == "txn_2"
        again = ob.http.get(PATH)
        assert again.extensions[CACHE_EXTENSION] == "revalidated" and again.json()["data"][0]["id"] == "txn_2"
    first_etag, second_etag = inm(platform)[1], inm(platform)[2]
    assert first_etag and second_etag and first_etag != second_etag
    assert second_etag == changed.headers["etag"]


def test_each_query_string_is_its_own_entry(platform: Platform, resource: Versioned) -> None:
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=True) as ob:
        assert ob.get(PATH, {"limit": 1})["query"] == {"limit": "1"}
        assert ob.get(PATH, {"limit": 2})["query"] == {"limit": "2"}  # not the limit=1 body
        assert ob.get(PATH, {"limit": 1})["query"] == {"limit": "1"}
        assert ob.get(PATH, {"limit": 2})["query"] == {"limit": "2"}
        assert ob.response_cache is not None and len(ob.response_cache) == 2
    sent = inm(platform)
    assert sent[0] is None and sent[1] is None and sent[2] and sent[3] and sent[2] != sent[3]


def test_errors_are_never_kept_and_drop_the_entry(platform: Platform, resource: Versioned) -> None:
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=True) as ob:
        resource.fail_with = 404
        for _ in range(2):  # a 404 carrying an ETag is still not stored
            with pytest.raises(NotFoundError):
                ob.get(PATH)
        resource.fail_with = None
        ob.get(PATH)
        resource.fail_with = 404  # e.g. the consent no longer covers the account
        with pytest.raises(NotFoundError):
            ob.get(PATH)
        assert ob.response_cache is not None and len(ob.response_cache) == 0
        resource.fail_with = None
        ob.get(PATH)
    assert inm(platform)[:3] == [None, None, None]
    assert inm(platform)[3] is not None  # the 404 answered a revalidation ...
    assert inm(platform)[4] is None  # ... and dropped the entry: asked unconditionally afterwards


def test_responses_without_etag_no_store_and_non_gets_are_not_kept(platform: Platform) -> None:
    platform.route("GET", "/plain")(lambda r: (200, {}, {"n": 1}))
    platform.route("GET", "/secret")(lambda r: (200, {"ETag": '"s"', "Cache-Control": "no-store"}, {"n": 1}))
    platform.route("POST", "/post")(lambda r: (200, {"ETag": '"p"'}, {"n": 1}))
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=True) as ob:
        for path in ("/plain", "/secret"):
            ob.get(path)
            ob.get(path)
        ob.post("/post", {})
        ob.post("/post", {})
        assert ob.response_cache is not None and len(ob.response_cache) == 0
    assert all(r.headers.get("if-none-match") is None for r in platform.requests)


def test_off_by_default_sends_no_if_none_match(platform: Platform, resource: Versioned) -> None:
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET) as ob:
        assert ob.response_cache is None
        ob.get(PATH)
        ob.get(PATH)
    assert inm(platform) == [None, None]


def test_the_lru_keeps_at_most_max_entries(platform: Platform, resource: Versioned) -> None:
    cache = ResponseCache(max_entries=2)
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=cache) as ob:
        ob.get(PATH, {"p": "a"})
        ob.get(PATH, {"p": "b"})
        ob.get(PATH, {"p": "a"})  # a is now the most recently used: b is the oldest
        ob.get(PATH, {"p": "c"})  # evicts b
        assert len(cache) == 2
        ob.get(PATH, {"p": "a"})
        ob.get(PATH, {"p": "b"})
    by_query = [(r.query["p"], r.headers.get("if-none-match") is not None) for r in platform.api(PATH)]
    assert by_query == [("a", False), ("b", False), ("a", True), ("c", False), ("a", True), ("b", False)]
    with pytest.raises(ValueError):
        ResponseCache(max_entries=0)


def test_large_bodies_are_not_kept(platform: Platform, resource: Versioned) -> None:
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=ResponseCache(max_entry_bytes=50)) as ob:
        ob.get(PATH)
        ob.get(PATH)
    assert inm(platform) == [None, None]


def test_a_new_token_never_sees_another_tokens_entry(platform: Platform, resource: Versioned) -> None:
    """The key includes a digest of the Authorization header: after the token is replaced (here a
    401 and the re-fetch) the body stored under the old one is not offered for the new one."""
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=True) as ob:
        ob.get(PATH)
        platform.valid_tokens.clear()  # tok-1 rejected: 401, the SDK fetches tok-2 and re-sends
        ob.get(PATH)
        ob.get(PATH)
    requests = platform.api(PATH)
    assert [(r.bearer, r.headers.get("if-none-match") is not None) for r in requests] == [
        ("tok-1", False), ("tok-1", True), ("tok-2", False), ("tok-2", True)]
    assert requests[2].headers.get("if-none-match") is None  # the re-send is a fresh, unconditional read

    shared = ResponseCache()
    platform.valid_tokens.update({"alice", "bob"})
    with OpenBank(platform.url, token="alice", response_cache=shared) as a, \
            OpenBank(platform.url, token="bob", response_cache=shared) as b:
        a.get(PATH)
        b.get(PATH)
        assert len(shared) == 2
    assert [r.headers.get("if-none-match") for r in platform.api(PATH)[4:]] == [None, None]


def test_a_callers_own_if_none_match_is_passed_through(platform: Platform, resource: Versioned) -> None:
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=True) as ob:
        etag = ob.http.get(PATH).headers["etag"]
        mine = ob.http.get(PATH, headers={"If-None-Match": etag})
    assert mine.status_code == 304 and mine.content == b"" and CACHE_EXTENSION not in mine.extensions


def test_content_encoded_bodies_replay_decoded(platform: Platform) -> None:
    body = gzip.compress(json.dumps({"amount": "1.10"}).encode())

    def gzipped(req: Req) -> Any:
        headers = {"ETag": '"gz"', "Content-Encoding": "gzip", "Content-Type": "application/json"}
        return (304, {"ETag": '"gz"'}, b"") if req.headers.get("if-none-match") == '"gz"' else (200, headers, body)

    platform.route("GET", "/gz")(gzipped)
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=True) as ob:
        assert ob.get("/gz") == ob.get("/gz") == {"amount": "1.10"}
    assert [r.headers.get("if-none-match") for r in platform.api("/gz")] == [None, '"gz"']


def test_generated_operations_get_the_model_on_a_304(platform: Platform, resource: Versioned) -> None:
    from openbank._generated.api.accounts import accounts_transactions

    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=True) as ob:
        first = ob.call(accounts_transactions.sync_detailed, account_id="acc_1", limit=5)
        second = ob.call(accounts_transactions.sync_detailed, account_id="acc_1", limit=5)
    assert first.to_dict() == second.to_dict() and second.data[0].id == "txn_1"
    assert inm(platform)[1] is not None


def test_async_client_revalidates_too(platform: Platform, resource: Versioned) -> None:
    async def main() -> tuple[dict[str, Any], httpx.Response]:
        async with AsyncOpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=True) as ob:
            first = await ob.get(PATH)
            resource.version = 2
            changed = await ob.get(PATH)
            assert changed["data"][0]["id"] == "txn_2" and first["data"][0]["id"] == "txn_1"
            return changed, await ob.http.get(PATH)

    changed, again = asyncio.run(main())
    assert again.extensions[CACHE_EXTENSION] == "revalidated" and again.json()["data"][0]["id"] == "txn_2"
    sent = inm(platform)
    assert sent[0] is None and sent[1] and sent[2] and sent[1] != sent[2]


def test_a_304_for_another_validator_is_asked_again_unconditionally(platform: Platform) -> None:
    """A 304 naming an ETag the cache does not hold cannot be answered from it: ask again."""
    def confused(req: Req) -> Any:
        if req.headers.get("if-none-match"):
            return 304, {"ETag": '"other"'}, b""
        return 200, {"ETag": '"mine"'}, {"n": len(platform.api("/confused"))}

    platform.route("GET", "/confused")(confused)
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, response_cache=True) as ob:
        assert ob.get("/confused") == {"n": 1}
        assert ob.get("/confused") == {"n": 3}  # 304 (ignored), then the unconditional 200
    assert [r.headers.get("if-none-match") for r in platform.api("/confused")] == [None, '"mine"', None]
