from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="AccountBalances")


@_attrs_define
class AccountBalances:
    """
    Attributes:
        account_id (str):
        booked (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        available (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        as_of (datetime.datetime): When these figures were read. A 304 says the figures you hold are still the current
            ones.
    """

    account_id: str
    booked: Money
    available: Money
    as_of: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id = self.account_id

        booked = self.booked.to_dict()

        available = self.available.to_dict()

        as_of = self.as_of.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "booked": booked,
                "available": available,
                "as_of": as_of,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        account_id = d.pop("account_id")

        booked = Money.from_dict(d.pop("booked"))

        available = Money.from_dict(d.pop("available"))

        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        account_balances = cls(
            account_id=account_id,
            booked=booked,
            available=available,
            as_of=as_of,
        )

        account_balances.additional_properties = d
        return account_balances

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
