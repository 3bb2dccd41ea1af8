"""Money values: ``{"amount": "8000.00", "currency": "CNY"}`` with a Decimal amount."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

__all__ = ["Money"]


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money amount must be a Decimal or a decimal string, never a float")
        if not isinstance(self.amount, Decimal):
            try:
                object.__setattr__(self, "amount", Decimal(str(self.amount)))
            except InvalidOperation as exc:
                raise ValueError(f"invalid amount {self.amount!r}") from exc
        if not self.amount.is_finite():
            raise ValueError("amount must be finite")

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> "Money":
        """Parse ``{"amount": "8000.00", "currency": "CNY"}``."""
        return cls(Decimal(str(value["amount"])), str(value["currency"]))

    def to_json(self) -> dict[str, str]:
        """Serialise with the amount as a decimal string (no float round-trip)."""
        return {"amount": format(self.amount, "f"), "currency": self.currency}

    def __str__(self) -> str:
        return f"{format(self.amount, 'f')} {self.currency}"
