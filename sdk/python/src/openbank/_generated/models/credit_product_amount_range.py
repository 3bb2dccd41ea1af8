from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="CreditProductAmountRange")


@_attrs_define
class CreditProductAmountRange:
    """
    Attributes:
        min_ (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        max_ (Money): An amount of money: a decimal string (never a JSON number) and its currency.
    """

    min_: Money
    max_: Money
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        min_ = self.min_.to_dict()

        max_ = self.max_.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "min": min_,
                "max": max_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        min_ = Money.from_dict(d.pop("min"))

        max_ = Money.from_dict(d.pop("max"))

        credit_product_amount_range = cls(
            min_=min_,
            max_=max_,
        )

        credit_product_amount_range.additional_properties = d
        return credit_product_amount_range

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
