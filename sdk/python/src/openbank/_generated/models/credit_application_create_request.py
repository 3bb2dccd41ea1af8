from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_request import MoneyRequest


T = TypeVar("T", bound="CreditApplicationCreateRequest")


@_attrs_define
class CreditApplicationCreateRequest:
    """An SME credit application, decided at once by the risk engine.

    Attributes:
        requested_amount (MoneyRequest): An amount of money: a decimal string (never a JSON number) and its currency.
        annual_revenue (MoneyRequest): An amount of money: a decimal string (never a JSON number) and its currency.
        years_in_business (int):
        product_id (str | Unset): Default: the bank's SME credit line product.
        employees (int | Unset):
    """

    requested_amount: MoneyRequest
    annual_revenue: MoneyRequest
    years_in_business: int
    product_id: str | Unset = UNSET
    employees: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        requested_amount = self.requested_amount.to_dict()

        annual_revenue = self.annual_revenue.to_dict()

        years_in_business = self.years_in_business

        product_id = self.product_id

        employees = self.employees

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "requested_amount": requested_amount,
                "annual_revenue": annual_revenue,
                "years_in_business": years_in_business,
            }
        )
        if product_id is not UNSET:
            field_dict["product_id"] = product_id
        if employees is not UNSET:
            field_dict["employees"] = employees

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money_request import MoneyRequest

        d = dict(src_dict)
        requested_amount = MoneyRequest.from_dict(d.pop("requested_amount"))

        annual_revenue = MoneyRequest.from_dict(d.pop("annual_revenue"))

        years_in_business = d.pop("years_in_business")

        product_id = d.pop("product_id", UNSET)

        employees = d.pop("employees", UNSET)

        credit_application_create_request = cls(
            requested_amount=requested_amount,
            annual_revenue=annual_revenue,
            years_in_business=years_in_business,
            product_id=product_id,
            employees=employees,
        )

        return credit_application_create_request
