"""VersionedCache: a value is the answer only at the version it was kept under; the size
budget holds, least recently used out first."""
from __future__ import annotations

from apps.core.versioned_cache import ENTRY_OVERHEAD_BYTES, VersionedCache

ENTRY = ENTRY_OVERHEAD_BYTES  # what each entry costs beyond its value


def _cache(budget: int) -> VersionedCache[bytes]:
    return VersionedCache(max_bytes=lambda: budget)


def test_a_value_is_served_only_at_its_version() -> None:
    cache = _cache(1000)
    cache.put("a", 3, b"page at 3")
    assert cache.get("a", 3) == b"page at 3"
    assert cache.get("a", 4) is None and cache.get("a", 2) is None and cache.get("b", 3) is None
    cache.put("a", 4, b"page at 4")  # replaces, and the size follows
    assert cache.get("a", 3) is None and cache.get("a", 4) == b"page at 4"
    assert len(cache) == 1 and cache.size == len(b"page at 4") + ENTRY


def test_the_least_recently_used_leave_first_to_keep_the_budget() -> None:
    cache = _cache(3 * (10 + ENTRY))
    for key in "abc":
        cache.put(key, 1, key.encode() * 10)
    assert cache.size == 3 * (10 + ENTRY)
    assert cache.get("a", 1) is not None  # a is now the most recently used
    cache.put("d", 1, b"d" * 10)
    assert cache.get("b", 1) is None
    assert [cache.get(k, 1) is not None for k in "acd"] == [True, True, True]
    assert cache.size == 3 * (10 + ENTRY)


def test_many_small_values_cannot_outgrow_the_budget() -> None:
    cache = _cache(10 * ENTRY)
    for n in range(1000):
        cache.put(n, 1, b"")
    assert len(cache) == 10 and cache.size == 10 * ENTRY


def test_a_value_larger_than_the_budget_is_not_kept_and_drops_its_key() -> None:
    cache = _cache(ENTRY + 10)
    cache.put("a", 1, b"small")
    cache.put("a", 2, b"x" * 11)
    assert cache.get("a", 1) is None and cache.get("a", 2) is None
    assert len(cache) == 0 and cache.size == 0
    nothing = _cache(0)
    nothing.put("a", 1, b"x")
    assert len(nothing) == 0


def test_the_budget_is_read_at_each_put() -> None:
    budget = [2 * (40 + ENTRY)]
    cache: VersionedCache[bytes] = VersionedCache(max_bytes=lambda: budget[0])
    cache.put("a", 1, b"x" * 40)
    cache.put("b", 1, b"y" * 40)
    budget[0] = 40 + ENTRY + 10 + ENTRY
    cache.put("c", 1, b"z" * 10)
    assert cache.get("a", 1) is None and cache.size == budget[0]
    cache.clear()
    assert len(cache) == 0 and cache.size == 0


def test_turned_off_nothing_kept_before_is_served() -> None:
    budget = [1000]
    cache: VersionedCache[bytes] = VersionedCache(max_bytes=lambda: budget[0])
    cache.put("a", 1, b"kept")
    budget[0] = 0
    assert cache.get("a", 1) is None
    budget[0] = 1000
    assert cache.get("a", 1) == b"kept"
