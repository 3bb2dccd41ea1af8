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

# Set on the request by authentication when it counted the request already: (counter, count).
COUNTED_ATTRIBUTE = "_client_rate_counted"


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

    @classmethod
    def client_counter(cls, application_id: int, now: float) -> tuple[str, int] | None:
        """The counter a request of this client at `now` adds to, and its lifetime; None
        when there is no limit. Authentication counts with it in the token's round trip."""
        throttle = cls()
        if throttle.rate is None or not throttle.num_requests:
            return None
        ident = throttle.cache_format % {"scope": throttle.scope, "ident": f"app:{application_id}"}
        return f"{ident}:{int(now // throttle.duration)}", int(throttle.duration) + 1

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None or not self.num_requests:
            return True
        now = time.time()
        window = int(now // self.duration)
        key = f"{self.get_cache_key(request, view)}:{window}"
        counted = getattr(request, COUNTED_ATTRIBUTE, None)
        if counted is not None and counted[0] == key:
            count = counted[1]  # counted by authentication, with the token's cache read
        else:
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
