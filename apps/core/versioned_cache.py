"""Values kept in one process for exactly as long as the version they were built at holds.

For data whose every change moves a version kept beside it in the database (in the same
transaction, under the same row lock, so versions follow commit order), reading the
version is enough to know whether a value built earlier is still the answer. Nothing is
ever invalidated by hand: a change moves the version and the next read misses.

Bounded by the total size of the values, least recently used first out. Per process: each
web worker keeps its own, so memory is the budget times the number of workers.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value", bound=bytes)


# What an entry costs beyond its value's bytes (the key, the tuple, the dict slot), counted
# against the budget so that many small values cannot outgrow it.
ENTRY_OVERHEAD_BYTES = 256


class VersionedCache(Generic[Value]):
    def __init__(self, *, max_bytes: Callable[[], int]) -> None:
        # A callable, so that the budget follows settings (and tests that override them).
        self._max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Hashable, Value]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # threaded servers share one cache per process

    def get(self, key: Hashable, version: Hashable) -> Value | None:
        """The value kept for `key` if it was built at `version`, else None."""
        if self._max_bytes() <= 0:  # turned off: what was kept before is not served either
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, version: Hashable, value: Value) -> None:
        """Keep `value` for `key` at `version`, replacing what `key` had; values larger than
        the whole budget are not kept."""
        budget = self._max_bytes()
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= _cost(old[1])
            if _cost(value) > budget:
                return
            self._entries[key] = (version, value)
            self._size += _cost(value)
            while self._size > budget:
                _key, (_version, evicted) = self._entries.popitem(last=False)
                self._size -= _cost(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    @property
    def size(self) -> int:
        """Bytes kept, entries' overhead included."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)


def _cost(value: bytes) -> int:
    return len(value) + ENTRY_OVERHEAD_BYTES
