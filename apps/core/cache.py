"""The shared cache (Redis in production): an atomic windowed counter, and the token
cache's entries read and counted in one round trip.

Everything else (idempotency claims, the business-date pin) uses Django's cache API. The
two things here need Lua scripts, so on Redis they use one module-level `redis.Redis`
client of their own (redis-py clients are thread-safe and pool their connections; a forked
process gets fresh connections), never the cache backend's internals. Values stored here
are bytes the caller serialised itself (the token cache writes JSON), so nothing depends on
how Django's backend pickles. Keys go through the cache's `make_key`, so they share its
prefix and version. Without REDIS_URL the same functions fall back to Django's cache API.
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import NoScriptError


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def redis_client() -> redis.Redis | None:
    """The process's Redis client on REDIS_URL, or None when there is no Redis."""
    return _client(settings.REDIS_URL) if settings.REDIS_URL else None


# Lua scripts run atomically and answer with one reply (a MULTI pipeline of INCR and EXPIRE
# costs four, a plain pipeline three): the counter lives `ttl` seconds from its first increment.
_COUNT = "local n = redis.call('INCR', {key}) if n == 1 then redis.call('EXPIRE', {key}, ARGV[1]) end"
_COUNTER_SCRIPT = _COUNT.format(key="KEYS[1]") + " return n"
_GET_AND_COUNT_SCRIPT = "local v = redis.call('GET', KEYS[1]) " + _COUNT.format(key="KEYS[2]") + " return {v, n}"


def counter_incr(key: str, *, ttl: int) -> int:
    """Add one to the counter `key`, which lives `ttl` seconds from its first increment;
    return the new count. One round trip on Redis."""
    client = redis_client()
    if client is not None:
        return int(_run_script(client, _COUNTER_SCRIPT, [cache.make_key(key)], [ttl]))
    if cache.add(key, 1, timeout=ttl):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=ttl)
        return 1


def cache_set_bytes(key: str, value: bytes, *, ttl: int, only_if_absent: bool = False) -> bool:
    """Store `value` under `key` for `ttl` seconds (with `only_if_absent`, only if the key
    holds nothing: Redis `SET NX`, `cache.add` elsewhere); True if it was stored."""
    client = redis_client()
    if client is not None:
        return bool(client.set(cache.make_key(key), value, ex=ttl, nx=only_if_absent))
    if only_if_absent:
        return bool(cache.add(key, value, timeout=ttl))
    cache.set(key, value, timeout=ttl)
    return True


def cache_get_bytes(key: str) -> bytes | None:
    """What `cache_set_bytes` stored under `key`, or None."""
    client = redis_client()
    if client is not None:
        value: Any = client.get(cache.make_key(key))
        return value
    value = cache.get(key)
    return value if isinstance(value, bytes) else None


def cache_get_and_count(key: str, *, counter: str, ttl: int) -> tuple[bytes | None, int]:
    """`cache_get_bytes(key)` and `counter_incr(counter, ttl=ttl)` in one round trip on
    Redis; two calls elsewhere."""
    client = redis_client()
    if client is None:
        return cache_get_bytes(key), counter_incr(counter, ttl=ttl)
    raw, count = _run_script(client, _GET_AND_COUNT_SCRIPT, [cache.make_key(key), cache.make_key(counter)], [ttl])
    return raw, int(count)


def cache_delete_many(keys: Iterable[str]) -> None:
    """Forget these keys (written by `cache_set_bytes`)."""
    keys = list(keys)
    if not keys:
        return
    client = redis_client()
    if client is not None:
        client.delete(*(cache.make_key(key) for key in keys))
    else:
        cache.delete_many(keys)


@functools.cache
def _sha(source: str) -> str:
    return hashlib.sha1(source.encode()).hexdigest()  # noqa: S324 (Redis names scripts by SHA-1)


def _run_script(client: redis.Redis, source: str, keys: list[str], args: list[Any]) -> Any:
    """EVALSHA of `source`, loading it first when Redis does not know it (a restart, a
    SCRIPT FLUSH). Straight to EVALSHA: redis-py's Script wrapper costs as much Python as
    the round trip itself."""
    try:
        return client.evalsha(_sha(source), len(keys), *keys, *args)
    except NoScriptError:
        client.script_load(source)
        return client.evalsha(_sha(source), len(keys), *keys, *args)
