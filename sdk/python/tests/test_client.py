from __future__ import annotations

import asyncio
import sys
import types
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

import openbank
from conftest import CLIENT_ID, CLIENT_SECRET, Platform, Req, public
from openbank import AsyncOpenBank, Money, OpenBank, OpenBankError


def echo(req: Req) -> Any:
    return 200, {}, {"method": req.method, "ua": req.headers.get("user-agent"),
                     "key": req.headers.get("idempotency-key"), "accept": req.headers.get("accept"),
                     "body": req.json, "query": req.query}


@pytest.fixture
def echo_platform(platform: Platform) -> Platform:
    for m in ("GET", "POST", "PATCH", "DELETE", "PUT"):
        platform.route(m, "/api/v1/echo")(public(echo))
    return platform


def test_user_agent_accept_and_timeouts(echo_platform: Platform) -> None:
    with OpenBank(echo_platform.url) as c:
        body = c.request("GET", "/api/v1/echo", params={"a": "1"})
        assert body["ua"] == f"openbank-python/{openbank.__version__}"
        assert body["accept"] == "application/json" and body["query"] == {"a": "1"}
        t = c.http.timeout
        assert (t.connect, t.read, t.write, t.pool) == (5.0, 30.0, 30.0, 30.0)
        assert isinstance(c.http, httpx.Client)
    with OpenBank(echo_platform.url, timeout=2) as c:
        assert (c.http.timeout.connect, c.http.timeout.read) == (2.0, 2.0)


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_unsafe_methods_get_a_uuid4_idempotency_key(echo_platform: Platform, method: str) -> None:
    with OpenBank(echo_platform.url) as c:
        k1 = c.request(method, "/api/v1/echo", json={"x": 1})["key"]
        k2 = c.request(method, "/api/v1/echo", json={"x": 1})["key"]
    assert uuid.UUID(k1).version == 4 and k1 != k2


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_safe_methods_get_no_key(echo_platform: Platform, method: str) -> None:
    with OpenBank(echo_platform.url) as c:
        assert c.request(method, "/api/v1/echo")["key"] is None


def test_explicit_key_and_helpers(echo_platform: Platform) -> None:
    with OpenBank(echo_platform.url) as c:
        assert c.post("/api/v1/echo", {"a": 1}, idempotency_key="order-42")["key"] == "order-42"
        assert c.get("/api/v1/echo", {"q": "x"})["query"] == {"q": "x"}
        assert c.request("POST", "/api/v1/echo", headers={"Idempotency-Key": "h"})["key"] == "h"


def test_numbers_are_decimals_never_floats(platform: Platform) -> None:
    @platform.route("GET", "/api/v1/balance")
    @public
    def bal(req: Req) -> Any:
        return 200, {}, b'{"balance": {"amount": "8000.10", "currency": "CNY"}, "rate": 0.1}'

    with OpenBank(platform.url) as c:
        body = c.request("GET", "/api/v1/balance")
    assert body["rate"] == Decimal("0.1") and isinstance(body["rate"], Decimal)
    m = Money.from_json(body["balance"])
    assert m.amount == Decimal("8000.10") and m.currency == "CNY"
    assert m.to_json() == {"amount": "8000.10", "currency": "CNY"}
    assert str(Money("1.5", "CNY")) == "1.5 CNY"  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(0.1, "CNY")  # type: ignore[arg-type]


def test_empty_body_and_non_object_json(platform: Platform) -> None:
    platform.route("DELETE", "/api/v1/thing")(public(lambda r: (204, {}, b"")))
    platform.route("GET", "/api/v1/list")(public(lambda r: (200, {}, [1, 2])))
    with OpenBank(platform.url) as c:
        assert c.request("DELETE", "/api/v1/thing") == {}
        assert c.request("GET", "/api/v1/list") == {"data": [1, 2]}


def test_credentials_must_be_paired() -> None:
    with pytest.raises(ValueError):
        OpenBank("http://127.0.0.1:1", client_id="only-id")


def test_generated_is_lazy_and_explains_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openbank._generated", None)  # force ImportError
    with OpenBank("http://127.0.0.1:1") as c:
        with pytest.raises(OpenBankError, match="openapi-python-client"):
            _ = c.generated


class _FakeAuthenticatedClient:
    """Mimics openapi-python-client 0.29's AuthenticatedClient surface."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url, self.token = base_url, token
        self._client: Any = None
        self._async_client: Any = None

    def set_httpx_client(self, client: httpx.Client) -> "_FakeAuthenticatedClient":
        self._client = client
        return self

    def get_httpx_client(self) -> httpx.Client:
        return self._client  # type: ignore[no-any-return]

    def set_async_httpx_client(self, client: httpx.AsyncClient) -> "_FakeAuthenticatedClient":
        self._async_client = client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        return self._async_client  # type: ignore[no-any-return]


def test_generated_client_shares_the_httpx_client(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    platform.route("POST", "/api/v1/payments/")(lambda r: (201, {}, {"key": r.headers.get("idempotency-key"),
                                                                       "token": r.bearer}))
    fake = types.ModuleType("openbank._generated")
    fake.AuthenticatedClient = _FakeAuthenticatedClient  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "openbank._generated", fake)
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET) as c:
        gen = c.generated
        assert gen is c.generated and gen.get_httpx_client() is c.http
        # what a generated endpoint function does:
        r = gen.get_httpx_client().request(method="post", url="/api/v1/payments/", json={"a": 1})
        assert r.status_code == 201 and r.json()["token"] == "tok-1"
        assert uuid.UUID(r.json()["key"]).version == 4

    async def main() -> None:
        async with AsyncOpenBank(platform.url, CLIENT_ID, CLIENT_SECRET) as ac:
            assert ac.generated.get_async_httpx_client() is ac.http

    asyncio.run(main())


def test_public_api_exports() -> None:
    for name in openbank.__all__:
        assert hasattr(openbank, name), name
