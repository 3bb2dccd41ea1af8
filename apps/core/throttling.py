"""Per-OAuth-client rate limits: 429 with Retry-After and RateLimit-* headers.

A fixed-window counter in the shared cache: one atomic INCR per request, one round trip
(Redis in production), so the cost does not grow with the allowance the way DRF's timestamp
history does, and every web process counts against the same limit.
"""
from __future__ import annotations

import time
from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .cache import counter_incr


class ClientRateThrottle(SimpleRateThrottle):
    """An allowance per OAuth client per window; all of a partner's servers share it.

    Unauthenticated requests are limited per IP address.
    """

    scope = "client"
    num_requests: int  # set by SimpleRateThrottle from the rate
    duration: int

    def get_cache_key(self, request: Request, view: Any) -> str:
        client = getattr(request.auth, "application_id", None)
        ident = f"app:{client}" if client else f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None or not self.num_requests:
            return True
        now = time.time()
        window = int(now // self.duration)
        key = f"{self.get_cache_key(request, view)}:{window}"
        count = counter_incr(key, ttl=int(self.duration) + 1)
        self._wait = (window + 1) * self.duration - now
        request._ratelimit = {  # type: ignore[attr-defined]
            "RateLimit-Limit": str(self.num_requests),
            "RateLimit-Remaining": str(max(0, self.num_requests - count)),
            "RateLimit-Reset": str(max(1, int(self._wait + 0.999))),
        }
        return count <= self.num_requests

    def wait(self) -> float:
        return max(1.0, getattr(self, "_wait", 1.0))
