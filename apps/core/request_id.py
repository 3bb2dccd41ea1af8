"""The request id of the current request, reachable from logs, errors and tasks."""
from __future__ import annotations

import contextvars
import re
import uuid

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def current_request_id() -> str:
    return _current.get()


def choose_request_id(offered: str | None) -> str:
    """Keep the client's id when it is sane (so both sides can correlate), else mint one."""
    if offered and _SANE.match(offered):
        return offered
    return f"req_{uuid.uuid4().hex}"


def set_request_id(value: str) -> contextvars.Token[str]:
    return _current.set(value)


def reset_request_id(token: contextvars.Token[str]) -> None:
    _current.reset(token)
