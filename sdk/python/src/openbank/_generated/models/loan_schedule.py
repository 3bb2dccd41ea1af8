from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.repayment_method import RepaymentMethod

if TYPE_CHECKING:
    from ..models.installment import Installment
    from ..models.money import Money


T = TypeVar("T", bound="LoanSchedule")


@_attrs_define
class LoanSchedule:
    """
    Attributes:
        loan_id (str):
        repayment_method (RepaymentMethod): * `equal_installment` - Equal installment (等额本息)
            * `equal_principal` - Equal principal (等额本金)
            * `interest_only` - Interest only, principal at the end (先息后本)
        total_principal (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        total_interest (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        installments (list[Installment]):
    """

    loan_id: str
    repayment_method: RepaymentMethod
    total_principal: Money
    total_interest: Money
    installments: list[Installment]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        loan_id = self.loan_id

        repayment_method = self.repayment_method.value

        total_principal = self.total_principal.to_dict()

        total_interest = self.total_interest.to_dict()

        installments = []
        for installments_item_data in self.installments:
            installments_item = installments_item_data.to_dict()
            installments.append(installments_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "loan_id": loan_id,
                "repayment_method": repayment_method,
                "total_principal": total_principal,
                "total_interest": total_interest,
                "installments": installments,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.installment import Installment
        from ..models.money import Money

        d = dict(src_dict)
        loan_id = d.pop("loan_id")

        repayment_method = RepaymentMethod(d.pop("repayment_method"))

        total_principal = Money.from_dict(d.pop("total_principal"))

        total_interest = Money.from_dict(d.pop("total_interest"))

        installments = []
        _installments = d.pop("installments")
        for installments_item_data in _installments:
            installments_item = Installment.from_dict(installments_item_data)

            installments.append(installments_item)

        loan_schedule = cls(
            loan_id=loan_id,
            repayment_method=repayment_method,
            total_principal=total_principal,
            total_interest=total_interest,
            installments=installments,
        )

        loan_schedule.additional_properties = d
        return loan_schedule

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
