from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.delinquency_bucket import DelinquencyBucket
from ..models.loan_status import LoanStatus
from ..models.repayment_method import RepaymentMethod

if TYPE_CHECKING:
    from ..models.loan_status_change import LoanStatusChange
    from ..models.loan_vehicle_type_0 import LoanVehicleType0
    from ..models.money import Money


T = TypeVar("T", bound="Loan")


@_attrs_define
class Loan:
    """
    Attributes:
        id (str):
        credit_line_id (str):
        product_id (str):
        status (LoanStatus): * `approved` - Approved
            * `active` - Active
            * `overdue` - Overdue
            * `closed` - Closed
            * `written_off` - Written Off
        principal (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        outstanding_principal (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        repayment_method (RepaymentMethod): * `equal_installment` - Equal installment (等额本息)
            * `equal_principal` - Equal principal (等额本金)
            * `interest_only` - Interest only, principal at the end (先息后本)
        term_months (int):
        daily_rate (str):
        penalty_daily_rate (str):
        disbursement_date (datetime.date):
        maturity_date (datetime.date):
        deposit_account_id (str):
        days_past_due (int):
        delinquency_bucket (DelinquencyBucket): * `current` - Current
            * `1-30` - Dpd 1 30
            * `31-60` - Dpd 31 60
            * `61-90` - Dpd 61 90
            * `90+` - Dpd 90 Plus
        vehicle (LoanVehicleType0 | None):
        status_history (list[LoanStatusChange]):
        created_at (datetime.datetime):
    """

    id: str
    credit_line_id: str
    product_id: str
    status: LoanStatus
    principal: Money
    outstanding_principal: Money
    repayment_method: RepaymentMethod
    term_months: int
    daily_rate: str
    penalty_daily_rate: str
    disbursement_date: datetime.date
    maturity_date: datetime.date
    deposit_account_id: str
    days_past_due: int
    delinquency_bucket: DelinquencyBucket
    vehicle: LoanVehicleType0 | None
    status_history: list[LoanStatusChange]
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.loan_vehicle_type_0 import LoanVehicleType0

        id = self.id

        credit_line_id = self.credit_line_id

        product_id = self.product_id

        status = self.status.value

        principal = self.principal.to_dict()

        outstanding_principal = self.outstanding_principal.to_dict()

        repayment_method = self.repayment_method.value

        term_months = self.term_months

        daily_rate = self.daily_rate

        penalty_daily_rate = self.penalty_daily_rate

        disbursement_date = self.disbursement_date.isoformat()

        maturity_date = self.maturity_date.isoformat()

        deposit_account_id = self.deposit_account_id

        days_past_due = self.days_past_due

        delinquency_bucket = self.delinquency_bucket.value

        vehicle: dict[str, Any] | None
        if isinstance(self.vehicle, LoanVehicleType0):
            vehicle = self.vehicle.to_dict()
        else:
            vehicle = self.vehicle

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "credit_line_id": credit_line_id,
                "product_id": product_id,
                "status": status,
                "principal": principal,
                "outstanding_principal": outstanding_principal,
                "repayment_method": repayment_method,
                "term_months": term_months,
                "daily_rate": daily_rate,
                "penalty_daily_rate": penalty_daily_rate,
                "disbursement_date": disbursement_date,
                "maturity_date": maturity_date,
                "deposit_account_id": deposit_account_id,
                "days_past_due": days_past_due,
                "delinquency_bucket": delinquency_bucket,
                "vehicle": vehicle,
                "status_history": status_history,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.loan_status_change import LoanStatusChange
        from ..models.loan_vehicle_type_0 import LoanVehicleType0
        from ..models.money import Money

        d = dict(src_dict)
        id = d.pop("id")

        credit_line_id = d.pop("credit_line_id")

        product_id = d.pop("product_id")

        status = LoanStatus(d.pop("status"))

        principal = Money.from_dict(d.pop("principal"))

        outstanding_principal = Money.from_dict(d.pop("outstanding_principal"))

        repayment_method = RepaymentMethod(d.pop("repayment_method"))

        term_months = d.pop("term_months")

        daily_rate = d.pop("daily_rate")

        penalty_daily_rate = d.pop("penalty_daily_rate")

        disbursement_date = datetime.date.fromisoformat(d.pop("disbursement_date"))

        maturity_date = datetime.date.fromisoformat(d.pop("maturity_date"))

        deposit_account_id = d.pop("deposit_account_id")

        days_past_due = d.pop("days_past_due")

        delinquency_bucket = DelinquencyBucket(d.pop("delinquency_bucket"))

        def _parse_vehicle(data: object) -> LoanVehicleType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                vehicle_type_0 = LoanVehicleType0.from_dict(data)

                return vehicle_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LoanVehicleType0 | None, data)

        vehicle = _parse_vehicle(d.pop("vehicle"))

        status_history = []
        _status_history = d.pop("status_history")
        for status_history_item_data in _status_history:
            status_history_item = LoanStatusChange.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        loan = cls(
            id=id,
            credit_line_id=credit_line_id,
            product_id=product_id,
            status=status,
            principal=principal,
            outstanding_principal=outstanding_principal,
            repayment_method=repayment_method,
            term_months=term_months,
            daily_rate=daily_rate,
            penalty_daily_rate=penalty_daily_rate,
            disbursement_date=disbursement_date,
            maturity_date=maturity_date,
            deposit_account_id=deposit_account_id,
            days_past_due=days_past_due,
            delinquency_bucket=delinquency_bucket,
            vehicle=vehicle,
            status_history=status_history,
            created_at=created_at,
        )

        loan.additional_properties = d
        return loan

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
