"""The shared cache: one Redis client per pool, and the throttle's windowed counter."""
from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache, caches

from apps.core.cache import RedisCache, cache_get_and_count, counter_incr


@pytest.fixture
def redis_backend() -> RedisCache:
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        pytest.skip("needs REDIS_URL (CI sets it)")
    return backend


def test_counter_counts_up_from_one_per_key() -> None:
    key, other = f"count:{uuid.uuid4()}", f"count:{uuid.uuid4()}"
    assert [counter_incr(key, ttl=60) for _ in range(3)] == [1, 2, 3]
    assert counter_incr(other, ttl=60) == 1


def test_on_redis_the_counter_expires_from_its_first_increment_only(redis_backend: RedisCache) -> None:
    backend = redis_backend
    key = f"count:{uuid.uuid4()}"
    counter_incr(key, ttl=30)
    client = backend._cache.get_client(write=True)
    full_key = backend.make_and_validate_key(key)
    client.expire(full_key, 5)  # as if 25 seconds had passed
    counter_incr(key, ttl=30)
    assert 0 < client.ttl(full_key) <= 5  # a later increment does not extend the window
    assert cache.get(key) == 2  # and Django's cache reads the same counter


def test_on_redis_one_client_serves_every_call(redis_backend: RedisCache) -> None:
    backend = redis_backend
    assert backend._cache.get_client("a") is backend._cache.get_client("b", write=True)


def test_on_redis_the_scripts_survive_a_script_flush(redis_backend: RedisCache) -> None:
    backend = redis_backend
    key, counter = f"entry:{uuid.uuid4()}", f"count:{uuid.uuid4()}"
    cache.set(key, {"a": 1}, 30)
    assert cache_get_and_count(key, counter=counter, ttl=30) == ({"a": 1}, 1)
    backend._cache.get_client(write=True).script_flush()  # e.g. a Redis restart or failover
    assert cache_get_and_count(key, counter=counter, ttl=30) == ({"a": 1}, 2)
    assert cache_get_and_count(f"missing:{uuid.uuid4()}", counter=counter, ttl=30) == (None, 3)
    assert counter_incr(counter, ttl=30) == 4
