"""Opt-in HTTP revalidation: a per-client response cache keyed by URL (RFC 9110 §13, RFC 9111 §4.3).

The platform answers account, balance, transaction, payment and loan reads with a strong
``ETag`` and ``Cache-Control: private, no-cache``: a client may keep the body but must ask
the server before using it again. With ``OpenBank(..., response_cache=True)`` the SDK does
that for you:

1. a ``GET`` answered ``200`` with an ``ETag`` is remembered (ETag, headers, raw body);
2. the next ``GET`` of the same URL (query included) with the same credential sends
   ``If-None-Match: <etag>``;
3. the server runs its usual authentication, scope and consent checks and, when nothing
   changed, answers ``304 Not Modified`` without a body: the caller gets the remembered body
   as an ordinary ``200`` (``response.extensions["openbank_cache"] == "revalidated"``);
   a ``200`` with a new ETag replaces the entry.

Nothing is ever served without asking the server, so a revoked consent or an expired token
still gets its ``401``/``403``/``404`` (and that error drops the entry). Errors, non-GETs,
responses without an ``ETag`` and ``Cache-Control: no-store`` are never kept; a request
that carries its own ``If-None-Match``/``If-Modified-Since`` is passed through untouched.

**Key.** ``(method, full URL, SHA-256 of the Authorization, Accept and Accept-Language
headers)``. The server's ETag already depends on the token's consent and the
representation; putting the credential in the key as well means a body fetched with one
token is never offered for another (a refreshed token simply starts with an empty view and
the old entries age out of the LRU), so a cache may even be shared between clients. Only
the digest is kept, never the token.

**Memory.** An LRU of ``max_entries`` (256) entries; bodies over ``max_entry_bytes``
(256 KiB) are not kept. The cache sits above the retrying transport, so a retried request
looks it up once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

__all__ = ["ResponseCache", "CachingTransport", "AsyncCachingTransport", "CACHE_EXTENSION"]

CACHE_EXTENSION = "openbank_cache"
DEFAULT_MAX_ENTRIES = 256
DEFAULT_MAX_ENTRY_BYTES = 256 * 1024  # a full 100-transaction page is about 38 KB

# Request headers whose value selects the representation or the credential (see "Key").
_KEY_HEADERS = ("authorization", "accept", "accept-language")
# A 304 updates the stored headers (RFC 9111 §4.3.4) except those describing the stored body.
_BODY_HEADERS = frozenset({"content-length", "content-encoding", "content-type", "transfer-encoding",
                           "content-range"})

Key = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class CachedResponse:
    etag: str
    headers: tuple[tuple[str, str], ...]
    body: bytes  # raw (still content-encoded) bytes: replayed through httpx's own decoding


class ResponseCache:
    """A bounded LRU of revalidatable GET responses; thread-safe. See the module docstring."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, *,
                 max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be >= 1")
        self.max_entries = max_entries
        self.max_entry_bytes = max_entry_bytes
        self._entries: OrderedDict[Key, CachedResponse] = OrderedDict()
        self._lock = threading.Lock()
        self.revalidated = 0  # 304s answered from the cache

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> CachedResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Key, entry: CachedResponse, *, revalidated: bool = False) -> None:
        with self._lock:
            if revalidated:
                self.revalidated += 1
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, key: Key) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def response_cache_from(option: bool | ResponseCache | None) -> ResponseCache | None:
    """The ``response_cache=`` constructor option: ``True`` for a default cache, or your own."""
    if isinstance(option, ResponseCache):
        return option
    return ResponseCache() if option else None


def cache_key(request: httpx.Request) -> Key | None:
    """The entry for this request, or None when it must bypass the cache."""
    if request.method != "GET":
        return None
    headers = request.headers
    if "if-none-match" in headers or "if-modified-since" in headers:
        return None  # the caller revalidates by hand: their 304 is theirs to handle
    digest = hashlib.sha256("\n".join(headers.get(h, "") for h in _KEY_HEADERS).encode()).hexdigest()
    return ("GET", str(request.url), digest)


def _opaque(etag: str) -> str:
    return etag.strip().removeprefix("W/")


def _storable(response: httpx.Response, max_bytes: int) -> str | None:
    """The ETag to keep the response under, or None."""
    if response.status_code != 200:
        return None
    etag: str | None = response.headers.get("etag")
    if not etag:
        return None
    cache_control = response.headers.get("cache-control", "").lower()
    if "no-store" in cache_control or response.headers.get("vary", "").strip() == "*":
        return None
    length = response.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_bytes:
        return None
    return etag


def _conditional(request: httpx.Request, entry: CachedResponse) -> httpx.Request:
    """A copy of the request with If-None-Match (the caller's request object is left alone, so
    the auth layer's re-send after a 401 is looked up again under its new token)."""
    headers = request.headers.copy()
    headers["If-None-Match"] = entry.etag
    return httpx.Request(request.method, request.url, headers=headers, stream=request.stream,
                         extensions=request.extensions)


def _entry(etag: str, headers: Iterable[tuple[str, str]], raw: bytes) -> CachedResponse:
    kept = [(k, v) for k, v in headers if k.lower() not in ("content-length", "transfer-encoding")]
    kept.append(("Content-Length", str(len(raw))))
    return CachedResponse(etag=etag, headers=tuple(kept), body=raw)


def _refreshed(entry: CachedResponse, not_modified: httpx.Response) -> CachedResponse:
    """The entry with the 304's headers applied (new Date, X-Request-ID, rate limits...)."""
    update = [(k, v) for k, v in not_modified.headers.multi_items() if k.lower() not in _BODY_HEADERS]
    names = {k.lower() for k, _ in update}
    headers = [(k, v) for k, v in entry.headers if k.lower() not in names] + update
    return CachedResponse(etag=entry.etag, headers=tuple(headers), body=entry.body)


def _replay(entry: CachedResponse, not_modified: httpx.Response) -> httpx.Response:
    extensions = dict(not_modified.extensions)
    extensions[CACHE_EXTENSION] = "revalidated"
    return httpx.Response(200, headers=list(entry.headers), stream=httpx.ByteStream(entry.body),
                          extensions=extensions)


def _matches(entry: CachedResponse, not_modified: httpx.Response) -> bool:
    etag = not_modified.headers.get("etag")
    return etag is None or _opaque(etag) == _opaque(entry.etag)



def _revalidated(cache: ResponseCache, key: Key, entry: CachedResponse, response: httpx.Response) -> httpx.Response | None:
    """The kept body for a 304 that names the kept validator; None (and the entry dropped) for a
    304 naming a validator we do not hold (a server bug): the caller asks again, unconditionally."""
    if _matches(entry, response):
        entry = _refreshed(entry, response)
        cache.put(key, entry, revalidated=True)
        return _replay(entry, response)
    cache.discard(key)
    return None


def _kept(cache: ResponseCache, key: Key, etag: str, response: httpx.Response, raw: bytes) -> httpx.Response:
    """Keep a storable 200's body (if it fits) and hand the caller an equivalent response."""
    if len(raw) <= cache.max_entry_bytes:
        cache.put(key, _entry(etag, response.headers.multi_items(), raw))
    else:
        cache.discard(key)
    return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw),
                          extensions=response.extensions)


class CachingTransport(httpx.BaseTransport):
    """Sync transport wrapper that revalidates GETs through a :class:`ResponseCache`."""

    def __init__(self, transport: httpx.BaseTransport, cache: ResponseCache) -> None:
        self.transport = transport
        self.cache = cache

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        key = cache_key(request)
        if key is None:
            return self.transport.handle_request(request)
        entry = self.cache.get(key)
        if entry is not None:
            response = self.transport.handle_request(_conditional(request, entry))
            if response.status_code == 304:
                response.read()
                response.close()
                replayed = _revalidated(self.cache, key, entry, response)
                if replayed is not None:
                    return replayed
                response = self.transport.handle_request(request)
        else:
            response = self.transport.handle_request(request)
        etag = _storable(response, self.cache.max_entry_bytes)
        if etag is None:
            self.cache.discard(key)  # an error or an uncacheable answer: forget the old body
            return response
        raw = b"".join(response.iter_raw())  # iter_raw closes the response
        return _kept(self.cache, key, etag, response, raw)

    def close(self) -> None:
        self.transport.close()


class AsyncCachingTransport(httpx.AsyncBaseTransport):
    """Asynchronous twin of :class:`CachingTransport`."""

    def __init__(self, transport: httpx.AsyncBaseTransport, cache: ResponseCache) -> None:
        self.transport = transport
        self.cache = cache

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = cache_key(request)
        if key is None:
            return await self.transport.handle_async_request(request)
        entry = self.cache.get(key)
        if entry is not None:
            response = await self.transport.handle_async_request(_conditional(request, entry))
            if response.status_code == 304:
                await response.aread()
                await response.aclose()
                replayed = _revalidated(self.cache, key, entry, response)
                if replayed is not None:
                    return replayed
                response = await self.transport.handle_async_request(request)
        else:
            response = await self.transport.handle_async_request(request)
        etag = _storable(response, self.cache.max_entry_bytes)
        if etag is None:
            self.cache.discard(key)
            return response
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
        return _kept(self.cache, key, etag, response, raw)

    async def aclose(self) -> None:
        await self.transport.aclose()
