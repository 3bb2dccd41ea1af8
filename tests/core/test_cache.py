"""The shared cache: the throttle's windowed counter and the token cache's one-round-trip read."""
from __future__ import annotations

import uuid

import pytest
import redis
from django.core.cache import cache

from apps.core.cache import (
    cache_delete_many,
    cache_get_and_count,
    cache_get_bytes,
    cache_set_bytes,
    counter_incr,
    redis_client,
)


@pytest.fixture
def client() -> redis.Redis:
    found = redis_client()
    if found is None:
        pytest.skip("needs REDIS_URL (CI sets it)")
    return found


def test_counter_counts_up_from_one_per_key() -> None:
    key, other = f"count:{uuid.uuid4()}", f"count:{uuid.uuid4()}"
    assert [counter_incr(key, ttl=60) for _ in range(3)] == [1, 2, 3]
    assert counter_incr(other, ttl=60) == 1


def test_stored_bytes_are_read_counted_and_forgotten() -> None:
    key, counter = f"entry:{uuid.uuid4()}", f"count:{uuid.uuid4()}"
    cache_set_bytes(key, b'{"a": 1}', ttl=30)
    assert cache_get_bytes(key) == b'{"a": 1}'
    assert cache_get_and_count(key, counter=counter, ttl=30) == (b'{"a": 1}', 1)
    assert cache_get_and_count(f"missing:{uuid.uuid4()}", counter=counter, ttl=30) == (None, 2)
    cache_delete_many([key])
    assert cache_get_bytes(key) is None
    assert cache_get_and_count(key, counter=counter, ttl=30) == (None, 3)


def test_on_redis_the_counter_expires_from_its_first_increment_only(client: redis.Redis) -> None:
    key = f"count:{uuid.uuid4()}"
    counter_incr(key, ttl=30)
    full_key = cache.make_key(key)
    client.expire(full_key, 5)  # as if 25 seconds had passed
    counter_incr(key, ttl=30)
    assert 0 < client.ttl(full_key) <= 5  # a later increment does not extend the window
    assert cache.get(key) == 2  # the key is the cache's own: same prefix, and Django reads it


def test_on_redis_entries_live_their_ttl_under_the_caches_prefix(client: redis.Redis) -> None:
    key = f"entry:{uuid.uuid4()}"
    cache_set_bytes(key, b"x", ttl=30)
    assert client.get(cache.make_key(key)) == b"x"
    assert 0 < client.ttl(cache.make_key(key)) <= 30


def test_on_redis_the_scripts_survive_a_script_flush(client: redis.Redis) -> None:
    key, counter = f"entry:{uuid.uuid4()}", f"count:{uuid.uuid4()}"
    cache_set_bytes(key, b"v", ttl=30)
    assert cache_get_and_count(key, counter=counter, ttl=30) == (b"v", 1)
    client.script_flush()  # e.g. a Redis restart or failover
    assert cache_get_and_count(key, counter=counter, ttl=30) == (b"v", 2)
    assert counter_incr(counter, ttl=30) == 3
