"""Who did it: every state-changing service takes a keyword `actor`.

Audit records, events and (later) the co-lending split hang off service calls, so a service
must know who acted without a view's help. An actor is a staff user, an OAuth client (a
third-party app, a partner platform, a funder), a customer acting on the bank's own pages,
or the system (the nightly job, a scheduled task).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ActorKind = Literal["staff", "client", "customer", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str  # a user's pk, an OAuth client_id, a customer id, or a job's name
    label: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def system(cls, job: str = "system") -> Actor:
        return cls("system", job, job)

    @classmethod
    def staff(cls, user: Any) -> Actor:
        return cls("staff", str(user.pk), user.get_username())

    @classmethod
    def client(cls, client_id: str, label: str = "") -> Actor:
        return cls("client", client_id, label or client_id)

    @classmethod
    def customer(cls, customer_id: str) -> Actor:
        return cls("customer", customer_id, customer_id)
