from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.credit_debit_indicator import CreditDebitIndicator

if TYPE_CHECKING:
    from ..models.money import Money
    from ..models.transaction_entry import TransactionEntry


T = TypeVar("T", bound="Transaction")


@_attrs_define
class Transaction:
    """
    Attributes:
        id (str): Stable and opaque (`txn_` and 26 characters); not in booking order.
        amount (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        credit_debit_indicator (CreditDebitIndicator): * `credit` - Credit
            * `debit` - Debit
        booking_date (datetime.date): The bank's business date of the booking.
        booked_at (datetime.datetime):
        description (str):
        balance_after (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        entry (TransactionEntry):
    """

    id: str
    amount: Money
    credit_debit_indicator: CreditDebitIndicator
    booking_date: datetime.date
    booked_at: datetime.datetime
    description: str
    balance_after: Money
    entry: TransactionEntry
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        amount = self.amount.to_dict()

        credit_debit_indicator = self.credit_debit_indicator.value

        booking_date = self.booking_date.isoformat()

        booked_at = self.booked_at.isoformat()

        description = self.description

        balance_after = self.balance_after.to_dict()

        entry = self.entry.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "amount": amount,
                "credit_debit_indicator": credit_debit_indicator,
                "booking_date": booking_date,
                "booked_at": booked_at,
                "description": description,
                "balance_after": balance_after,
                "entry": entry,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money
        from ..models.transaction_entry import TransactionEntry

        d = dict(src_dict)
        id = d.pop("id")

        amount = Money.from_dict(d.pop("amount"))

        credit_debit_indicator = CreditDebitIndicator(d.pop("credit_debit_indicator"))

        booking_date = datetime.date.fromisoformat(d.pop("booking_date"))

        booked_at = datetime.datetime.fromisoformat(d.pop("booked_at"))

        description = d.pop("description")

        balance_after = Money.from_dict(d.pop("balance_after"))

        entry = TransactionEntry.from_dict(d.pop("entry"))

        transaction = cls(
            id=id,
            amount=amount,
            credit_debit_indicator=credit_debit_indicator,
            booking_date=booking_date,
            booked_at=booked_at,
            description=description,
            balance_after=balance_after,
            entry=entry,
        )

        transaction.additional_properties = d
        return transaction

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
