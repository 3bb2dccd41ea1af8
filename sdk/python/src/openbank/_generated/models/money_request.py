from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="MoneyRequest")


@_attrs_define
class MoneyRequest:
    """An amount of money: a decimal string (never a JSON number) and its currency.

    Attributes:
        amount (str): A decimal string in major units, e.g. "100.00"; more decimals than the currency has are refused.
        currency (str): ISO 4217 code, e.g. CNY.
    """

    amount: str
    currency: str

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        money_request = cls(
            amount=amount,
            currency=currency,
        )

        return money_request
