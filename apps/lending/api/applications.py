"""SME credit applications (scope `credit`)."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import IDEMPOTENCY_KEY_PARAMETER
from apps.core.errors import Conflict, NotFound, field_error
from apps.core.idempotency import idempotent
from apps.core.money import CurrencyMismatch, money_json, parse_money_input
from apps.core.schema import declare_errors, money_input_errors
from apps.core.serializers import MoneyInputSerializer, MoneySerializer, StrictCharField, StrictSerializer
from apps.customers.models import Customer
from apps.customers.selectors import CustomerNotVerified

from .. import origination, selectors
from ..errors import AmountOutOfRange, BusinessCustomerRequired, NotInvited
from ..models import CreditApplication, Product, RiskDecision
from .common import MANAGE, READ, LendingView, actor, require


class CreditApplicationInput(StrictSerializer):
    """An SME credit application, decided at once by the risk engine."""

    product_id = StrictCharField(required=False, max_length=32, help_text="Default: the bank's SME credit line product.")
    requested_amount = MoneyInputSerializer()
    annual_revenue = MoneyInputSerializer(help_text="The business's revenue over the last 12 months.")
    years_in_business = serializers.IntegerField(min_value=0, max_value=200)
    employees = serializers.IntegerField(min_value=0, required=False)

    class Meta:
        ref_name = "CreditApplicationCreate"


class DecisionReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    feature = serializers.CharField(required=False)
    points = serializers.IntegerField(required=False)

    class Meta:
        ref_name = "CreditDecisionReason"


class CreditApplicationOutput(serializers.Serializer):
    id = serializers.CharField()
    product_id = serializers.CharField()
    status = serializers.ChoiceField(choices=CreditApplication.Status.choices)
    requested_amount = MoneySerializer()
    approved_limit = MoneySerializer(allow_null=True)
    daily_rate = serializers.CharField(allow_null=True)
    credit_line_id = serializers.CharField(allow_null=True)
    reasons = DecisionReasonOutput(many=True)
    model_version = serializers.CharField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "CreditApplication"


def _application(a: CreditApplication) -> dict[str, Any]:
    d: RiskDecision = a.decision
    c = a.product.currency
    approved = a.status == CreditApplication.Status.APPROVED
    return {
        "id": a.id, "product_id": a.product_id, "status": a.status,
        "requested_amount": money_json(a.requested_amount_minor, c),
        "approved_limit": money_json(d.limit_minor, c) if approved else None,
        "daily_rate": f"{d.daily_rate:.9f}" if approved and d.daily_rate is not None else None,
        "credit_line_id": a.credit_line_id,
        "reasons": [{k: v for k, v in r.items() if k in ("code", "feature", "points")} for r in d.reasons],
        "model_version": d.model_version, "created_at": a.created_at,
    }


class CreditApplicationCreateApi(LendingView):
    @extend_schema(
        operation_id="credit_applications_create", tags=["credit"], request=CreditApplicationInput,
        responses={201: CreditApplicationOutput}, parameters=[IDEMPOTENCY_KEY_PARAMETER],
        extensions=declare_errors(
            *money_input_errors("requested_amount"),
            NotFound("No such credit product."),
            CurrencyMismatch("The currency must be CNY.",
                             errors=[field_error("requested_amount.currency", "currency_mismatch", "Use CNY.")]),
            BusinessCustomerRequired("SME credit is for business customers."),
            AmountOutOfRange("Apply for CNY 10000.00 to CNY 1000000.00."),
            NotInvited("This product is not offered to this customer."),
            CustomerNotVerified("The customer's identity check is pending."),
            Conflict("The customer already has an active line for this product.", code="credit_line_exists"),
            Conflict("No active scorecard for sme_line.", code="scorecard_missing"),
        ),
        summary="Apply for an SME credit line (business customers)",
        description=(
            "The bank's risk engine decides at once: `approved` (a credit line is opened), `referred` (to a "
            "credit officer) or `declined`. Errors: 422 `business_customer_required`, `amount_out_of_range`, "
            "`not_invited`, `currency_mismatch`, `kyc_not_verified`; 409 `credit_line_exists`."
        ),
    )
    @idempotent()
    def post(self, request: Request) -> Response:
        customer_id = require(request, MANAGE)
        data = CreditApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        customer = Customer.objects.get(pk=customer_id)
        if body.get("product_id"):
            product = Product.objects.filter(pk=body["product_id"], active=True).first()
        else:
            product = Product.objects.filter(kind=Product.Kind.SME_LINE, active=True).order_by("code").first()
        if product is None:
            raise NotFound("No such credit product.")
        application = origination.credit_application_create(
            customer=customer, product=product,
            requested_amount_minor=parse_money_input(body["requested_amount"], field="requested_amount", currency=product.currency).minor,
            business_data={
                "annual_revenue_minor": parse_money_input(body["annual_revenue"], field="annual_revenue", currency=product.currency).minor,
                "years_in_business": body["years_in_business"],
                "employees": body.get("employees"),
            },
            actor=actor(request),
        )
        return Response(
            CreditApplicationOutput(_application(application)).data, status=status.HTTP_201_CREATED,
            headers={"Location": reverse("credit-applications-detail", args=[application.id])},
        )


class CreditApplicationDetailApi(LendingView):
    @extend_schema(operation_id="credit_applications_retrieve", tags=["credit"], responses={200: CreditApplicationOutput})
    def get(self, request: Request, application_id: str) -> Response:
        customer_id = require(request, READ)
        return Response(CreditApplicationOutput(_application(selectors.credit_application_get(customer_id=customer_id, application_id=application_id))).data)
