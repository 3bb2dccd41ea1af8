from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from conftest import CLIENT_ID, CLIENT_SECRET, PUBLIC_CLIENT_ID, FakeClock, Platform, Req, problem
from openbank import (
    AsyncOpenBank,
    AuthenticationError,
    ClientCredentials,
    OAuthError,
    OpenBank,
    RefreshingUserToken,
    TokenResponse,
)


def ok(req: Req) -> tuple[int, dict[str, str], Any]:
    return 200, {}, {"ok": True, "token": req.bearer}


def cc(platform: Platform, clock: FakeClock | None = None, **kw: Any) -> ClientCredentials:
    return ClientCredentials(
        platform.url + "/oauth/token/", CLIENT_ID, CLIENT_SECRET, "accounts:read",
        clock=clock or FakeClock(), **kw,
    )


def test_token_is_fetched_once_and_cached(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET, scope="accounts:read") as client:
        for _ in range(5):
            assert client.request("GET", "/api/v1/ping")["ok"] is True
    assert len(platform.token_requests) == 1
    assert len(platform.api("/api/v1/ping")) == 5
    tok = platform.token_requests[0]
    assert tok.headers["content-type"] == "application/x-www-form-urlencoded"
    assert tok.form == {"grant_type": "client_credentials", "scope": "accounts:read"}
    assert tok.headers["authorization"].startswith("Basic ")  # client_secret_basic
    assert "idempotency-key" not in tok.headers


def test_client_secret_post(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    auth = cc(platform, auth_method="client_secret_post")
    with OpenBank(platform.url, token=auth) as client:
        client.request("GET", "/api/v1/ping")
    form = platform.token_requests[0].form
    assert form["client_id"] == CLIENT_ID and form["client_secret"] == CLIENT_SECRET
    assert "authorization" not in platform.token_requests[0].headers


def test_refresh_shortly_before_expiry(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    clock = FakeClock()
    auth = cc(platform, clock)
    with OpenBank(platform.url, token=auth) as client:
        assert client.request("GET", "/api/v1/ping")["token"] == "tok-1"
        clock.advance(600 - 31)  # still more than 30 s left: cached
        assert client.request("GET", "/api/v1/ping")["token"] == "tok-1"
        assert len(platform.token_requests) == 1
        clock.advance(2)  # 29 s left: refreshed proactively, before the server rejects it
        assert client.request("GET", "/api/v1/ping")["token"] == "tok-2"
        assert len(platform.token_requests) == 2
        assert client.request("GET", "/api/v1/ping")["token"] == "tok-2"
    assert len(platform.token_requests) == 2
    assert auth.token is not None and auth.token.expires_in == 600


def test_short_lived_token_margin_capped(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    platform.expires_in = 20  # shorter than the 30 s margin: refresh at half-life instead
    clock = FakeClock()
    with OpenBank(platform.url, token=cc(platform, clock)) as client:
        client.request("GET", "/api/v1/ping")
        clock.advance(9)
        client.request("GET", "/api/v1/ping")
        assert len(platform.token_requests) == 1
        clock.advance(2)
        client.request("GET", "/api/v1/ping")
        assert len(platform.token_requests) == 2


def test_401_reauthenticates_once(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    with OpenBank(platform.url, token=cc(platform)) as client:
        client.request("GET", "/api/v1/ping")
        platform.valid_tokens.clear()  # server-side revocation
        assert client.request("GET", "/api/v1/ping")["token"] == "tok-2"
    assert len(platform.token_requests) == 2
    assert [r.bearer for r in platform.api("/api/v1/ping")] == ["tok-1", "tok-1", "tok-2"]


def test_401_retried_only_once_then_raises(platform: Platform) -> None:
    @platform.route("GET", "/api/v1/always401")
    def always(req: Req) -> Any:
        return problem(401, "not_authenticated", "nope")

    with OpenBank(platform.url, token=cc(platform)) as client:
        with pytest.raises(AuthenticationError) as exc:
            client.request("GET", "/api/v1/always401")
    assert exc.value.status == 401 and exc.value.code == "not_authenticated"
    assert len(platform.api("/api/v1/always401")) == 2
    assert len(platform.token_requests) == 2


def test_post_reauth_keeps_idempotency_key(platform: Platform) -> None:
    @platform.route("POST", "/api/v1/payments/")
    def pay(req: Req) -> Any:
        return 201, {}, {"id": "pay_1"}

    with OpenBank(platform.url, token=cc(platform)) as client:
        # first POST: tok-1 is minted, then accepted
        client.request("POST", "/api/v1/payments/", json={"a": 1})
        platform.valid_tokens.clear()
        client.request("POST", "/api/v1/payments/", json={"a": 2})
    posts = platform.api("/api/v1/payments/")
    assert len(posts) == 3  # 1 + (rejected + re-sent)
    assert posts[1].headers["idempotency-key"] == posts[2].headers["idempotency-key"]
    assert posts[0].headers["idempotency-key"] != posts[1].headers["idempotency-key"]
    assert posts[2].json == {"a": 2}


def test_bad_client_credentials_raise_oauth_error(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    with OpenBank(platform.url, CLIENT_ID, "wrong") as client:
        with pytest.raises(OAuthError) as exc:
            client.request("GET", "/api/v1/ping")
    assert exc.value.code == "invalid_client" and exc.value.error == "invalid_client"
    assert exc.value.status == 401
    assert isinstance(exc.value, AuthenticationError)
    assert platform.api("/api/v1/ping") == []


def test_single_flight_across_threads(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    platform.token_delay = 0.2
    errors: list[BaseException] = []
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET) as client:
        barrier = threading.Barrier(8)

        def work() -> None:
            try:
                barrier.wait()
                client.request("GET", "/api/v1/ping")
            except BaseException as e:  # pragma: no cover
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert len(platform.token_requests) == 1
    assert len(platform.api("/api/v1/ping")) == 8


def test_works_with_a_plain_httpx_client(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    auth = cc(platform)
    with httpx.Client(base_url=platform.url, auth=auth) as http:
        assert http.get("/api/v1/ping").json()["token"] == "tok-1"
        assert http.get("/api/v1/ping").status_code == 200
    assert auth.token_requests == 1


def test_async_client_credentials(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    platform.token_delay = 0.1

    async def main() -> None:
        async with AsyncOpenBank(platform.url, CLIENT_ID, CLIENT_SECRET) as client:
            results = await asyncio.gather(*[client.request("GET", "/api/v1/ping") for _ in range(5)])
            assert {r["token"] for r in results} == {"tok-1"}
            platform.valid_tokens.clear()
            assert (await client.request("GET", "/api/v1/ping"))["token"] == "tok-2"

    asyncio.run(main())
    assert len(platform.token_requests) == 2


# -- RefreshingUserToken ----------------------------------------------------------

def test_user_token_refreshes_on_expiry_and_reports_rotation(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    platform.valid_tokens.add("user-at")
    platform.refresh_tokens.add("user-rt")
    clock = FakeClock()
    rotated: list[TokenResponse] = []
    auth = RefreshingUserToken(
        platform.url + "/oauth/token/", PUBLIC_CLIENT_ID, "user-at", "user-rt",
        expires_in=600, on_refresh=rotated.append, clock=clock,
    )
    with OpenBank(platform.url, token=auth) as client:
        assert client.request("GET", "/api/v1/ping")["token"] == "user-at"
        assert platform.token_requests == []
        clock.advance(580)
        assert client.request("GET", "/api/v1/ping")["token"] == "tok-1"
    assert [t.refresh_token for t in rotated] == ["rt-1"]
    assert auth.refresh_token == "rt-1"
    form = platform.token_requests[0].form
    assert form == {"grant_type": "refresh_token", "refresh_token": "user-rt", "client_id": PUBLIC_CLIENT_ID}
    assert "idempotency-key" not in platform.token_requests[0].headers


def test_user_token_refreshes_on_401_with_rotated_token(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    platform.refresh_tokens.add("user-rt")
    rotated: list[str | None] = []
    auth = RefreshingUserToken(
        platform.url + "/oauth/token/", PUBLIC_CLIENT_ID, "stale-at", "user-rt",
        on_refresh=lambda t: rotated.append(t.refresh_token),
    )
    with OpenBank(platform.url, token=auth) as client:
        assert client.request("GET", "/api/v1/ping")["token"] == "tok-1"
        platform.valid_tokens.clear()
        assert client.request("GET", "/api/v1/ping")["token"] == "tok-2"
    assert rotated == ["rt-1", "rt-2"]
    assert [r.form["refresh_token"] for r in platform.token_requests] == ["user-rt", "rt-1"]


def test_user_token_invalid_refresh_raises(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    auth = RefreshingUserToken(platform.url + "/oauth/token/", PUBLIC_CLIENT_ID, "x", "revoked-rt")
    with OpenBank(platform.url, token=auth) as client:
        with pytest.raises(OAuthError) as exc:
            client.request("GET", "/api/v1/ping")
    assert exc.value.code == "invalid_grant"
    assert len(platform.token_requests) == 1  # refresh requests are never retried


def test_static_bearer_token(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    platform.valid_tokens.add("static")
    with OpenBank(platform.url, token="static") as client:
        assert client.request("GET", "/api/v1/ping")["token"] == "static"


def test_token_response_parsing_defaults() -> None:
    req = httpx.Request("POST", "http://x/oauth/token/")
    r = httpx.Response(200, json={"access_token": "a", "token_type": "bearer"}, request=req)
    tok = TokenResponse.from_response(r, clock=lambda: 100.0)
    assert tok.expires_in == 60 and tok.expires_at == 160.0 and tok.refresh_token is None
    bad = httpx.Response(200, json={"token_type": "Bearer"}, request=req)
    with pytest.raises(OAuthError):
        TokenResponse.from_response(bad)
    mac = httpx.Response(200, json={"access_token": "a", "token_type": "mac"}, request=req)
    with pytest.raises(OAuthError):
        TokenResponse.from_response(mac)
    assert time.time() > 0


def test_token_request_retried_on_503(platform: Platform) -> None:
    platform.route("GET", "/api/v1/ping")(ok)
    platform.token_failures.append(problem(503, "unavailable", headers={"Retry-After": "0"}))
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET) as client:
        assert client.request("GET", "/api/v1/ping")["token"] == "tok-1"
    assert len(platform.token_requests) == 2
    assert all("idempotency-key" not in r.headers for r in platform.token_requests)
