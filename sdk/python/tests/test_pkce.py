from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import CLIENT_ID, CLIENT_SECRET, PUBLIC_CLIENT_ID, Platform
from openbank import OpenBank, OAuthError, create_authorization_request, exchange_code
from openbank import parse_authorization_response, refresh_token, revoke_token
from openbank.auth import (
    AuthorizationDeniedError,
    AuthorizationResponseError,
    IssuerMismatchError,
    StateMismatchError,
    async_exchange_code,
    code_challenge_s256,
    fetch_server_metadata,
    generate_code_verifier,
)

REDIRECT = "https://app.example/callback"


def test_verifier_charset_and_length() -> None:
    for length in (43, 64, 128):
        v = generate_code_verifier(length)
        assert len(v) == length and re.fullmatch(r"[A-Za-z0-9\-._~]+", v)
    assert len({generate_code_verifier() for _ in range(50)}) == 50
    for bad in (42, 129):
        with pytest.raises(ValueError):
            generate_code_verifier(bad)


def test_challenge_is_unpadded_base64url_sha256() -> None:
    # RFC 7636 appendix B
    assert code_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == \
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    v = generate_code_verifier()
    expected = base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).decode().rstrip("=")
    assert code_challenge_s256(v) == expected and "=" not in expected


def test_authorization_url() -> None:
    ar = create_authorization_request("http://127.0.0.1:8000/", PUBLIC_CLIENT_ID, REDIRECT,
                                      ["accounts:read", "payments:write"], "cns_123")
    parts = urlsplit(ar.url)
    assert parts.path == "/oauth/authorize/" and parts.netloc == "127.0.0.1:8000"
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q == {
        "response_type": "code", "client_id": PUBLIC_CLIENT_ID, "redirect_uri": REDIRECT,
        "scope": "accounts:read payments:write", "state": ar.state,
        "code_challenge": code_challenge_s256(ar.code_verifier),
        "code_challenge_method": "S256", "consent_id": "cns_123",
    }
    assert "%20" in ar.url  # scope spaces encoded as %20
    assert len(ar.state) >= 32 and 43 <= len(ar.code_verifier) <= 128
    assert create_authorization_request("http://h", "c", REDIRECT, "a", "x", state="fixed").state == "fixed"


def test_parse_authorization_response() -> None:
    r = parse_authorization_response(f"{REDIRECT}?code=abc&state=s1&iss=http%3A%2F%2Fas.test", "s1",
                                     expected_issuer="http://as.test")
    assert (r.code, r.state, r.iss) == ("abc", "s1", "http://as.test")
    assert parse_authorization_response(f"{REDIRECT}?code=abc&state=s1", "s1").code == "abc"


@pytest.mark.parametrize("url,exc", [
    (f"{REDIRECT}?code=abc&state=evil", StateMismatchError),
    (f"{REDIRECT}?code=abc", StateMismatchError),
    (f"{REDIRECT}?code=abc&state=s1&state=s1", AuthorizationResponseError),
    (f"{REDIRECT}?code=abc&state=s1&iss=http%3A%2F%2Fevil.test", IssuerMismatchError),
    (f"{REDIRECT}?code=abc&state=s1", IssuerMismatchError),  # iss expected but missing
    (f"{REDIRECT}?error=access_denied&error_description=no&state=s1&iss=http%3A%2F%2Fas.test",
     AuthorizationDeniedError),
    (f"{REDIRECT}?state=s1&iss=http%3A%2F%2Fas.test", AuthorizationResponseError),
])
def test_parse_authorization_response_rejects(url: str, exc: type[Exception]) -> None:
    with pytest.raises(exc):
        parse_authorization_response(url, "s1", expected_issuer="http://as.test")


def test_denied_error_details() -> None:
    with pytest.raises(AuthorizationDeniedError) as e:
        parse_authorization_response(f"{REDIRECT}?error=access_denied&error_description=User+said+no&state=s", "s")
    assert e.value.error == "access_denied" and e.value.error_description == "User said no"


def test_full_code_flow_against_server(platform: Platform) -> None:
    ar = create_authorization_request(platform.url, PUBLIC_CLIENT_ID, REDIRECT, "accounts:read", "cns_1")
    q = {k: v[0] for k, v in parse_qs(urlsplit(ar.url).query).items()}
    # the "server" approves: remembers the challenge and redirects back
    platform.codes["code-1"] = {"challenge": q["code_challenge"], "redirect_uri": REDIRECT}
    redirect = f"{REDIRECT}?code=code-1&state={q['state']}&iss={platform.url}"
    resp = parse_authorization_response(redirect, ar.state, expected_issuer=platform.url)

    tokens = exchange_code(platform.url, PUBLIC_CLIENT_ID, resp.code, REDIRECT, ar.code_verifier)
    assert tokens.access_token == "tok-1" and tokens.refresh_token == "rt-1" and tokens.expires_in == 600
    form = platform.token_requests[-1].form
    assert form["grant_type"] == "authorization_code" and form["client_id"] == PUBLIC_CLIENT_ID
    assert form["code_verifier"] == ar.code_verifier and "client_secret" not in form

    # the code is single-use
    with pytest.raises(OAuthError) as e:
        exchange_code(platform.url, PUBLIC_CLIENT_ID, resp.code, REDIRECT, ar.code_verifier)
    assert e.value.code == "invalid_grant"

    rotated = refresh_token(platform.url, PUBLIC_CLIENT_ID, tokens.refresh_token or "")
    assert rotated.refresh_token == "rt-2"
    with pytest.raises(OAuthError):  # the old refresh token is gone (rotation)
        refresh_token(platform.url, PUBLIC_CLIENT_ID, "rt-1")

    revoke_token(platform.url, PUBLIC_CLIENT_ID, "rt-2", token_type_hint="refresh_token")
    assert platform.revoked == ["rt-2"]


def test_wrong_verifier_is_rejected(platform: Platform) -> None:
    ar = create_authorization_request(platform.url, PUBLIC_CLIENT_ID, REDIRECT, "accounts:read", "c")
    platform.codes["code-2"] = {"challenge": ar.code_challenge, "redirect_uri": REDIRECT}
    with pytest.raises(OAuthError):
        exchange_code(platform.url, PUBLIC_CLIENT_ID, "code-2", REDIRECT, generate_code_verifier())


def test_confidential_client_and_shared_http_client(platform: Platform) -> None:
    ar = create_authorization_request(platform.url, CLIENT_ID, REDIRECT, "accounts:read", "c")
    platform.codes["code-3"] = {"challenge": ar.code_challenge, "redirect_uri": REDIRECT}
    with OpenBank(platform.url, CLIENT_ID, CLIENT_SECRET) as ob:
        tok = exchange_code(platform.url, CLIENT_ID, "code-3", REDIRECT, ar.code_verifier,
                            client_secret=CLIENT_SECRET, client=ob.http)
    assert tok.access_token == "tok-1"
    req = platform.token_requests[-1]
    assert req.headers["authorization"].startswith("Basic ")  # not the client's bearer auth
    assert len(platform.token_requests) == 1


def test_async_exchange_and_metadata(platform: Platform) -> None:
    ar = create_authorization_request(platform.url, PUBLIC_CLIENT_ID, REDIRECT, "accounts:read", "c")
    platform.codes["code-4"] = {"challenge": ar.code_challenge, "redirect_uri": REDIRECT}
    tok = asyncio.run(async_exchange_code(platform.url, PUBLIC_CLIENT_ID, "code-4", REDIRECT, ar.code_verifier))
    assert tok.refresh_token == "rt-1"
    meta = fetch_server_metadata(platform.url)
    assert meta["issuer"] == platform.url and meta["code_challenge_methods_supported"] == ["S256"]
