from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.loan_status import LoanStatus

if TYPE_CHECKING:
    from ..models.money import Money
    from ..models.repayment_allocation import RepaymentAllocation


T = TypeVar("T", bound="Repayment")


@_attrs_define
class Repayment:
    """
    Attributes:
        id (str):
        loan_id (str):
        amount (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        allocation (RepaymentAllocation):
        business_date (datetime.date):
        loan_status (LoanStatus): * `approved` - Approved
            * `active` - Active
            * `overdue` - Overdue
            * `closed` - Closed
            * `written_off` - Written Off
        outstanding_principal (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        created_at (datetime.datetime):
    """

    id: str
    loan_id: str
    amount: Money
    allocation: RepaymentAllocation
    business_date: datetime.date
    loan_status: LoanStatus
    outstanding_principal: Money
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        loan_id = self.loan_id

        amount = self.amount.to_dict()

        allocation = self.allocation.to_dict()

        business_date = self.business_date.isoformat()

        loan_status = self.loan_status.value

        outstanding_principal = self.outstanding_principal.to_dict()

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "loan_id": loan_id,
                "amount": amount,
                "allocation": allocation,
                "business_date": business_date,
                "loan_status": loan_status,
                "outstanding_principal": outstanding_principal,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money
        from ..models.repayment_allocation import RepaymentAllocation

        d = dict(src_dict)
        id = d.pop("id")

        loan_id = d.pop("loan_id")

        amount = Money.from_dict(d.pop("amount"))

        allocation = RepaymentAllocation.from_dict(d.pop("allocation"))

        business_date = datetime.date.fromisoformat(d.pop("business_date"))

        loan_status = LoanStatus(d.pop("loan_status"))

        outstanding_principal = Money.from_dict(d.pop("outstanding_principal"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        repayment = cls(
            id=id,
            loan_id=loan_id,
            amount=amount,
            allocation=allocation,
            business_date=business_date,
            loan_status=loan_status,
            outstanding_principal=outstanding_principal,
            created_at=created_at,
        )

        repayment.additional_properties = d
        return repayment

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
