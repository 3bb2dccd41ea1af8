"""Public identifiers: a type prefix and a time-ordered random part (like Stripe's `acc_...`).

The random part is a ULID (48-bit millisecond time + 80 random bits, Crockford base32), so
identifiers sort by creation time, keyset pagination on the primary key lists in a stable
chronological order, and ids cannot be guessed or enumerated.
"""
from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid() -> str:
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    return f"{prefix}_{ulid()}"


class PublicId:
    """A deconstructible default for primary keys: `id = CharField(default=PublicId("acc"))`."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self) -> str:
        return new_id(self.prefix)

    def deconstruct(self) -> tuple[str, tuple[str], dict[str, str]]:
        return ("apps.core.ids.PublicId", (self.prefix,), {})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicId) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)
