"""Credit lines and drawdowns (scope `credit`)."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import IDEMPOTENCY_KEY_PARAMETER
from apps.core.conditional import conditional_data
from apps.core.errors import NotFound, field_error
from apps.core.idempotency import idempotent
from apps.core.money import CurrencyMismatch, money_json, parse_money_input
from apps.core.pagination import LIST_PARAMETERS, page_serializer, paginate
from apps.core.schema import declare_errors, money_input_errors
from apps.core.serializers import MoneyInputSerializer, MoneySerializer, StrictCharField, StrictSerializer
from apps.customers.selectors import CustomerNotVerified

from .. import origination, selectors
from ..errors import (
    AmountOutOfRange,
    CreditLimitExceeded,
    CreditLineNotActive,
    CustomerBlacklisted,
    MethodNotAllowed,
    TermNotAllowed,
)
from ..models import CreditLine, Product, RepaymentMethod
from .common import (
    CONDITIONAL_PARAMETERS,
    DEPOSIT_ACCOUNT_NOT_IN_CONSENT,
    MANAGE,
    NOT_MODIFIED,
    READ,
    LendingView,
    actor,
    consented_deposit_account,
    read_scope,
    require,
)
from .loans import LoanOutput, loan_data


class CreditLineOutput(serializers.Serializer):
    id = serializers.CharField()
    product_id = serializers.CharField()
    product_name = serializers.CharField()
    product_kind = serializers.ChoiceField(choices=Product.Kind.choices)
    status = serializers.ChoiceField(choices=CreditLine.Status.choices)
    limit = MoneySerializer()
    used = MoneySerializer()
    available = MoneySerializer()
    daily_rate = serializers.CharField(help_text='Daily interest rate as a fraction, e.g. "0.000350000" = 0.035 % a day.')
    allowed_terms = serializers.ListField(child=serializers.IntegerField())
    allowed_methods = serializers.ListField(child=serializers.ChoiceField(choices=RepaymentMethod.choices))
    opened_at = serializers.DateTimeField()

    class Meta:
        ref_name = "CreditLine"


def line_data(line: CreditLine) -> dict[str, Any]:
    p, c = line.product, line.currency
    return {
        "id": line.id, "product_id": p.id, "product_name": p.name, "product_kind": p.kind, "status": line.status,
        "limit": money_json(line.limit_minor, c), "used": money_json(line.used_minor, c), "available": money_json(line.available_minor, c),
        "daily_rate": f"{line.daily_rate:.9f}", "allowed_terms": p.allowed_terms, "allowed_methods": p.allowed_methods,
        "opened_at": line.opened_at,
    }


class CreditLineListApi(LendingView):
    @extend_schema(
        operation_id="credit_lines_list", tags=["credit"], parameters=[*LIST_PARAMETERS, *CONDITIONAL_PARAMETERS],
        responses={200: page_serializer(CreditLineOutput, "CreditLineList"), 304: NOT_MODIFIED},
        summary="The customer's credit lines",
    )
    def get(self, request: Request) -> Response:
        customer_id = require(request, READ)
        page = paginate(request, selectors.credit_lines_of(customer_id=customer_id),
                        serialize=lambda rows: list(CreditLineOutput([line_data(r) for r in rows], many=True).data))
        return conditional_data(request, page, scope=read_scope(request))


class CreditLineDetailApi(LendingView):
    @extend_schema(
        operation_id="credit_lines_retrieve", tags=["credit"], parameters=CONDITIONAL_PARAMETERS,
        responses={200: CreditLineOutput, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, line_id: str) -> Response:
        customer_id = require(request, READ)
        line = selectors.credit_line_get(customer_id=customer_id, line_id=line_id)
        return conditional_data(request, CreditLineOutput(line_data(line)).data, scope=read_scope(request))


class DrawdownInput(StrictSerializer):
    """A drawdown: a new loan on the line, paid into a deposit account the consent shares."""

    amount = MoneyInputSerializer()
    term_months = serializers.IntegerField(min_value=1, max_value=360)
    repayment_method = serializers.ChoiceField(choices=RepaymentMethod.choices)
    deposit_account_id = StrictCharField(max_length=32, help_text="A deposit account shared in the consent; the loan is paid into it.")
    vehicle = serializers.JSONField(required=False, allow_null=True, help_text="Auto loans: the vehicle's details.")

    class Meta:
        ref_name = "DrawdownCreate"


DRAWDOWN_EXAMPLES = [
    OpenApiExample(
        "RMB 8,000 over 10 months, equal installments",
        request_only=True,
        value={
            "amount": {"amount": "8000.00", "currency": "CNY"},
            "term_months": 10,
            "repayment_method": "equal_installment",
            "deposit_account_id": "acc_01JCXQ1B6D9F2H5K8M1P4R7T0V",
        },
    )
]


class CreditLineDrawdownApi(LendingView):
    @extend_schema(
        examples=DRAWDOWN_EXAMPLES,
        operation_id="credit_lines_drawdown", tags=["credit"], request=DrawdownInput, responses={201: LoanOutput},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        extensions=declare_errors(
            *money_input_errors("amount"),
            NotFound("No such deposit account."),
            CurrencyMismatch("The currency must be CNY.",
                             errors=[field_error("amount.currency", "currency_mismatch", "Use CNY.")]),
            CreditLimitExceeded("The drawdown exceeds the available credit of CNY 2000.00."),
            TermNotAllowed("Terms offered: 3, 6, 12 months."),
            MethodNotAllowed("Methods offered: equal_installment, equal_principal."),
            AmountOutOfRange("Draw from CNY 500.00 to CNY 200000.00."),
            CustomerBlacklisted("Credit is not available to this customer."),
            DEPOSIT_ACCOUNT_NOT_IN_CONSENT,
            CustomerNotVerified("The customer's identity check is pending."),
            CreditLineNotActive("The credit line is frozen."),
        ),
        summary="Draw on a credit line",
        description=(
            "Creates a loan with its schedule and pays it into the deposit account. Errors: 422 "
            "`credit_limit_exceeded`, `term_not_allowed`, `method_not_allowed_for_product`, `amount_out_of_range`, "
            "`customer_blacklisted`, `currency_mismatch`, `deposit_account_not_in_consent`, `kyc_not_verified`; "
            "409 `credit_line_not_active`."
        ),
    )
    @idempotent()
    def post(self, request: Request, line_id: str) -> Response:
        customer_id = require(request, MANAGE)
        line = selectors.credit_line_get(customer_id=customer_id, line_id=line_id)
        data = DrawdownInput(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        amount = parse_money_input(body["amount"], currency=line.currency).minor
        account = consented_deposit_account(request, customer_id=customer_id, account_id=body["deposit_account_id"])
        loan = origination.loan_drawdown(
            line_id=line.id, customer_id=customer_id, amount_minor=amount, term_months=body["term_months"],
            method=body["repayment_method"], deposit_account=account, vehicle=body.get("vehicle"), actor=actor(request),
        )
        return Response(LoanOutput(loan_data(loan)).data, status=status.HTTP_201_CREATED,
                        headers={"Location": reverse("loans-detail", args=[loan.id])})
