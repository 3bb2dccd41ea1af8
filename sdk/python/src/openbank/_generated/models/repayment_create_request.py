from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.money_request import MoneyRequest


T = TypeVar("T", bound="RepaymentCreateRequest")


@_attrs_define
class RepaymentCreateRequest:
    """A repayment from the loan's deposit account.

    Attributes:
        amount (MoneyRequest): An amount of money: a decimal string (never a JSON number) and its currency.
    """

    amount: MoneyRequest

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money_request import MoneyRequest

        d = dict(src_dict)
        amount = MoneyRequest.from_dict(d.pop("amount"))

        repayment_create_request = cls(
            amount=amount,
        )

        return repayment_create_request
