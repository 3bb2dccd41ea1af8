"""Login throttling for the bank's pages: failures counted per username and per IP in the cache.

After LOGIN_FAILURE_LIMIT failures for a username, or from an IP, within
LOGIN_LOCKOUT_SECONDS, further attempts are refused without checking the password (so a
guesser learns nothing, and the password hasher costs nothing).
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

_PREFIX = "login:failures:"


def _keys(*, username: str, ip: str) -> list[str]:
    name = hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:32]
    keys = [f"{_PREFIX}user:{name}"]
    if ip:
        keys.append(f"{_PREFIX}ip:{ip}")
    return keys


def login_locked(*, username: str, ip: str) -> bool:
    counts = cache.get_many(_keys(username=username, ip=ip))
    return any(int(v) >= settings.LOGIN_FAILURE_LIMIT for v in counts.values())


def login_failure_record(*, username: str, ip: str) -> None:
    for key in _keys(username=username, ip=ip):
        # The window starts at the first failure; add() is a no-op when the key exists.
        if not cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def login_success_record(*, username: str) -> None:
    cache.delete(_keys(username=username, ip="")[0])
