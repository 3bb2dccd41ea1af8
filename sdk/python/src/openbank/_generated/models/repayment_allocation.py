from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="RepaymentAllocation")


@_attrs_define
class RepaymentAllocation:
    """
    Attributes:
        penalty (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        overdue_interest (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        overdue_principal (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        current_interest (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        current_principal (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        prepaid_principal (Money): An amount of money: a decimal string (never a JSON number) and its currency.
    """

    penalty: Money
    overdue_interest: Money
    overdue_principal: Money
    current_interest: Money
    current_principal: Money
    prepaid_principal: Money
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        penalty = self.penalty.to_dict()

        overdue_interest = self.overdue_interest.to_dict()

        overdue_principal = self.overdue_principal.to_dict()

        current_interest = self.current_interest.to_dict()

        current_principal = self.current_principal.to_dict()

        prepaid_principal = self.prepaid_principal.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "penalty": penalty,
                "overdue_interest": overdue_interest,
                "overdue_principal": overdue_principal,
                "current_interest": current_interest,
                "current_principal": current_principal,
                "prepaid_principal": prepaid_principal,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        penalty = Money.from_dict(d.pop("penalty"))

        overdue_interest = Money.from_dict(d.pop("overdue_interest"))

        overdue_principal = Money.from_dict(d.pop("overdue_principal"))

        current_interest = Money.from_dict(d.pop("current_interest"))

        current_principal = Money.from_dict(d.pop("current_principal"))

        prepaid_principal = Money.from_dict(d.pop("prepaid_principal"))

        repayment_allocation = cls(
            penalty=penalty,
            overdue_interest=overdue_interest,
            overdue_principal=overdue_principal,
            current_interest=current_interest,
            current_principal=current_principal,
            prepaid_principal=prepaid_principal,
        )

        repayment_allocation.additional_properties = d
        return repayment_allocation

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
