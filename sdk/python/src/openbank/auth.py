"""OAuth 2 for the OpenBank platform (django-oauth-toolkit).

* :class:`ClientCredentials` - ``httpx.Auth`` for partners/funders using the
  ``client_credentials`` grant: fetches and caches the access token, refreshes it
  ``refresh_margin`` (30 s) before expiry, single flight across threads (one token
  request even when many threads need a token at once), and on a ``401`` invalidates
  the token and retries the request exactly once with a fresh one.
* :class:`RefreshingUserToken` - ``httpx.Auth`` for third-party apps holding a user's
  access + refresh token: refreshes on expiry or on a ``401``; refresh tokens rotate,
  so the new one is reported through ``on_refresh``: persist it.
* :class:`BearerToken` - a fixed access token.
* PKCE (S256 only) authorization-code helpers: :func:`create_authorization_request`,
  :func:`parse_authorization_response` (checks ``state`` and, per RFC 9207, ``iss``),
  :func:`exchange_code`, :func:`refresh_token`, :func:`revoke_token`,
  :func:`fetch_server_metadata`, and async twins (``async_*``).

The auth classes fetch tokens *through the client they are attached to* (they yield
the token request from the httpx auth flow), so token requests use the same
connection pool, transport (retries) and event hooks. They support both
``httpx.Client`` and ``httpx.AsyncClient``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, AsyncGenerator, Callable, Generator, Mapping, Sequence
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx

from .errors import OAuthError, OpenBankError, error_from_response

__all__ = [
    "TOKEN_PATH",
    "AUTHORIZE_PATH",
    "REVOKE_PATH",
    "METADATA_PATH",
    "TokenResponse",
    "ClientCredentials",
    "RefreshingUserToken",
    "BearerToken",
    "AuthorizationRequest",
    "AuthorizationResponse",
    "AuthorizationResponseError",
    "StateMismatchError",
    "IssuerMismatchError",
    "AuthorizationDeniedError",
    "generate_code_verifier",
    "code_challenge_s256",
    "create_authorization_request",
    "parse_authorization_response",
    "exchange_code",
    "refresh_token",
    "revoke_token",
    "fetch_server_metadata",
    "async_exchange_code",
    "async_refresh_token",
    "async_revoke_token",
]

TOKEN_PATH = "/oauth/token/"
AUTHORIZE_PATH = "/oauth/authorize/"
REVOKE_PATH = "/oauth/revoke_token/"
METADATA_PATH = "/.well-known/oauth-authorization-server"

# Extension read by RetryTransport: token requests are not given idempotency keys.
# client_credentials may be retried (no side effect beyond a new token); a refresh
# is not (refresh tokens rotate, a replay would be rejected with invalid_grant).
_EXT_RETRY = {"openbank": {"retry": True, "idempotency_key": False}}
_EXT_NO_RETRY = {"openbank": {"retry": False, "idempotency_key": False}}

_FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def _join(base_url: str | httpx.URL, path: str) -> str:
    return str(base_url).rstrip("/") + path


def _basic(client_id: str, client_secret: str) -> str:
    # RFC 6749 section 2.3.1: form-urlencode both parts before base64.
    raw = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def _scope_str(scope: str | Sequence[str] | None) -> str | None:
    if scope is None:
        return None
    if isinstance(scope, str):
        return scope
    return " ".join(scope)


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """A successful token endpoint response. ``expires_at`` is on the auth's clock."""

    access_token: str
    token_type: str
    expires_in: float
    expires_at: float
    scope: str | None = None
    refresh_token: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_response(
        cls, response: httpx.Response, *, clock: Callable[[], float] = time.time
    ) -> "TokenResponse":
        """Parse a token response (already read); raise :class:`OAuthError` on failure."""
        if response.status_code >= 400:
            raise error_from_response(response, error_class=OAuthError)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise OAuthError(
                response.status_code,
                code="invalid_token_response",
                detail="token endpoint returned no access_token",
                request_id=response.headers.get("x-request-id"),
                response=response,
            )
        token_type = str(body.get("token_type") or "Bearer")
        if token_type.lower() != "bearer":
            raise OAuthError(
                response.status_code,
                code="unsupported_token_type",
                detail=f"unsupported token_type {token_type!r}",
                response=response,
            )
        try:
            expires_in = float(body.get("expires_in") or 0)
        except (TypeError, ValueError):
            expires_in = 0.0
        if expires_in <= 0:
            expires_in = 60.0  # unknown lifetime: be conservative
        scope = body.get("scope")
        refresh = body.get("refresh_token")
        return cls(
            access_token=body["access_token"],
            token_type=token_type,
            expires_in=expires_in,
            expires_at=clock() + expires_in,
            scope=scope if isinstance(scope, str) else None,
            refresh_token=refresh if isinstance(refresh, str) else None,
            raw=body,
        )


class _CachedTokenAuth(httpx.Auth):
    """Shared machinery: cached token + single-flight refresh + one retry on 401."""

    def __init__(
        self,
        token_url: str,
        *,
        refresh_margin: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token_url = token_url
        self.refresh_margin = refresh_margin
        self.clock = clock
        self._token: TokenResponse | None = None
        # (access_token, refresh_at): replaced atomically, read without the lock.
        self._current: tuple[str, float] | None = None
        self._lock = threading.Lock()
        self._alock: asyncio.Lock | None = None
        self.token_requests = 0  # how many token requests this auth has made

    # -- hooks for subclasses -------------------------------------------------
    def _build_token_request(self) -> httpx.Request:
        raise NotImplementedError

    def _on_token(self, token: TokenResponse) -> None:
        """Called (under the lock) whenever a new token was obtained."""

    # -- token state ------------------------------------------------------------
    @property
    def token(self) -> TokenResponse | None:
        """The cached token, if any."""
        return self._token

    def invalidate(self) -> None:
        """Forget the cached access token (the next request fetches a new one)."""
        self._current = None

    def _set_token(self, token: TokenResponse) -> None:
        margin = min(self.refresh_margin, token.expires_in / 2)
        self._token = token
        self._current = (token.access_token, token.expires_at - margin)
        self._on_token(token)

    def _valid_access_token(self) -> str | None:
        current = self._current
        if current is not None and self.clock() < current[1]:
            return current[0]
        return None

    def _store_response(self, response: httpx.Response) -> str:
        token = TokenResponse.from_response(response, clock=self.clock)
        self._set_token(token)
        return token.access_token

    # -- sync flow ----------------------------------------------------------------
    def _sync_get_token(self, stale: str | None) -> Generator[httpx.Request, httpx.Response, str]:
        with self._lock:
            current = self._valid_access_token()
            if current is not None and current != stale:
                return current  # another thread refreshed meanwhile
            self.token_requests += 1
            response = yield self._build_token_request()
            response.read()
            return self._store_response(response)

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        access = self._valid_access_token()
        if access is None:
            access = yield from self._sync_get_token(None)
        request.headers["Authorization"] = "Bearer " + access
        response = yield request
        if response.status_code == 401:
            access = yield from self._sync_get_token(access)
            request.headers["Authorization"] = "Bearer " + access
            yield request

    # -- async flow ---------------------------------------------------------------
    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        access = self._valid_access_token()
        if access is None:
            access = await self._async_lock_and_check(None)
            if access is None:
                try:
                    response = yield self._build_token_request()
                    await response.aread()
                    access = self._store_response(response)
                finally:
                    self._async_release()
        request.headers["Authorization"] = "Bearer " + access
        response = yield request
        if response.status_code == 401:
            stale = access
            access = await self._async_lock_and_check(stale)
            if access is None:
                try:
                    response = yield self._build_token_request()
                    await response.aread()
                    access = self._store_response(response)
                finally:
                    self._async_release()
            request.headers["Authorization"] = "Bearer " + access
            yield request

    async def _async_lock_and_check(self, stale: str | None) -> str | None:
        """Acquire the async lock; return a usable token (lock released) or None (lock held)."""
        if self._alock is None:
            self._alock = asyncio.Lock()
        await self._alock.acquire()
        current = self._valid_access_token()
        if current is not None and current != stale:
            self._alock.release()
            return current
        self.token_requests += 1
        return None

    def _async_release(self) -> None:
        if self._alock is not None and self._alock.locked():
            self._alock.release()


class ClientCredentials(_CachedTokenAuth):
    """``client_credentials`` grant with caching, early refresh and 401 re-auth.

    :param token_url: full URL of the token endpoint, e.g.
        ``http://127.0.0.1:8000/oauth/token/``.
    :param auth_method: ``"client_secret_basic"`` (default, HTTP Basic) or
        ``"client_secret_post"`` (credentials in the form body).
    :param refresh_margin: refresh this many seconds before expiry (capped at half
        the token lifetime).
    :param clock: time source (seconds), injectable for tests.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | Sequence[str] | None = None,
        *,
        auth_method: str = "client_secret_basic",
        refresh_margin: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(token_url, refresh_margin=refresh_margin, clock=clock)
        if auth_method not in ("client_secret_basic", "client_secret_post"):
            raise ValueError("auth_method must be client_secret_basic or client_secret_post")
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = _scope_str(scope)
        self.auth_method = auth_method

    def _build_token_request(self) -> httpx.Request:
        data = {"grant_type": "client_credentials"}
        if self.scope:
            data["scope"] = self.scope
        headers = dict(_FORM)
        if self.auth_method == "client_secret_basic":
            headers["Authorization"] = _basic(self.client_id, self._client_secret)
        else:
            data["client_id"] = self.client_id
            data["client_secret"] = self._client_secret
        return httpx.Request(
            "POST", self.token_url, data=data, headers=headers, extensions=_EXT_RETRY
        )

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, scope={self.scope!r})"


class RefreshingUserToken(_CachedTokenAuth):
    """Access + refresh token of a user (authorization-code apps).

    Refreshes when the access token is (about to be) expired or the API answers 401.
    The platform rotates refresh tokens: ``on_refresh(token_response)`` is called with
    every new :class:`TokenResponse` (whose ``refresh_token`` is the one to store).

    :param expires_at: when the given access token expires, on ``clock`` (default
        ``time.time``); ``expires_in`` may be given instead. If neither is known the
        token is used until the API rejects it.
    :param client_secret: for confidential clients (HTTP Basic); public clients omit it
        and send ``client_id`` in the body.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        access_token: str,
        refresh_token: str,
        *,
        expires_at: float | None = None,
        expires_in: float | None = None,
        client_secret: str | None = None,
        scope: str | Sequence[str] | None = None,
        on_refresh: Callable[[TokenResponse], None] | None = None,
        refresh_margin: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(token_url, refresh_margin=refresh_margin, clock=clock)
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = _scope_str(scope)
        self.on_refresh = on_refresh
        self.refresh_token = refresh_token
        if expires_at is None and expires_in is not None:
            expires_at = clock() + expires_in
        if expires_at is None:
            self._current = (access_token, float("inf"))
        else:
            lifetime = max(0.0, expires_at - clock())
            margin = min(self.refresh_margin, lifetime / 2)
            self._current = (access_token, expires_at - margin)

    def _build_token_request(self) -> httpx.Request:
        return _refresh_request(
            self.token_url, self.client_id, self.refresh_token, self._client_secret, self.scope
        )

    def _on_token(self, token: TokenResponse) -> None:
        if token.refresh_token:
            self.refresh_token = token.refresh_token
        if self.on_refresh is not None:
            self.on_refresh(token)


class BearerToken(httpx.Auth):
    """A fixed bearer token (no refresh)."""

    def __init__(self, access_token: str) -> None:
        self._header = "Bearer " + access_token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


# ---------------------------------------------------------------------------
# PKCE authorization code flow
# ---------------------------------------------------------------------------

_VERIFIER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def generate_code_verifier(length: int = 64) -> str:
    """A random RFC 7636 code verifier: ``length`` (43-128) unreserved characters."""
    if not 43 <= length <= 128:
        raise ValueError("code verifier length must be between 43 and 128")
    return "".join(secrets.choice(_VERIFIER_ALPHABET) for _ in range(length))


def code_challenge_s256(verifier: str) -> str:
    """``BASE64URL(SHA256(ascii(verifier)))`` without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """Send the user to ``url``; keep ``state`` and ``code_verifier`` server-side."""

    url: str
    state: str
    code_verifier: str
    code_challenge: str = ""


@dataclass(frozen=True, slots=True)
class AuthorizationResponse:
    code: str
    state: str
    iss: str | None = None


class AuthorizationResponseError(OpenBankError):
    """The authorization redirect is invalid or reports an error."""


class StateMismatchError(AuthorizationResponseError):
    """``state`` missing or different from the one sent (possible CSRF)."""


class IssuerMismatchError(AuthorizationResponseError):
    """``iss`` missing or different from the expected issuer (RFC 9207, mix-up attack)."""


class AuthorizationDeniedError(AuthorizationResponseError):
    """The authorization server redirected with ``error=...`` (e.g. ``access_denied``)."""

    def __init__(self, error: str, description: str | None = None) -> None:
        self.error = error
        self.error_description = description
        super().__init__(f"{error}: {description}" if description else error)


def create_authorization_request(
    base_url: str,
    client_id: str,
    redirect_uri: str,
    scope: str | Sequence[str],
    consent_id: str,
    state: str | None = None,
    *,
    verifier_length: int = 64,
    authorize_path: str = AUTHORIZE_PATH,
) -> AuthorizationRequest:
    """Build the ``/oauth/authorize/`` URL for an authorization-code + PKCE (S256) flow."""
    verifier = generate_code_verifier(verifier_length)
    challenge = code_challenge_s256(verifier)
    if state is None:
        state = secrets.token_urlsafe(32)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": _scope_str(scope) or "",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "consent_id": consent_id,
    }
    url = _join(base_url, authorize_path) + "?" + urlencode(params, quote_via=quote)
    return AuthorizationRequest(url=url, state=state, code_verifier=verifier, code_challenge=challenge)


def parse_authorization_response(
    redirect_url: str,
    expected_state: str,
    expected_issuer: str | None = None,
) -> AuthorizationResponse:
    """Validate the redirect back to the app and return its ``code``.

    Checks, in order: ``state`` equals ``expected_state``; when ``expected_issuer`` is
    given, ``iss`` is present and equal to it (RFC 9207); then an ``error`` parameter
    raises :class:`AuthorizationDeniedError`; a missing ``code`` raises
    :class:`AuthorizationResponseError`.
    """
    query = parse_qs(urlsplit(redirect_url).query, keep_blank_values=True)

    def one(name: str) -> str | None:
        values = query.get(name)
        if not values:
            return None
        if len(values) > 1:
            raise AuthorizationResponseError(f"duplicate {name!r} parameter")
        return values[0]

    state = one("state")
    if state is None or not hmac.compare_digest(state.encode(), expected_state.encode()):
        raise StateMismatchError("state parameter does not match")
    iss = one("iss")
    if expected_issuer is not None:
        if iss is None:
            raise IssuerMismatchError("iss parameter missing")
        if iss.rstrip("/") != expected_issuer.rstrip("/"):
            raise IssuerMismatchError(f"unexpected issuer {iss!r}")
    error = one("error")
    if error:
        raise AuthorizationDeniedError(error, one("error_description"))
    code = one("code")
    if not code:
        raise AuthorizationResponseError("code parameter missing")
    return AuthorizationResponse(code=code, state=state, iss=iss)


def _client_auth(
    data: dict[str, str], headers: dict[str, str], client_id: str, client_secret: str | None
) -> None:
    if client_secret is not None:
        headers["Authorization"] = _basic(client_id, client_secret)
    else:
        data["client_id"] = client_id


def _code_request(
    token_url: str, client_id: str, code: str, redirect_uri: str, code_verifier: str,
    client_secret: str | None,
) -> httpx.Request:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    headers = dict(_FORM)
    _client_auth(data, headers, client_id, client_secret)
    return httpx.Request("POST", token_url, data=data, headers=headers, extensions=_EXT_NO_RETRY)


def _refresh_request(
    token_url: str, client_id: str, refresh: str, client_secret: str | None, scope: str | None
) -> httpx.Request:
    data = {"grant_type": "refresh_token", "refresh_token": refresh}
    if scope:
        data["scope"] = scope
    headers = dict(_FORM)
    _client_auth(data, headers, client_id, client_secret)
    return httpx.Request("POST", token_url, data=data, headers=headers, extensions=_EXT_NO_RETRY)


def _revoke_request(
    revoke_url: str, client_id: str, token: str, token_type_hint: str | None,
    client_secret: str | None,
) -> httpx.Request:
    data = {"token": token}
    if token_type_hint:
        data["token_type_hint"] = token_type_hint
    headers = dict(_FORM)
    _client_auth(data, headers, client_id, client_secret)
    return httpx.Request("POST", revoke_url, data=data, headers=headers, extensions=_EXT_RETRY)


def _send(request: httpx.Request, client: httpx.Client | None) -> httpx.Response:
    if client is not None:
        return client.send(request, auth=None)  # never the client's own (API) auth
    with httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)) as c:
        response = c.send(request)
        response.read()
        return response


async def _asend(request: httpx.Request, client: httpx.AsyncClient | None) -> httpx.Response:
    if client is not None:
        return await client.send(request, auth=None)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0)) as c:
        response = await c.send(request)
        await response.aread()
        return response


def exchange_code(
    base_url: str,
    client_id: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    *,
    client_secret: str | None = None,
    client: httpx.Client | None = None,
    token_path: str = TOKEN_PATH,
) -> TokenResponse:
    """Exchange an authorization code (+ PKCE verifier) for tokens."""
    request = _code_request(
        _join(base_url, token_path), client_id, code, redirect_uri, code_verifier, client_secret
    )
    return TokenResponse.from_response(_send(request, client))


def refresh_token(
    base_url: str,
    client_id: str,
    refresh_token: str,
    *,
    client_secret: str | None = None,
    scope: str | Sequence[str] | None = None,
    client: httpx.Client | None = None,
    token_path: str = TOKEN_PATH,
) -> TokenResponse:
    """Use a refresh token. The response carries a NEW refresh token: store it."""
    request = _refresh_request(
        _join(base_url, token_path), client_id, refresh_token, client_secret, _scope_str(scope)
    )
    return TokenResponse.from_response(_send(request, client))


def revoke_token(
    base_url: str,
    client_id: str,
    token: str,
    *,
    token_type_hint: str | None = None,
    client_secret: str | None = None,
    client: httpx.Client | None = None,
    revoke_path: str = REVOKE_PATH,
) -> None:
    """Revoke an access or refresh token (RFC 7009)."""
    request = _revoke_request(
        _join(base_url, revoke_path), client_id, token, token_type_hint, client_secret
    )
    response = _send(request, client)
    if response.status_code >= 400:
        raise error_from_response(response, error_class=OAuthError)


def fetch_server_metadata(base_url: str, *, client: httpx.Client | None = None) -> dict[str, Any]:
    """GET the RFC 8414 authorization server metadata document."""
    request = httpx.Request("GET", _join(base_url, METADATA_PATH), headers={"Accept": "application/json"})
    response = _send(request, client)
    if response.status_code >= 400:
        raise error_from_response(response)
    body = response.json()
    if not isinstance(body, dict):
        raise OpenBankError("authorization server metadata is not a JSON object")
    return body


async def async_exchange_code(
    base_url: str,
    client_id: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    *,
    client_secret: str | None = None,
    client: httpx.AsyncClient | None = None,
    token_path: str = TOKEN_PATH,
) -> TokenResponse:
    request = _code_request(
        _join(base_url, token_path), client_id, code, redirect_uri, code_verifier, client_secret
    )
    return TokenResponse.from_response(await _asend(request, client))


async def async_refresh_token(
    base_url: str,
    client_id: str,
    refresh_token: str,
    *,
    client_secret: str | None = None,
    scope: str | Sequence[str] | None = None,
    client: httpx.AsyncClient | None = None,
    token_path: str = TOKEN_PATH,
) -> TokenResponse:
    request = _refresh_request(
        _join(base_url, token_path), client_id, refresh_token, client_secret, _scope_str(scope)
    )
    return TokenResponse.from_response(await _asend(request, client))


async def async_revoke_token(
    base_url: str,
    client_id: str,
    token: str,
    *,
    token_type_hint: str | None = None,
    client_secret: str | None = None,
    client: httpx.AsyncClient | None = None,
    revoke_path: str = REVOKE_PATH,
) -> None:
    request = _revoke_request(
        _join(base_url, revoke_path), client_id, token, token_type_hint, client_secret
    )
    response = await _asend(request, client)
    if response.status_code >= 400:
        raise error_from_response(response, error_class=OAuthError)
