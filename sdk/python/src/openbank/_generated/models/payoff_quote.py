from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="PayoffQuote")


@_attrs_define
class PayoffQuote:
    """
    Attributes:
        loan_id (str):
        date (datetime.date):
        principal (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        interest (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        penalty (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        total (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        overdue_principal (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        overdue_interest (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        days_accrued (int): Days of interest in the current period up to the date.
    """

    loan_id: str
    date: datetime.date
    principal: Money
    interest: Money
    penalty: Money
    total: Money
    overdue_principal: Money
    overdue_interest: Money
    days_accrued: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        loan_id = self.loan_id

        date = self.date.isoformat()

        principal = self.principal.to_dict()

        interest = self.interest.to_dict()

        penalty = self.penalty.to_dict()

        total = self.total.to_dict()

        overdue_principal = self.overdue_principal.to_dict()

        overdue_interest = self.overdue_interest.to_dict()

        days_accrued = self.days_accrued

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "loan_id": loan_id,
                "date": date,
                "principal": principal,
                "interest": interest,
                "penalty": penalty,
                "total": total,
                "overdue_principal": overdue_principal,
                "overdue_interest": overdue_interest,
                "days_accrued": days_accrued,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        loan_id = d.pop("loan_id")

        date = datetime.date.fromisoformat(d.pop("date"))

        principal = Money.from_dict(d.pop("principal"))

        interest = Money.from_dict(d.pop("interest"))

        penalty = Money.from_dict(d.pop("penalty"))

        total = Money.from_dict(d.pop("total"))

        overdue_principal = Money.from_dict(d.pop("overdue_principal"))

        overdue_interest = Money.from_dict(d.pop("overdue_interest"))

        days_accrued = d.pop("days_accrued")

        payoff_quote = cls(
            loan_id=loan_id,
            date=date,
            principal=principal,
            interest=interest,
            penalty=penalty,
            total=total,
            overdue_principal=overdue_principal,
            overdue_interest=overdue_interest,
            days_accrued=days_accrued,
        )

        payoff_quote.additional_properties = d
        return payoff_quote

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
