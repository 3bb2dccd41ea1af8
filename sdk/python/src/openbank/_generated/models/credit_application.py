from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.credit_application_status import CreditApplicationStatus

if TYPE_CHECKING:
    from ..models.credit_decision_reason import CreditDecisionReason
    from ..models.money import Money


T = TypeVar("T", bound="CreditApplication")


@_attrs_define
class CreditApplication:
    """
    Attributes:
        id (str):
        product_id (str):
        status (CreditApplicationStatus): * `approved` - Approved
            * `referred` - Referred
            * `declined` - Declined
        requested_amount (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        approved_limit (Money | None):
        daily_rate (None | str):
        credit_line_id (None | str):
        reasons (list[CreditDecisionReason]):
        model_version (str):
        created_at (datetime.datetime):
    """

    id: str
    product_id: str
    status: CreditApplicationStatus
    requested_amount: Money
    approved_limit: Money | None
    daily_rate: None | str
    credit_line_id: None | str
    reasons: list[CreditDecisionReason]
    model_version: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money import Money

        id = self.id

        product_id = self.product_id

        status = self.status.value

        requested_amount = self.requested_amount.to_dict()

        approved_limit: dict[str, Any] | None
        if isinstance(self.approved_limit, Money):
            approved_limit = self.approved_limit.to_dict()
        else:
            approved_limit = self.approved_limit

        daily_rate: None | str
        daily_rate = self.daily_rate

        credit_line_id: None | str
        credit_line_id = self.credit_line_id

        reasons = []
        for reasons_item_data in self.reasons:
            reasons_item = reasons_item_data.to_dict()
            reasons.append(reasons_item)

        model_version = self.model_version

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "product_id": product_id,
                "status": status,
                "requested_amount": requested_amount,
                "approved_limit": approved_limit,
                "daily_rate": daily_rate,
                "credit_line_id": credit_line_id,
                "reasons": reasons,
                "model_version": model_version,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.credit_decision_reason import CreditDecisionReason
        from ..models.money import Money

        d = dict(src_dict)
        id = d.pop("id")

        product_id = d.pop("product_id")

        status = CreditApplicationStatus(d.pop("status"))

        requested_amount = Money.from_dict(d.pop("requested_amount"))

        def _parse_approved_limit(data: object) -> Money | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                approved_limit_type_1 = Money.from_dict(data)

                return approved_limit_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Money | None, data)

        approved_limit = _parse_approved_limit(d.pop("approved_limit"))

        def _parse_daily_rate(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        daily_rate = _parse_daily_rate(d.pop("daily_rate"))

        def _parse_credit_line_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        credit_line_id = _parse_credit_line_id(d.pop("credit_line_id"))

        reasons = []
        _reasons = d.pop("reasons")
        for reasons_item_data in _reasons:
            reasons_item = CreditDecisionReason.from_dict(reasons_item_data)

            reasons.append(reasons_item)

        model_version = d.pop("model_version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        credit_application = cls(
            id=id,
            product_id=product_id,
            status=status,
            requested_amount=requested_amount,
            approved_limit=approved_limit,
            daily_rate=daily_rate,
            credit_line_id=credit_line_id,
            reasons=reasons,
            model_version=model_version,
            created_at=created_at,
        )

        credit_application.additional_properties = d
        return credit_application

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
