"""Credit products: everything a partner needs to reproduce a schedule, a quote or a penalty to
the fen (scope `credit`; the formulas are in docs/lending.md)."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.conditional import conditional_data
from apps.core.money import money_json
from apps.core.pagination import LIST_PARAMETERS, page_serializer, paginate
from apps.core.serializers import MoneySerializer
from apps.oauth.permissions import consent_customer_id

from .. import selectors
from ..calculations import DayCount
from ..models import Product, RepaymentMethod, Rounding
from .common import CONDITIONAL_PARAMETERS, MANAGE, NOT_MODIFIED, READ, LendingView, auth, read_scope

RATE_HELP = 'A daily rate as a fraction with 9 decimals, e.g. "0.000350000" = 0.035 % a day.'


class AmountRangeOutput(serializers.Serializer):
    min = MoneySerializer(help_text="Smallest line or drawdown.")
    max = MoneySerializer(help_text="Largest line or drawdown.")

    class Meta:
        ref_name = "CreditProductAmountRange"


class RateBandOutput(serializers.Serializer):
    min = serializers.CharField(help_text=RATE_HELP)
    max = serializers.CharField(help_text=RATE_HELP)

    class Meta:
        ref_name = "CreditProductRateBand"


class CreditProductOutput(serializers.Serializer):
    id = serializers.CharField()
    code = serializers.CharField(help_text="A stable, readable name of the product.")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Product.Kind.choices)
    currency = serializers.CharField(help_text="ISO 4217 code of every amount of the product.")
    amount_range = AmountRangeOutput(help_text="What a credit line's limit and each drawdown must fall within.")
    allowed_terms = serializers.ListField(child=serializers.IntegerField(), help_text="Terms of a drawdown, in months.")
    allowed_methods = serializers.ListField(child=serializers.ChoiceField(choices=RepaymentMethod.choices))
    daily_rate_band = RateBandOutput(
        help_text="A line's daily rate (the risk engine's rate tier) is clamped into this band; each loan keeps its line's rate."
    )
    day_count = serializers.ChoiceField(
        choices=[(d.value, d.value) for d in DayCount],
        help_text="How many days a schedule period counts (docs/lending.md: with a daily rate ACTUAL_365 and "
        "ACTUAL_360 both count actual days; THIRTY_360 counts every scheduled month as 30).",
    )
    rounding = serializers.ChoiceField(
        choices=Rounding.choices,
        help_text="Python decimal rounding mode to the minor unit of schedule interest, the equal installment, "
        "the equal-principal part and interest to the day (penalty is always ROUND_HALF_UP).",
    )
    grace_days = serializers.IntegerField(help_text="An installment turns overdue after due date + grace days.")
    penalty_daily_rate = serializers.CharField(help_text=f"Charged on overdue principal from the due date. {RATE_HELP}")
    invitation_only = serializers.BooleanField(
        help_text="Only invited customers may apply (the list shows such a product only to them)."
    )
    active = serializers.BooleanField(
        help_text="Open to new applications. An inactive product is listed only to customers who hold a line of it."
    )

    class Meta:
        ref_name = "CreditProduct"


def _rate(value: Any) -> str:
    return f"{value:.9f}"


def product_data(p: Product) -> dict[str, Any]:
    c = p.currency
    return {
        "id": p.id, "code": p.code, "name": p.name, "kind": p.kind, "currency": c,
        "amount_range": {"min": money_json(p.min_amount_minor, c), "max": money_json(p.max_amount_minor, c)},
        "allowed_terms": p.allowed_terms, "allowed_methods": p.allowed_methods,
        "daily_rate_band": {"min": _rate(p.min_daily_rate), "max": _rate(p.max_daily_rate)},
        "day_count": p.day_count, "rounding": p.rounding, "grace_days": p.grace_days,
        "penalty_daily_rate": _rate(p.penalty_daily_rate), "invitation_only": p.invitation_only, "active": p.active,
    }


def require_credit_reader(request: Request) -> str:
    """The customer behind the token, if its consent lets the app read credit or apply for it:
    an app that may apply (`manage_credit` alone) must be able to see what it applies for."""
    info = auth(request)
    return consent_customer_id(info, MANAGE if info.has_permission(MANAGE) else READ)


DESCRIPTION = (
    "Visible to the customer: active products open to all or that invite them, and any product they hold a line "
    "of. The consent needs `read_credit` or `manage_credit`."
)


class CreditProductListApi(LendingView):
    @extend_schema(
        operation_id="credit_products_list", tags=["credit"], parameters=[*LIST_PARAMETERS, *CONDITIONAL_PARAMETERS],
        responses={200: page_serializer(CreditProductOutput, "CreditProductList"), 304: NOT_MODIFIED},
        summary="The credit products the customer can see, with every parameter of their money math",
        description=DESCRIPTION,
    )
    def get(self, request: Request) -> Response:
        customer_id = require_credit_reader(request)
        page = paginate(request, selectors.credit_products_visible(customer_id=customer_id),
                        serialize=lambda rows: list(CreditProductOutput([product_data(p) for p in rows], many=True).data))
        return conditional_data(request, page, scope=read_scope(request))


class CreditProductDetailApi(LendingView):
    @extend_schema(
        operation_id="credit_products_retrieve", tags=["credit"], parameters=CONDITIONAL_PARAMETERS,
        responses={200: CreditProductOutput, 304: NOT_MODIFIED}, summary="One credit product",
        description=f"{DESCRIPTION} Any other id is 404 `not_found`.",
    )
    def get(self, request: Request, product_id: str) -> Response:
        customer_id = require_credit_reader(request)
        product = selectors.credit_product_get(customer_id=customer_id, product_id=product_id)
        return conditional_data(request, CreditProductOutput(product_data(product)).data, scope=read_scope(request))
