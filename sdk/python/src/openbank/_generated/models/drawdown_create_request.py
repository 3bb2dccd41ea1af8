from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.repayment_method import RepaymentMethod
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.drawdown_create_request_vehicle_type_0 import DrawdownCreateRequestVehicleType0
    from ..models.money_request import MoneyRequest


T = TypeVar("T", bound="DrawdownCreateRequest")


@_attrs_define
class DrawdownCreateRequest:
    """A drawdown: a new loan on the line, paid into a deposit account the consent shares.

    Attributes:
        amount (MoneyRequest): An amount of money: a decimal string (never a JSON number) and its currency.
        term_months (int):
        repayment_method (RepaymentMethod): * `equal_installment` - Equal installment (等额本息)
            * `equal_principal` - Equal principal (等额本金)
            * `interest_only` - Interest only, principal at the end (先息后本)
        deposit_account_id (str): A deposit account shared in the consent; the loan is paid into it.
        vehicle (DrawdownCreateRequestVehicleType0 | None | Unset): Auto loans: the vehicle's details.
    """

    amount: MoneyRequest
    term_months: int
    repayment_method: RepaymentMethod
    deposit_account_id: str
    vehicle: DrawdownCreateRequestVehicleType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.drawdown_create_request_vehicle_type_0 import DrawdownCreateRequestVehicleType0

        amount = self.amount.to_dict()

        term_months = self.term_months

        repayment_method = self.repayment_method.value

        deposit_account_id = self.deposit_account_id

        vehicle: dict[str, Any] | None | Unset
        if isinstance(self.vehicle, Unset):
            vehicle = UNSET
        elif isinstance(self.vehicle, DrawdownCreateRequestVehicleType0):
            vehicle = self.vehicle.to_dict()
        else:
            vehicle = self.vehicle

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "term_months": term_months,
                "repayment_method": repayment_method,
                "deposit_account_id": deposit_account_id,
            }
        )
        if vehicle is not UNSET:
            field_dict["vehicle"] = vehicle

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.drawdown_create_request_vehicle_type_0 import DrawdownCreateRequestVehicleType0
        from ..models.money_request import MoneyRequest

        d = dict(src_dict)
        amount = MoneyRequest.from_dict(d.pop("amount"))

        term_months = d.pop("term_months")

        repayment_method = RepaymentMethod(d.pop("repayment_method"))

        deposit_account_id = d.pop("deposit_account_id")

        def _parse_vehicle(data: object) -> DrawdownCreateRequestVehicleType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                vehicle_type_0 = DrawdownCreateRequestVehicleType0.from_dict(data)

                return vehicle_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DrawdownCreateRequestVehicleType0 | None | Unset, data)

        vehicle = _parse_vehicle(d.pop("vehicle", UNSET))

        drawdown_create_request = cls(
            amount=amount,
            term_months=term_months,
            repayment_method=repayment_method,
            deposit_account_id=deposit_account_id,
            vehicle=vehicle,
        )

        return drawdown_create_request
