from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.credit_product_kind import CreditProductKind
from ..models.day_count_enum import DayCountEnum
from ..models.repayment_method import RepaymentMethod
from ..models.rounding_enum import RoundingEnum

if TYPE_CHECKING:
    from ..models.credit_product_amount_range import CreditProductAmountRange
    from ..models.credit_product_rate_band import CreditProductRateBand


T = TypeVar("T", bound="CreditProduct")


@_attrs_define
class CreditProduct:
    """
    Attributes:
        id (str):
        code (str): A stable, readable name of the product.
        name (str):
        kind (CreditProductKind): * `consumer_revolving` - Consumer revolving credit
            * `sme_line` - SME credit line
            * `auto_loan` - Auto loan
        currency (str): ISO 4217 code of every amount of the product.
        amount_range (CreditProductAmountRange):
        allowed_terms (list[int]): Terms of a drawdown, in months.
        allowed_methods (list[RepaymentMethod]):
        daily_rate_band (CreditProductRateBand):
        day_count (DayCountEnum): * `ACTUAL_365` - ACTUAL_365
            * `ACTUAL_360` - ACTUAL_360
            * `THIRTY_360` - THIRTY_360
        rounding (RoundingEnum): * `ROUND_HALF_UP` - Half up
            * `ROUND_HALF_EVEN` - Half even (banker's)
            * `ROUND_DOWN` - Down
        grace_days (int): An installment turns overdue after due date + grace days.
        penalty_daily_rate (str): Charged on overdue principal from the due date. A daily rate as a fraction with 9
            decimals, e.g. "0.000350000" = 0.035 % a day.
        invitation_only (bool): Only invited customers may apply (the list shows such a product only to them).
        active (bool): Open to new applications. An inactive product is listed only to customers who hold a line of it.
    """

    id: str
    code: str
    name: str
    kind: CreditProductKind
    currency: str
    amount_range: CreditProductAmountRange
    allowed_terms: list[int]
    allowed_methods: list[RepaymentMethod]
    daily_rate_band: CreditProductRateBand
    day_count: DayCountEnum
    rounding: RoundingEnum
    grace_days: int
    penalty_daily_rate: str
    invitation_only: bool
    active: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        code = self.code

        name = self.name

        kind = self.kind.value

        currency = self.currency

        amount_range = self.amount_range.to_dict()

        allowed_terms = self.allowed_terms

        allowed_methods = []
        for allowed_methods_item_data in self.allowed_methods:
            allowed_methods_item = allowed_methods_item_data.value
            allowed_methods.append(allowed_methods_item)

        daily_rate_band = self.daily_rate_band.to_dict()

        day_count = self.day_count.value

        rounding = self.rounding.value

        grace_days = self.grace_days

        penalty_daily_rate = self.penalty_daily_rate

        invitation_only = self.invitation_only

        active = self.active

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "code": code,
                "name": name,
                "kind": kind,
                "currency": currency,
                "amount_range": amount_range,
                "allowed_terms": allowed_terms,
                "allowed_methods": allowed_methods,
                "daily_rate_band": daily_rate_band,
                "day_count": day_count,
                "rounding": rounding,
                "grace_days": grace_days,
                "penalty_daily_rate": penalty_daily_rate,
                "invitation_only": invitation_only,
                "active": active,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.credit_product_amount_range import CreditProductAmountRange
        from ..models.credit_product_rate_band import CreditProductRateBand

        d = dict(src_dict)
        id = d.pop("id")

        code = d.pop("code")

        name = d.pop("name")

        kind = CreditProductKind(d.pop("kind"))

        currency = d.pop("currency")

        amount_range = CreditProductAmountRange.from_dict(d.pop("amount_range"))

        allowed_terms = cast(list[int], d.pop("allowed_terms"))

        allowed_methods = []
        _allowed_methods = d.pop("allowed_methods")
        for allowed_methods_item_data in _allowed_methods:
            allowed_methods_item = RepaymentMethod(allowed_methods_item_data)

            allowed_methods.append(allowed_methods_item)

        daily_rate_band = CreditProductRateBand.from_dict(d.pop("daily_rate_band"))

        day_count = DayCountEnum(d.pop("day_count"))

        rounding = RoundingEnum(d.pop("rounding"))

        grace_days = d.pop("grace_days")

        penalty_daily_rate = d.pop("penalty_daily_rate")

        invitation_only = d.pop("invitation_only")

        active = d.pop("active")

        credit_product = cls(
            id=id,
            code=code,
            name=name,
            kind=kind,
            currency=currency,
            amount_range=amount_range,
            allowed_terms=allowed_terms,
            allowed_methods=allowed_methods,
            daily_rate_band=daily_rate_band,
            day_count=day_count,
            rounding=rounding,
            grace_days=grace_days,
            penalty_daily_rate=penalty_daily_rate,
            invitation_only=invitation_only,
            active=active,
        )

        credit_product.additional_properties = d
        return credit_product

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
