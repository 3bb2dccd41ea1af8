from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LoanStatusChange")


@_attrs_define
class LoanStatusChange:
    """
    Attributes:
        from_status (str):
        to_status (str):
        reason (str):
        business_date (datetime.date):
        timestamp (datetime.datetime):
    """

    from_status: str
    to_status: str
    reason: str
    business_date: datetime.date
    timestamp: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_status = self.from_status

        to_status = self.to_status

        reason = self.reason

        business_date = self.business_date.isoformat()

        timestamp = self.timestamp.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from_status": from_status,
                "to_status": to_status,
                "reason": reason,
                "business_date": business_date,
                "timestamp": timestamp,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        from_status = d.pop("from_status")

        to_status = d.pop("to_status")

        reason = d.pop("reason")

        business_date = datetime.date.fromisoformat(d.pop("business_date"))

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        loan_status_change = cls(
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            business_date=business_date,
            timestamp=timestamp,
        )

        loan_status_change.additional_properties = d
        return loan_status_change

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
