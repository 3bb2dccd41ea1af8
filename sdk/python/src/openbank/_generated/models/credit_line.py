from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.account_status import AccountStatus
from ..models.credit_product_kind import CreditProductKind
from ..models.repayment_method import RepaymentMethod

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="CreditLine")


@_attrs_define
class CreditLine:
    """
    Attributes:
        id (str):
        product_id (str):
        product_name (str):
        product_kind (CreditProductKind): * `consumer_revolving` - Consumer revolving credit
            * `sme_line` - SME credit line
            * `auto_loan` - Auto loan
        status (AccountStatus): * `active` - Active
            * `frozen` - Frozen
            * `closed` - Closed
        limit (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        used (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        available (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        daily_rate (str): Daily interest rate as a fraction, e.g. "0.000350000" = 0.035 % a day.
        allowed_terms (list[int]):
        allowed_methods (list[RepaymentMethod]):
        opened_at (datetime.datetime):
    """

    id: str
    product_id: str
    product_name: str
    product_kind: CreditProductKind
    status: AccountStatus
    limit: Money
    used: Money
    available: Money
    daily_rate: str
    allowed_terms: list[int]
    allowed_methods: list[RepaymentMethod]
    opened_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        product_id = self.product_id

        product_name = self.product_name

        product_kind = self.product_kind.value

        status = self.status.value

        limit = self.limit.to_dict()

        used = self.used.to_dict()

        available = self.available.to_dict()

        daily_rate = self.daily_rate

        allowed_terms = self.allowed_terms

        allowed_methods = []
        for allowed_methods_item_data in self.allowed_methods:
            allowed_methods_item = allowed_methods_item_data.value
            allowed_methods.append(allowed_methods_item)

        opened_at = self.opened_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "product_id": product_id,
                "product_name": product_name,
                "product_kind": product_kind,
                "status": status,
                "limit": limit,
                "used": used,
                "available": available,
                "daily_rate": daily_rate,
                "allowed_terms": allowed_terms,
                "allowed_methods": allowed_methods,
                "opened_at": opened_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        id = d.pop("id")

        product_id = d.pop("product_id")

        product_name = d.pop("product_name")

        product_kind = CreditProductKind(d.pop("product_kind"))

        status = AccountStatus(d.pop("status"))

        limit = Money.from_dict(d.pop("limit"))

        used = Money.from_dict(d.pop("used"))

        available = Money.from_dict(d.pop("available"))

        daily_rate = d.pop("daily_rate")

        allowed_terms = cast(list[int], d.pop("allowed_terms"))

        allowed_methods = []
        _allowed_methods = d.pop("allowed_methods")
        for allowed_methods_item_data in _allowed_methods:
            allowed_methods_item = RepaymentMethod(allowed_methods_item_data)

            allowed_methods.append(allowed_methods_item)

        opened_at = datetime.datetime.fromisoformat(d.pop("opened_at"))

        credit_line = cls(
            id=id,
            product_id=product_id,
            product_name=product_name,
            product_kind=product_kind,
            status=status,
            limit=limit,
            used=used,
            available=available,
            daily_rate=daily_rate,
            allowed_terms=allowed_terms,
            allowed_methods=allowed_methods,
            opened_at=opened_at,
        )

        credit_line.additional_properties = d
        return credit_line

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
