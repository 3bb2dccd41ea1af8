"""Retrying transports and automatic idempotency keys.

:class:`RetryTransport` (sync) and :class:`AsyncRetryTransport` wrap another httpx
transport (normally ``httpx.HTTPTransport``) and retry, with exponential backoff and
*full jitter* (``sleep = random() * min(backoff_max, backoff_base * 2**attempt)``):

* connection errors and timeouts (``httpx.TimeoutException``, ``httpx.NetworkError``,
  ``httpx.RemoteProtocolError``);
* ``429``, ``500``, ``502``, ``503``, ``504``;
* ``409`` whose problem ``code`` is ``idempotency_key_in_use`` (the first request with
  the same key is still in flight).

``Retry-After`` (delta-seconds or an HTTP date) is honoured instead of the computed
backoff; a ``Retry-After`` longer than ``max_retry_after`` is not waited for: the
response is returned as is (and becomes a ``RateLimitError``/``ServerError``).
Retries are bounded by ``max_retries`` (default 3, i.e. at most 4 attempts).

**Idempotency keys.** The transport is where idempotency keys are minted: before
the first attempt, every ``POST``/``PATCH``/``DELETE`` request that has no
``Idempotency-Key`` header gets ``Idempotency-Key: <uuid4>`` (disable with
``idempotency_keys=False``).  Because it is set once on the request object, before
the retry loop, every retry *and* every re-send by the auth layer (re-auth after a
401) carries the same key, so the server can de-duplicate them.  A caller-supplied
key is never changed.

**What is retried.** ``GET``, ``HEAD``, ``OPTIONS``, ``PUT``, ``DELETE`` and
``TRACE`` always; ``POST`` and ``PATCH`` only when they carry an ``Idempotency-Key``.
A ``POST`` without a key (possible only with ``idempotency_keys=False``) is never
retried.  Requests whose body is a one-shot stream are never retried either.

Per-request override (used by the OAuth helpers for token requests)::

    httpx.Request(..., extensions={"openbank": {"retry": True, "idempotency_key": False}})

Sleep, clock and random source are injectable so tests run instantly.
"""

from __future__ import annotations

import asyncio
import json
import random as _random
import time
import uuid
from typing import Any, Awaitable, Callable, Collection

import httpx

from .errors import parse_retry_after

__all__ = [
    "RetryTransport",
    "AsyncRetryTransport",
    "RETRY_STATUSES",
    "RETRYABLE_EXCEPTIONS",
    "EXTENSION_KEY",
]

RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})
RETRYABLE_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
IDEMPOTENT_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
KEYED_METHODS: frozenset[str] = frozenset({"POST", "PATCH", "DELETE"})
EXTENSION_KEY = "openbank"
IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use"


class _RetryLogic:
    def __init__(
        self,
        max_retries: int = 3,
        *,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        idempotency_keys: bool = True,
        retry_statuses: Collection[int] = RETRY_STATUSES,
        random: Callable[[], float] = _random.random,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.idempotency_keys = idempotency_keys
        self.retry_statuses = frozenset(retry_statuses)
        self.random = random
        self.clock = clock

    def _prepare(self, request: httpx.Request) -> bool:
        """Add the idempotency key if needed; return whether the request may be retried."""
        method = request.method
        opts: Any = request.extensions.get(EXTENSION_KEY)
        headers = request.headers
        if (
            self.idempotency_keys
            and method in KEYED_METHODS
            and "idempotency-key" not in headers
            and not (opts and opts.get("idempotency_key") is False)
        ):
            headers["Idempotency-Key"] = str(uuid.uuid4())
        if self.max_retries == 0:
            return False
        stream = request.stream
        if not isinstance(stream, httpx.ByteStream) and not hasattr(request, "_content"):
            return False  # one-shot body: cannot be replayed
        if opts and "retry" in opts:
            return bool(opts["retry"])
        if method in IDEMPOTENT_METHODS:
            return True
        return "idempotency-key" in headers

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the given (0-based) retry number."""
        cap = min(self.backoff_max, self.backoff_base * (2.0**attempt))
        return self.random() * cap

    def _delay_from_headers(self, response: httpx.Response, attempt: int) -> float | None:
        headers = response.headers
        delay = parse_retry_after(headers.get("retry-after"), clock=self.clock)
        if delay is None and response.status_code == 429:
            # draft-ietf-httpapi-ratelimit-headers: RateLimit-Reset is delta-seconds
            delay = parse_retry_after(headers.get("ratelimit-reset"), clock=self.clock)
        if delay is None:
            return self.backoff(attempt)
        if delay > self.max_retry_after:
            return None
        return delay

    @staticmethod
    def _is_key_in_use(response: httpx.Response) -> bool:
        if "json" not in response.headers.get("content-type", ""):
            return False
        try:
            body = json.loads(response.content)
        except ValueError:
            return False
        return isinstance(body, dict) and body.get("code") == IDEMPOTENCY_KEY_IN_USE


class RetryTransport(_RetryLogic, httpx.BaseTransport):
    """Synchronous retrying transport. See the module docstring."""

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        max_retries: int = 3,
        *,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(max_retries, **kwargs)
        self.transport = transport if transport is not None else httpx.HTTPTransport()
        self.sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        retryable = self._prepare(request)
        attempt = 0
        while True:
            try:
                response = self.transport.handle_request(request)
            except RETRYABLE_EXCEPTIONS:
                if not retryable or attempt >= self.max_retries:
                    raise
                self.sleep(self.backoff(attempt))
                attempt += 1
                continue
            status = response.status_code
            if retryable and attempt < self.max_retries:
                delay: float | None = None
                if status in self.retry_statuses:
                    delay = self._delay_from_headers(response, attempt)
                elif status == 409:
                    response.read()
                    if self._is_key_in_use(response):
                        delay = self._delay_from_headers(response, attempt)
                if delay is not None:
                    response.close()
                    self.sleep(delay)
                    attempt += 1
                    continue
            if attempt:
                response.extensions["openbank_retries"] = attempt
            return response

    def close(self) -> None:
        self.transport.close()


class AsyncRetryTransport(_RetryLogic, httpx.AsyncBaseTransport):
    """Asynchronous twin of :class:`RetryTransport`."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retries: int = 3,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(max_retries, **kwargs)
        self.transport = transport if transport is not None else httpx.AsyncHTTPTransport()
        self.sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        retryable = self._prepare(request)
        attempt = 0
        while True:
            try:
                response = await self.transport.handle_async_request(request)
            except RETRYABLE_EXCEPTIONS:
                if not retryable or attempt >= self.max_retries:
                    raise
                await self.sleep(self.backoff(attempt))
                attempt += 1
                continue
            status = response.status_code
            if retryable and attempt < self.max_retries:
                delay: float | None = None
                if status in self.retry_statuses:
                    delay = self._delay_from_headers(response, attempt)
                elif status == 409:
                    await response.aread()
                    if self._is_key_in_use(response):
                        delay = self._delay_from_headers(response, attempt)
                if delay is not None:
                    await response.aclose()
                    await self.sleep(delay)
                    attempt += 1
                    continue
            if attempt:
                response.extensions["openbank_retries"] = attempt
            return response

    async def aclose(self) -> None:
        await self.transport.aclose()
