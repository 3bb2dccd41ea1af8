"""Per-OAuth-client rate limits: 429 with Retry-After and RateLimit-* headers."""
from __future__ import annotations

import time
from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    """A fixed allowance per OAuth client over a sliding window (DRF's history algorithm).

    The client is the OAuth application, so all of a partner's servers share one limit;
    unauthenticated requests are limited per IP address.
    """

    scope = "client"

    def get_cache_key(self, request: Request, view: Any) -> str:
        client = getattr(request.auth, "application_id", None)
        ident = f"app:{client}" if client else f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Request, view: Any) -> bool:
        allowed = super().allow_request(request, view)
        if self.rate is not None and self.num_requests:
            remaining = max(0, self.num_requests - len(self.history))
            reset = int(self.duration - (self.now - self.history[-1])) if self.history else int(self.duration)
            request._ratelimit = {  # type: ignore[attr-defined]
                "RateLimit-Limit": str(self.num_requests),
                "RateLimit-Remaining": str(remaining),
                "RateLimit-Reset": str(max(0, reset)),
            }
        return allowed

    def timer(self) -> float:
        return time.time()
