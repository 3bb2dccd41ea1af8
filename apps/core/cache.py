"""The shared cache (Redis in production) and an atomic windowed counter on it.

Django's Redis backend builds a new `redis.Redis` client, with its table of ~170 response
callbacks, on every cache call; at a few calls per request that was a measurable share of
an API request. `RedisCache` keeps one client per connection pool (clients are thread-safe
and share the pool).
"""
from __future__ import annotations

import functools
import hashlib
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends import redis as django_redis
from redis.exceptions import NoScriptError


class _RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # the stubs do not know its private helpers
        index = django_client._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = django_client._get_connection_pool(write)
            client = self._clients[index] = django_client._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _RedisCacheClient


# Lua scripts run atomically and answer with one reply (a MULTI pipeline of INCR and EXPIRE
# costs four, a plain pipeline three): the counter lives `ttl` seconds from its first increment.
_COUNT = "local n = redis.call('INCR', {key}) if n == 1 then redis.call('EXPIRE', {key}, ARGV[1]) end"
_COUNTER_SCRIPT = _COUNT.format(key="KEYS[1]") + " return n"
_GET_AND_COUNT_SCRIPT = "local v = redis.call('GET', KEYS[1]) " + _COUNT.format(key="KEYS[2]") + " return {v, n}"


def counter_incr(key: str, *, ttl: int) -> int:
    """Add one to the counter `key`, which lives `ttl` seconds from its first increment;
    return the new count. One round trip on Redis."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full_key, write=True)
        return int(_run_script(_COUNTER_SCRIPT, client, [full_key], [ttl]))
    if cache.add(key, 1, timeout=ttl):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=ttl)
        return 1


def cache_get_and_count(key: str, *, counter: str, ttl: int) -> tuple[Any, int]:
    """`cache.get(key)` and `counter_incr(counter, ttl=ttl)` in one round trip on Redis;
    two calls elsewhere."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return cache.get(key), counter_incr(counter, ttl=ttl)
    full_key, full_counter = backend.make_and_validate_key(key), backend.make_and_validate_key(counter)
    client = backend._cache.get_client(full_key, write=True)
    raw, count = _run_script(_GET_AND_COUNT_SCRIPT, client, [full_key, full_counter], [ttl])
    serializer: Any = backend._cache._serializer  # type: ignore[attr-defined]
    return (None if raw is None else serializer.loads(raw)), int(count)


@functools.cache
def _sha(source: str) -> str:
    return hashlib.sha1(source.encode()).hexdigest()  # noqa: S324 (Redis names scripts by SHA-1)


def _run_script(source: str, client: Any, keys: list[str], args: list[Any]) -> Any:
    """EVALSHA of `source`, loading it first when Redis does not know it (a restart, a
    SCRIPT FLUSH). Straight to `execute_command`: redis-py's Script wrapper costs as much
    Python as the round trip itself."""
    try:
        return client.execute_command("EVALSHA", _sha(source), len(keys), *keys, *args)
    except NoScriptError:
        client.script_load(source)
        return client.execute_command("EVALSHA", _sha(source), len(keys), *keys, *args)
