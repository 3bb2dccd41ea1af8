from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money_request import MoneyRequest


T = TypeVar("T", bound="RepaymentCreateRequest")


@_attrs_define
class RepaymentCreateRequest:
    """
    Attributes:
        amount (MoneyRequest): Refuses fields it does not know (a typo must not silently drop a constraint).
    """

    amount: MoneyRequest
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
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

        repayment_create_request.additional_properties = d
        return repayment_create_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
