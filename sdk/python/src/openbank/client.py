"""High-level clients: :class:`OpenBank` (sync) and :class:`AsyncOpenBank`.

One ``httpx.Client`` is built per instance, stacked as::

    httpx.Client(auth=ClientCredentials | RefreshingUserToken | BearerToken,
                 transport=[CachingTransport(] RetryTransport(HTTPTransport()) [)])

* auth: token fetching/caching/refresh and one re-auth on 401 (:mod:`openbank.auth`);
* RetryTransport: bounded retries with backoff/Retry-After, and the automatic
  ``Idempotency-Key`` (uuid4, minted once per request before the retry loop, reused by
  every retry and by the 401 re-send) for POST/PATCH/DELETE (:mod:`openbank.retry`);
* CachingTransport, only with ``response_cache=``: GETs revalidated with ``If-None-Match``,
  a ``304`` handed to the caller as the remembered ``200`` (:mod:`openbank.cache`);
* timeouts: connect 5 s, read/write/pool ``timeout`` (30 s); User-Agent
  ``openbank-python/<version>``.

``.http`` is that client (use it for anything the helpers do not cover) and
``.generated`` binds the openapi-python-client ``AuthenticatedClient`` to it, so the
generated operations get the same auth, retries and idempotency keys.
"""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import TYPE_CHECKING, Any, AsyncIterator, Awaitable, Callable, Iterator, Mapping, TypeVar

import httpx

from ._version import __version__
from .auth import TOKEN_PATH, BearerToken, ClientCredentials
from .cache import AsyncCachingTransport, CachingTransport, ResponseCache, response_cache_from
from .errors import APIConnectionError, APITimeoutError, OpenBankError, error_from_response
from .operations import DetailedResponse, PageLike, aiterate_operation, iterate_operation, unwrap

if TYPE_CHECKING:
    from ._generated.models.problem import Problem
from .pagination import aiterate, iterate
from .retry import AsyncRetryTransport, RetryTransport

__all__ = ["OpenBank", "AsyncOpenBank", "USER_AGENT", "DEFAULT_CONNECT_TIMEOUT"]

USER_AGENT = f"openbank-python/{__version__}"
DEFAULT_CONNECT_TIMEOUT = 5.0

Params = Mapping[str, Any]
T = TypeVar("T")


def _timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(None, connect=DEFAULT_CONNECT_TIMEOUT)
    return httpx.Timeout(timeout, connect=min(DEFAULT_CONNECT_TIMEOUT, timeout))


def _auth(
    base_url: str,
    client_id: str | None,
    client_secret: str | None,
    scope: str | list[str] | None,
    token: str | httpx.Auth | None,
) -> httpx.Auth | None:
    if token is not None:
        return BearerToken(token) if isinstance(token, str) else token
    if client_id is not None and client_secret is not None:
        return ClientCredentials(base_url.rstrip("/") + TOKEN_PATH, client_id, client_secret, scope)
    if client_id is not None or client_secret is not None:
        raise ValueError("client_id and client_secret must be given together")
    return None


def _parse(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise error_from_response(response)
    content = response.content
    if not content:
        return {}
    body: Any = response.json(parse_float=Decimal)
    if isinstance(body, dict):
        return body
    return {"data": body}


def _headers(idempotency_key: str | None, headers: Mapping[str, str] | None) -> dict[str, str] | None:
    if idempotency_key is None:
        return dict(headers) if headers else None
    out = dict(headers) if headers else {}
    out["Idempotency-Key"] = idempotency_key
    return out


def _generated_client_class() -> Any:
    try:
        module = importlib.import_module("openbank._generated")
    except ImportError as exc:
        raise OpenBankError(
            "the generated client is not available: run openapi-python-client to "
            "generate src/openbank/_generated (see README)"
        ) from exc
    return getattr(module, "AuthenticatedClient")


class OpenBank:
    """Synchronous OpenBank client.

    :param base_url: e.g. ``http://127.0.0.1:8000``.
    :param client_id, client_secret: client-credentials grant (partners, funders).
    :param scope: space-separated string or list of scopes to request.
    :param token: a fixed access token (``str``) or any ``httpx.Auth`` such as
        :class:`~openbank.auth.RefreshingUserToken`; takes precedence over client_id.
    :param timeout: read/write/pool timeout in seconds (connect is 5 s), or an
        ``httpx.Timeout``.
    :param max_retries: retries after the first attempt (0 disables retrying; the
        idempotency keys are still added).
    :param transport: the inner transport (default ``httpx.HTTPTransport()``), wrapped in
        a :class:`RetryTransport`; a ``RetryTransport`` given here is used as is.
    :param retry_options: extra keyword arguments for :class:`RetryTransport`
        (``sleep``, ``backoff_base``, ``max_retry_after``...).
    :param response_cache: ``True`` (or your own :class:`~openbank.cache.ResponseCache`) to
        revalidate GETs with ``If-None-Match`` and take a ``304`` as the remembered body;
        off by default. Kept as :attr:`response_cache` (``None`` when off).
    """

    def __init__(
        self,
        base_url: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        scope: str | list[str] | None = None,
        token: str | httpx.Auth | None = None,
        timeout: float | httpx.Timeout | None = 30.0,
        max_retries: int = 3,
        transport: httpx.BaseTransport | None = None,
        retry_options: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        response_cache: bool | ResponseCache = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = _auth(self.base_url, client_id, client_secret, scope, token)
        if isinstance(transport, RetryTransport):
            self.transport = transport
        else:
            self.transport = RetryTransport(transport, max_retries, **dict(retry_options or {}))
        self.response_cache = response_cache_from(response_cache)
        outer: httpx.BaseTransport = self.transport
        if self.response_cache is not None:
            outer = CachingTransport(self.transport, self.response_cache)
        default_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if headers:
            default_headers.update(headers)
        self.http = httpx.Client(
            base_url=self.base_url,
            auth=self.auth,
            transport=outer,
            timeout=_timeout(timeout),
            headers=default_headers,
        )
        self._generated: Any = None

    # -- core -----------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params | None = None,
        idempotency_key: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send a request and return the parsed JSON body (``{}`` when empty).

        Decimal numbers in the body are parsed as :class:`decimal.Decimal`.
        Raises an :class:`~openbank.errors.APIError` subclass for 4xx/5xx and
        :class:`~openbank.errors.APIConnectionError` when the API is unreachable.
        POST/PATCH/DELETE get an ``Idempotency-Key`` automatically unless one is given.
        """
        try:
            response = self.http.request(
                method, path, json=json, params=params, headers=_headers(idempotency_key, headers)
            )
        except httpx.TimeoutException as exc:
            raise APITimeoutError(f"request timed out: {exc}", request=exc.request) from exc
        except httpx.TransportError as exc:
            raise APIConnectionError(f"connection error: {exc!r}", request=exc.request) from exc
        return _parse(response)

    def get(self, path: str, params: Params | None = None) -> dict[str, Any]:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None, idempotency_key: str | None = None) -> dict[str, Any]:
        return self.request("POST", path, json=json, idempotency_key=idempotency_key)

    def paginate(
        self, path: str, params: Params | None = None, *, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Iterate over every item of a cursor-paginated list endpoint."""
        base = dict(params or {})
        if limit is not None:
            base["limit"] = limit

        def fetch(cursor: str | None) -> dict[str, Any]:
            query = base if cursor is None else {**base, "cursor": cursor}
            return self.request("GET", path, params=query)

        return iterate(fetch)

    # -- generated client -------------------------------------------------------
    @property
    def generated(self) -> Any:
        """The openapi-python-client ``AuthenticatedClient`` bound to :attr:`http`.

        Imported lazily: raises :class:`OpenBankError` until the client is generated.
        """
        if self._generated is None:
            cls = _generated_client_class()
            self._generated = cls(base_url=self.base_url, token="").set_httpx_client(self.http)
        return self._generated

    @property
    def api(self) -> Any:
        """Alias of :attr:`generated`: ``consents_list.sync(client=ob.api)``."""
        return self.generated

    def call(self, operation: "Callable[..., DetailedResponse[T | Problem]]", /, **params: Any) -> T:
        """Run a generated ``sync_detailed`` operation through this client and :func:`unwrap` it.

        ``ob.call(accounts_retrieve.sync_detailed, account_id="acc_...")`` returns the model
        or raises the typed :class:`~openbank.errors.APIError` subclass.
        """
        try:
            result: T = unwrap(operation(client=self.generated, **params))
            return result
        except httpx.TimeoutException as exc:
            raise APITimeoutError(f"request timed out: {exc}", request=exc.request) from exc
        except httpx.TransportError as exc:
            raise APIConnectionError(f"connection error: {exc!r}", request=exc.request) from exc

    def iterate(
        self, operation: "Callable[..., DetailedResponse[PageLike[T] | Problem]]", /, **params: Any
    ) -> Iterator[T]:
        """Every item of a generated list operation, page after page (typed models)."""
        return iterate_operation(operation, client=self.generated, **params)

    # -- lifecycle ----------------------------------------------------------------
    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "OpenBank":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOpenBank:
    """Asynchronous twin of :class:`OpenBank` (same parameters, ``httpx.AsyncClient``)."""

    def __init__(
        self,
        base_url: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        scope: str | list[str] | None = None,
        token: str | httpx.Auth | None = None,
        timeout: float | httpx.Timeout | None = 30.0,
        max_retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_options: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        response_cache: bool | ResponseCache = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = _auth(self.base_url, client_id, client_secret, scope, token)
        if isinstance(transport, AsyncRetryTransport):
            self.transport = transport
        else:
            self.transport = AsyncRetryTransport(transport, max_retries, **dict(retry_options or {}))
        self.response_cache = response_cache_from(response_cache)
        outer: httpx.AsyncBaseTransport = self.transport
        if self.response_cache is not None:
            outer = AsyncCachingTransport(self.transport, self.response_cache)
        default_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if headers:
            default_headers.update(headers)
        self.http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=self.auth,
            transport=outer,
            timeout=_timeout(timeout),
            headers=default_headers,
        )
        self._generated: Any = None

    async def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params | None = None,
        idempotency_key: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """See :meth:`OpenBank.request`."""
        try:
            response = await self.http.request(
                method, path, json=json, params=params, headers=_headers(idempotency_key, headers)
            )
        except httpx.TimeoutException as exc:
            raise APITimeoutError(f"request timed out: {exc}", request=exc.request) from exc
        except httpx.TransportError as exc:
            raise APIConnectionError(f"connection error: {exc!r}", request=exc.request) from exc
        return _parse(response)

    async def get(self, path: str, params: Params | None = None) -> dict[str, Any]:
        return await self.request("GET", path, params=params)

    async def post(
        self, path: str, json: Any = None, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return await self.request("POST", path, json=json, idempotency_key=idempotency_key)

    def paginate(
        self, path: str, params: Params | None = None, *, limit: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """``async for item in client.paginate(path): ...``"""
        base = dict(params or {})
        if limit is not None:
            base["limit"] = limit

        async def fetch(cursor: str | None) -> dict[str, Any]:
            query = base if cursor is None else {**base, "cursor": cursor}
            return await self.request("GET", path, params=query)

        return aiterate(fetch)

    @property
    def generated(self) -> Any:
        """The generated ``AuthenticatedClient`` bound to :attr:`http` (async methods)."""
        if self._generated is None:
            cls = _generated_client_class()
            self._generated = cls(base_url=self.base_url, token="").set_async_httpx_client(
                self.http
            )
        return self._generated

    @property
    def api(self) -> Any:
        """Alias of :attr:`generated` (use the ``asyncio``/``asyncio_detailed`` functions)."""
        return self.generated

    async def call(
        self, operation: "Callable[..., Awaitable[DetailedResponse[T | Problem]]]", /, **params: Any
    ) -> T:
        """``await ob.call(accounts_retrieve.asyncio_detailed, account_id=...)``."""
        try:
            result: T = unwrap(await operation(client=self.generated, **params))
            return result
        except httpx.TimeoutException as exc:
            raise APITimeoutError(f"request timed out: {exc}", request=exc.request) from exc
        except httpx.TransportError as exc:
            raise APIConnectionError(f"connection error: {exc!r}", request=exc.request) from exc

    def iterate(
        self,
        operation: "Callable[..., Awaitable[DetailedResponse[PageLike[T] | Problem]]]",
        /,
        **params: Any,
    ) -> AsyncIterator[T]:
        """``async for item in ob.iterate(consents_list.asyncio_detailed, limit=100)``."""
        return aiterate_operation(operation, client=self.generated, **params)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> "AsyncOpenBank":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
