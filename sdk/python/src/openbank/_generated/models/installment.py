from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.installment_status import InstallmentStatus

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="Installment")


@_attrs_define
class Installment:
    """
    Attributes:
        number (int):
        period_start (datetime.date):
        due_date (datetime.date):
        principal (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        interest (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        total (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        principal_paid (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        interest_paid (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        penalty (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        penalty_paid (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        status (InstallmentStatus): * `scheduled` - Scheduled
            * `due` - Due
            * `overdue` - Overdue
            * `paid` - Paid
            * `written_off` - Written Off
        paid_on (datetime.date | None):
    """

    number: int
    period_start: datetime.date
    due_date: datetime.date
    principal: Money
    interest: Money
    total: Money
    principal_paid: Money
    interest_paid: Money
    penalty: Money
    penalty_paid: Money
    status: InstallmentStatus
    paid_on: datetime.date | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        period_start = self.period_start.isoformat()

        due_date = self.due_date.isoformat()

        principal = self.principal.to_dict()

        interest = self.interest.to_dict()

        total = self.total.to_dict()

        principal_paid = self.principal_paid.to_dict()

        interest_paid = self.interest_paid.to_dict()

        penalty = self.penalty.to_dict()

        penalty_paid = self.penalty_paid.to_dict()

        status = self.status.value

        paid_on: None | str
        if isinstance(self.paid_on, datetime.date):
            paid_on = self.paid_on.isoformat()
        else:
            paid_on = self.paid_on

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "period_start": period_start,
                "due_date": due_date,
                "principal": principal,
                "interest": interest,
                "total": total,
                "principal_paid": principal_paid,
                "interest_paid": interest_paid,
                "penalty": penalty,
                "penalty_paid": penalty_paid,
                "status": status,
                "paid_on": paid_on,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        number = d.pop("number")

        period_start = datetime.date.fromisoformat(d.pop("period_start"))

        due_date = datetime.date.fromisoformat(d.pop("due_date"))

        principal = Money.from_dict(d.pop("principal"))

        interest = Money.from_dict(d.pop("interest"))

        total = Money.from_dict(d.pop("total"))

        principal_paid = Money.from_dict(d.pop("principal_paid"))

        interest_paid = Money.from_dict(d.pop("interest_paid"))

        penalty = Money.from_dict(d.pop("penalty"))

        penalty_paid = Money.from_dict(d.pop("penalty_paid"))

        status = InstallmentStatus(d.pop("status"))

        def _parse_paid_on(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paid_on_type_0 = datetime.date.fromisoformat(data)

                return paid_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        paid_on = _parse_paid_on(d.pop("paid_on"))

        installment = cls(
            number=number,
            period_start=period_start,
            due_date=due_date,
            principal=principal,
            interest=interest,
            total=total,
            principal_paid=principal_paid,
            interest_paid=interest_paid,
            penalty=penalty,
            penalty_paid=penalty_paid,
            status=status,
            paid_on=paid_on,
        )

        installment.additional_properties = d
        return installment

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
