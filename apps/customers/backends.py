"""django-axes' lockout check as the first authentication backend."""
from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username or client address before any password is checked.

    Every password login the platform offers (the bank's sign-in page, the admin) passes the
    HTTP request, which the lockout is counted by. A call without one (a shell, a script,
    Django's test client `login()`) has no client to count, so it is left to the next
    backend rather than failing, as axes' own backend would.
    """

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)  # type: ignore[no-any-return]
