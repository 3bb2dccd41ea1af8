"""Loans: list, detail, schedule, payoff quote, repayments (scope `credit`)."""
from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import IDEMPOTENCY_KEY_PARAMETER
from apps.core.conditional import conditional_data
from apps.core.errors import Unprocessable, ValidationFailed, field_error
from apps.core.idempotency import idempotent
from apps.core.money import CurrencyMismatch, money_json, parse_money_input
from apps.core.pagination import LIST_PARAMETERS, page_serializer, paginate
from apps.core.schema import declare_errors, money_input_errors
from apps.core.serializers import MoneyInputSerializer, MoneySerializer, StrictSerializer
from apps.customers.selectors import CustomerNotVerified
from apps.ledger.services import InsufficientFunds

from .. import selectors, servicing
from ..errors import BusinessDateBeforeLastAccrual, LoanNotActive, RepaymentExceedsOutstanding
from ..models import Installment, Loan, RepaymentMethod
from .common import (
    CONDITIONAL_PARAMETERS,
    MANAGE,
    NOT_MODIFIED,
    READ,
    DepositAccountNotInConsent,
    LendingView,
    actor,
    auth,
    read_scope,
    require,
    require_account_in_consent,
)


class StatusChangeOutput(serializers.Serializer):
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField()
    reason = serializers.CharField()
    business_date = serializers.DateField()
    timestamp = serializers.DateTimeField()

    class Meta:
        ref_name = "LoanStatusChange"


class LoanOutput(serializers.Serializer):
    id = serializers.CharField()
    credit_line_id = serializers.CharField()
    product_id = serializers.CharField()
    status = serializers.ChoiceField(choices=Loan.Status.choices)
    principal = MoneySerializer()
    outstanding_principal = MoneySerializer()
    repayment_method = serializers.ChoiceField(choices=RepaymentMethod.choices)
    term_months = serializers.IntegerField()
    daily_rate = serializers.CharField()
    penalty_daily_rate = serializers.CharField()
    disbursement_date = serializers.DateField()
    maturity_date = serializers.DateField()
    deposit_account_id = serializers.CharField()
    days_past_due = serializers.IntegerField()
    delinquency_bucket = serializers.ChoiceField(choices=Loan.Bucket.choices)
    vehicle = serializers.JSONField(allow_null=True)
    status_history = StatusChangeOutput(many=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Loan"


def loan_data(loan: Loan) -> dict[str, Any]:
    c = loan.currency
    return {
        "id": loan.id, "credit_line_id": loan.line_id, "product_id": loan.product_id, "status": loan.status,
        "principal": money_json(loan.principal_minor, c), "outstanding_principal": money_json(loan.outstanding_principal_minor, c),
        "repayment_method": loan.method, "term_months": loan.term_months, "daily_rate": f"{loan.daily_rate:.9f}",
        "penalty_daily_rate": f"{loan.penalty_daily_rate:.9f}", "disbursement_date": loan.disbursement_date,
        "maturity_date": loan.maturity_date, "deposit_account_id": loan.deposit_account_id,
        "days_past_due": loan.days_past_due, "delinquency_bucket": loan.delinquency_bucket, "vehicle": loan.vehicle,
        "status_history": [
            {"from_status": s.from_status, "to_status": s.to_status, "reason": s.reason,
             "business_date": s.business_date, "timestamp": s.timestamp}
            for s in loan.status_changes.all()  # prefetched by the selectors, in id order
        ],
        "created_at": loan.created_at,
    }


BUSINESS_DATE_BEFORE_LAST_ACCRUAL = BusinessDateBeforeLastAccrual(
    "The business date 2026-11-13 is before the loan's last accrual on 2026-11-14."
)


class LoanListApi(LendingView):
    @extend_schema(
        operation_id="loans_list", tags=["credit"], parameters=[*LIST_PARAMETERS, *CONDITIONAL_PARAMETERS],
        responses={200: page_serializer(LoanOutput, "LoanList"), 304: NOT_MODIFIED}, summary="The customer's loans",
    )
    def get(self, request: Request) -> Response:
        customer_id = require(request, READ)
        page = paginate(request, selectors.loans_of(customer_id=customer_id),
                        serialize=lambda rows: list(LoanOutput([loan_data(r) for r in rows], many=True).data))
        return conditional_data(request, page, scope=read_scope(request))


class LoanDetailApi(LendingView):
    @extend_schema(
        operation_id="loans_retrieve", tags=["credit"], parameters=CONDITIONAL_PARAMETERS,
        responses={200: LoanOutput, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, loan_id: str) -> Response:
        customer_id = require(request, READ)
        loan = selectors.loan_get(customer_id=customer_id, loan_id=loan_id)
        return conditional_data(request, LoanOutput(loan_data(loan)).data, scope=read_scope(request))


class InstallmentOutput(serializers.Serializer):
    number = serializers.IntegerField()
    period_start = serializers.DateField()
    due_date = serializers.DateField()
    principal = MoneySerializer()
    interest = MoneySerializer()
    total = MoneySerializer()
    principal_paid = MoneySerializer()
    interest_paid = MoneySerializer()
    penalty = MoneySerializer()
    penalty_paid = MoneySerializer()
    status = serializers.ChoiceField(choices=Installment.Status.choices)
    paid_on = serializers.DateField(allow_null=True)

    class Meta:
        ref_name = "Installment"


class ScheduleOutput(serializers.Serializer):
    loan_id = serializers.CharField()
    repayment_method = serializers.ChoiceField(choices=RepaymentMethod.choices)
    total_principal = MoneySerializer()
    total_interest = MoneySerializer()
    installments = InstallmentOutput(many=True)

    class Meta:
        ref_name = "LoanSchedule"


class LoanScheduleApi(LendingView):
    @extend_schema(
        operation_id="loans_schedule", tags=["credit"], parameters=CONDITIONAL_PARAMETERS,
        responses={200: ScheduleOutput, 304: NOT_MODIFIED},
        summary="The loan's repayment schedule, with what has been paid",
    )
    def get(self, request: Request, loan_id: str) -> Response:
        customer_id = require(request, READ)
        loan = selectors.loan_get(customer_id=customer_id, loan_id=loan_id)
        rows = selectors.loan_schedule(loan=loan)
        c = loan.currency
        schedule = ScheduleOutput({
            "loan_id": loan.id, "repayment_method": loan.method,
            "total_principal": money_json(sum(r.principal_minor for r in rows), c),
            "total_interest": money_json(sum(r.interest_minor for r in rows), c),
            "installments": [
                {
                    "number": r.number, "period_start": r.period_start, "due_date": r.due_date,
                    "principal": money_json(r.principal_minor, c), "interest": money_json(r.interest_minor, c),
                    "total": money_json(r.principal_minor + r.interest_minor, c),
                    "principal_paid": money_json(r.principal_paid_minor, c), "interest_paid": money_json(r.interest_paid_minor, c),
                    "penalty": money_json(r.penalty_minor, c), "penalty_paid": money_json(r.penalty_paid_minor, c),
                    "status": r.status, "paid_on": r.paid_on,
                }
                for r in rows
            ],
        }).data
        return conditional_data(request, schedule, scope=read_scope(request))


class PayoffQuoteOutput(serializers.Serializer):
    loan_id = serializers.CharField()
    date = serializers.DateField()
    principal = MoneySerializer()
    interest = MoneySerializer()
    penalty = MoneySerializer()
    total = MoneySerializer()
    overdue_principal = MoneySerializer()
    overdue_interest = MoneySerializer()
    days_accrued = serializers.IntegerField(help_text="Days of interest in the current period up to the date.")

    class Meta:
        ref_name = "PayoffQuote"


class LoanPayoffQuoteApi(LendingView):
    @extend_schema(
        operation_id="loans_payoff_quote", tags=["credit"], responses={200: PayoffQuoteOutput},
        extensions=declare_errors(
            ValidationFailed("date must be YYYY-MM-DD.", errors=[field_error("date", "invalid", "Use YYYY-MM-DD.")]),
            Unprocessable("A payoff quote is for today or a later date.", code="quote_date_in_past"),
            LoanNotActive("The loan is closed."),
            BUSINESS_DATE_BEFORE_LAST_ACCRUAL,
        ),
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="Payoff date (default: today's business date).",
                                     required=False)],
        summary="What it costs to repay the loan in full on a date (interest to the day, no fee)",
    )
    def get(self, request: Request, loan_id: str) -> Response:
        customer_id = require(request, READ)
        loan = selectors.loan_get(customer_id=customer_id, loan_id=loan_id)
        raw = request.query_params.get("date")
        as_of = None
        if raw:
            try:
                as_of = date.fromisoformat(raw)
            except ValueError:
                raise ValidationFailed("date must be YYYY-MM-DD.", errors=[field_error("date", "invalid", "Use YYYY-MM-DD.")]) from None
        pos = servicing.loan_payoff_quote(loan=loan, as_of=as_of)
        c, d = loan.currency, pos.dues
        return Response(PayoffQuoteOutput({
            "loan_id": loan.id, "date": pos.as_of, "principal": money_json(pos.principal_minor, c),
            "interest": money_json(pos.interest_minor, c), "penalty": money_json(d.penalty_minor, c),
            "total": money_json(pos.total_minor, c), "overdue_principal": money_json(d.overdue_principal_minor, c),
            "overdue_interest": money_json(d.overdue_interest_minor, c), "days_accrued": pos.days_accrued,
        }).data)


class RepaymentInput(StrictSerializer):
    """A repayment from the loan's deposit account."""

    amount = MoneyInputSerializer()

    class Meta:
        ref_name = "RepaymentCreate"


class AllocationOutput(serializers.Serializer):
    penalty = MoneySerializer()
    overdue_interest = MoneySerializer()
    overdue_principal = MoneySerializer()
    current_interest = MoneySerializer()
    current_principal = MoneySerializer()
    prepaid_principal = MoneySerializer()

    class Meta:
        ref_name = "RepaymentAllocation"


class RepaymentOutput(serializers.Serializer):
    id = serializers.CharField()
    loan_id = serializers.CharField()
    amount = MoneySerializer()
    allocation = AllocationOutput()
    business_date = serializers.DateField()
    loan_status = serializers.ChoiceField(choices=Loan.Status.choices)
    outstanding_principal = MoneySerializer()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Repayment"


REPAYMENT_EXAMPLES = [
    OpenApiExample(
        "Repay RMB 1,000 today",
        request_only=True,
        value={"amount": {"amount": "1000.00", "currency": "CNY"}},
    )
]


class LoanRepaymentApi(LendingView):
    @extend_schema(
        examples=REPAYMENT_EXAMPLES,
        operation_id="loans_repay", tags=["credit"], request=RepaymentInput, responses={201: RepaymentOutput},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        extensions=declare_errors(
            *money_input_errors("amount"),
            CurrencyMismatch("The currency must be CNY.",
                             errors=[field_error("amount.currency", "currency_mismatch", "Use CNY.")]),
            RepaymentExceedsOutstanding("The repayment exceeds everything owed (CNY 8123.45)."),
            InsufficientFunds("The account's available balance does not cover this amount."),
            DepositAccountNotInConsent(
                "The loan's deposit account is not one the customer shared in this consent; "
                "the repayment would be taken from it."
            ),
            CustomerNotVerified("The customer's identity check is pending."),
            LoanNotActive("The loan is closed."),
            BUSINESS_DATE_BEFORE_LAST_ACCRUAL,
        ),
        summary="Repay any amount up to everything owed",
        description=(
            "Allocated to penalty, overdue interest, overdue principal, current interest, current principal, then "
            "principal not yet due (a prepayment keeps the term and lowers the remaining installments; paying "
            "everything closes the loan). Debits the loan's deposit account, which the consent must share. "
            "Errors: 422 `repayment_exceeds_outstanding`, `insufficient_funds`, `currency_mismatch`, "
            "`deposit_account_not_in_consent`, `kyc_not_verified`; 409 `loan_not_active`, "
            "`business_date_before_last_accrual`."
        ),
    )
    @idempotent()
    def post(self, request: Request, loan_id: str) -> Response:
        customer_id = require(request, MANAGE)
        loan = selectors.loan_get(customer_id=customer_id, loan_id=loan_id)
        require_account_in_consent(request, account_id=loan.deposit_account_id)
        data = RepaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        amount = parse_money_input(data.validated_data["amount"], currency=loan.currency).minor
        repayment = servicing.loan_repay(
            loan_id=loan.id, customer_id=customer_id, amount_minor=amount,
            reference=f"api:{auth(request).application_id}:{servicing.new_reference()}", actor=actor(request),
        )
        loan.refresh_from_db()
        c = loan.currency
        r = repayment
        return Response(
            RepaymentOutput({
                "id": r.id, "loan_id": loan.id, "amount": money_json(r.amount_minor, c),
                "allocation": {
                    "penalty": money_json(r.penalty_minor, c), "overdue_interest": money_json(r.overdue_interest_minor, c),
                    "overdue_principal": money_json(r.overdue_principal_minor, c),
                    "current_interest": money_json(r.current_interest_minor, c),
                    "current_principal": money_json(r.current_principal_minor, c),
                    "prepaid_principal": money_json(r.prepaid_principal_minor, c),
                },
                "business_date": r.business_date, "loan_status": loan.status,
                "outstanding_principal": money_json(loan.outstanding_principal_minor, c), "created_at": r.created_at,
            }).data,
            status=status.HTTP_201_CREATED,
        )
