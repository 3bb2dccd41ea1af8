"""Credit lines, drawdowns, loans, schedules, payoff quotes, repayments and SME applications (scope `credit`)."""
from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import DepositAccount
from apps.core.api import IDEMPOTENCY_KEY_PARAMETER, PlatformAPIView
from apps.core.errors import NotFound, Unprocessable, ValidationFailed, field_error
from apps.core.idempotency import idempotent
from apps.core.money import money_json, parse_amount
from apps.core.pagination import LIST_PARAMETERS, page_serializer, paginate
from apps.core.serializers import MoneyInputSerializer, MoneySerializer
from apps.customers.models import Customer
from apps.oauth.authentication import TokenInfo
from apps.oauth.permissions import CustomerScopes, consent_customer_id

from . import selectors, services
from .models import CreditApplication, CreditLine, Installment, Loan, Product, RepaymentMethod, RiskDecision

READ, MANAGE = "read_credit", "manage_credit"


def _auth(request: Request) -> TokenInfo:
    return cast(TokenInfo, request.auth)


def _require(request: Request, permission: str) -> str:
    """The customer behind the token, if its consent grants `permission`."""
    return consent_customer_id(_auth(request), permission)


def _parse_money(data: dict[str, Any], field: str, currency: str) -> int:
    if data.get("currency") != currency:
        raise ValidationFailed(
            f"The currency must be {currency}.",
            code="currency_mismatch",
            errors=[field_error(f"{field}.currency", "currency_mismatch", f"Use {currency}.")],
        )
    return parse_amount(data.get("amount"), currency, field=f"{field}.amount").minor


class _Base(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["credit"]], "POST": [["credit"]]}


# --------------------------------------------------------------------------- credit lines


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


def _line(line: CreditLine) -> dict[str, Any]:
    p, c = line.product, line.currency
    return {
        "id": line.id, "product_id": p.id, "product_name": p.name, "product_kind": p.kind, "status": line.status,
        "limit": money_json(line.limit_minor, c), "used": money_json(line.used_minor, c), "available": money_json(line.available_minor, c),
        "daily_rate": f"{line.daily_rate:.9f}", "allowed_terms": p.allowed_terms, "allowed_methods": p.allowed_methods,
        "opened_at": line.opened_at,
    }


class CreditLineListApi(_Base):
    @extend_schema(
        operation_id="credit_lines_list", tags=["credit"], parameters=LIST_PARAMETERS,
        responses={200: page_serializer(CreditLineOutput, "CreditLineList")},
        summary="The customer's credit lines",
    )
    def get(self, request: Request) -> Response:
        customer_id = _require(request, READ)
        return Response(paginate(request, selectors.credit_lines_of(customer_id=customer_id),
                                 serialize=lambda rows: list(CreditLineOutput([_line(r) for r in rows], many=True).data)))


class CreditLineDetailApi(_Base):
    @extend_schema(operation_id="credit_lines_retrieve", tags=["credit"], responses={200: CreditLineOutput})
    def get(self, request: Request, line_id: str) -> Response:
        customer_id = _require(request, READ)
        return Response(CreditLineOutput(_line(selectors.credit_line_get(customer_id=customer_id, line_id=line_id))).data)


# --------------------------------------------------------------------------- loans


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


def _loan(loan: Loan) -> dict[str, Any]:
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
            for s in loan.status_changes.order_by("id")
        ],
        "created_at": loan.created_at,
    }


class DrawdownInput(serializers.Serializer):
    amount = MoneyInputSerializer()
    term_months = serializers.IntegerField(min_value=1, max_value=360)
    repayment_method = serializers.ChoiceField(choices=RepaymentMethod.choices)
    deposit_account_id = serializers.CharField(help_text="A deposit account shared in the consent; the loan is paid into it.")
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


class CreditLineDrawdownApi(_Base):
    @extend_schema(
        examples=DRAWDOWN_EXAMPLES,
        operation_id="credit_lines_drawdown", tags=["credit"], request=DrawdownInput, responses={201: LoanOutput},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Draw on a credit line",
        description=(
            "Creates a loan with its schedule and pays it into the deposit account. Errors: 422 "
            "`credit_limit_exceeded`, `term_not_allowed`, `method_not_allowed_for_product`, `amount_out_of_range`, "
            "`customer_blacklisted`; 409 `credit_line_not_active`."
        ),
    )
    @idempotent()
    def post(self, request: Request, line_id: str) -> Response:
        customer_id = _require(request, MANAGE)
        line = selectors.credit_line_get(customer_id=customer_id, line_id=line_id)
        data = DrawdownInput(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        amount = _parse_money(body["amount"], "amount", line.currency)
        account_id = body["deposit_account_id"]
        account = DepositAccount.objects.filter(pk=account_id, customer_id=customer_id).first()
        if account is None or account_id not in _auth(request).consent_account_ids:
            raise Unprocessable(
                "The deposit account is not one the customer shared in this consent.",
                code="deposit_account_not_in_consent",
                errors=[field_error("deposit_account_id", "not_in_consent", "Use an account shared in the consent.")],
            )
        loan = services.loan_drawdown(
            line_id=line.id, customer_id=customer_id, amount_minor=amount, term_months=body["term_months"],
            method=body["repayment_method"], deposit_account=account, vehicle=body.get("vehicle"),
        )
        return Response(LoanOutput(_loan(loan)).data, status=status.HTTP_201_CREATED,
                        headers={"Location": reverse("loans-detail", args=[loan.id])})


class LoanListApi(_Base):
    @extend_schema(
        operation_id="loans_list", tags=["credit"], parameters=LIST_PARAMETERS,
        responses={200: page_serializer(LoanOutput, "LoanList")}, summary="The customer's loans",
    )
    def get(self, request: Request) -> Response:
        customer_id = _require(request, READ)
        return Response(paginate(request, selectors.loans_of(customer_id=customer_id),
                                 serialize=lambda rows: list(LoanOutput([_loan(r) for r in rows], many=True).data)))


class LoanDetailApi(_Base):
    @extend_schema(operation_id="loans_retrieve", tags=["credit"], responses={200: LoanOutput})
    def get(self, request: Request, loan_id: str) -> Response:
        customer_id = _require(request, READ)
        return Response(LoanOutput(_loan(selectors.loan_get(customer_id=customer_id, loan_id=loan_id))).data)


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


class LoanScheduleApi(_Base):
    @extend_schema(
        operation_id="loans_schedule", tags=["credit"], responses={200: ScheduleOutput},
        summary="The loan's repayment schedule, with what has been paid",
    )
    def get(self, request: Request, loan_id: str) -> Response:
        customer_id = _require(request, READ)
        loan = selectors.loan_get(customer_id=customer_id, loan_id=loan_id)
        rows = selectors.loan_schedule(loan=loan)
        c = loan.currency
        return Response(ScheduleOutput({
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
        }).data)


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


class LoanPayoffQuoteApi(_Base):
    @extend_schema(
        operation_id="loans_payoff_quote", tags=["credit"], responses={200: PayoffQuoteOutput},
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="Payoff date (default: today's business date).",
                                     required=False)],
        summary="What it costs to repay the loan in full on a date (interest to the day, no fee)",
    )
    def get(self, request: Request, loan_id: str) -> Response:
        customer_id = _require(request, READ)
        loan = selectors.loan_get(customer_id=customer_id, loan_id=loan_id)
        raw = request.query_params.get("date")
        as_of = None
        if raw:
            try:
                as_of = date.fromisoformat(raw)
            except ValueError:
                raise ValidationFailed("date must be YYYY-MM-DD.", errors=[field_error("date", "invalid", "Use YYYY-MM-DD.")]) from None
        pos = services.loan_payoff_quote(loan=loan, as_of=as_of)
        c, d = loan.currency, pos.dues
        return Response(PayoffQuoteOutput({
            "loan_id": loan.id, "date": pos.as_of, "principal": money_json(pos.principal_minor, c),
            "interest": money_json(pos.interest_minor, c), "penalty": money_json(d.penalty_minor, c),
            "total": money_json(pos.total_minor, c), "overdue_principal": money_json(d.overdue_principal_minor, c),
            "overdue_interest": money_json(d.overdue_interest_minor, c), "days_accrued": pos.days_accrued,
        }).data)


class RepaymentInput(serializers.Serializer):
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


class LoanRepaymentApi(_Base):
    @extend_schema(
        examples=REPAYMENT_EXAMPLES,
        operation_id="loans_repay", tags=["credit"], request=RepaymentInput, responses={201: RepaymentOutput},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Repay any amount up to everything owed",
        description=(
            "Allocated to penalty, overdue interest, overdue principal, current interest, current principal, then "
            "principal not yet due (a prepayment keeps the term and lowers the remaining installments; paying "
            "everything closes the loan). Debits the loan's deposit account. Errors: 422 "
            "`repayment_exceeds_outstanding`, `insufficient_funds`; 409 `loan_not_active`."
        ),
    )
    @idempotent()
    def post(self, request: Request, loan_id: str) -> Response:
        customer_id = _require(request, MANAGE)
        loan = selectors.loan_get(customer_id=customer_id, loan_id=loan_id)
        data = RepaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        amount = _parse_money(data.validated_data["amount"], "amount", loan.currency)
        repayment = services.loan_repay(
            loan_id=loan.id, customer_id=customer_id, amount_minor=amount,
            reference=f"api:{_auth(request).application_id}:{services.new_reference()}",
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


# --------------------------------------------------------------------------- applications


class CreditApplicationInput(serializers.Serializer):
    product_id = serializers.CharField(required=False, help_text="Default: the bank's SME credit line product.")
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


class CreditApplicationCreateApi(_Base):
    @extend_schema(
        operation_id="credit_applications_create", tags=["credit"], request=CreditApplicationInput,
        responses={201: CreditApplicationOutput}, parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Apply for an SME credit line (business customers)",
        description=(
            "The bank's risk engine decides at once: `approved` (a credit line is opened), `referred` (to a "
            "credit officer) or `declined`. Errors: 422 `business_customer_required`, `amount_out_of_range`, "
            "`not_invited`; 409 `credit_line_exists`."
        ),
    )
    @idempotent()
    def post(self, request: Request) -> Response:
        customer_id = _require(request, MANAGE)
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
        application = services.credit_application_create(
            customer=customer, product=product,
            requested_amount_minor=_parse_money(body["requested_amount"], "requested_amount", product.currency),
            business_data={
                "annual_revenue_minor": _parse_money(body["annual_revenue"], "annual_revenue", product.currency),
                "years_in_business": body["years_in_business"],
                "employees": body.get("employees"),
            },
        )
        return Response(
            CreditApplicationOutput(_application(application)).data, status=status.HTTP_201_CREATED,
            headers={"Location": reverse("credit-applications-detail", args=[application.id])},
        )


class CreditApplicationDetailApi(_Base):
    @extend_schema(operation_id="credit_applications_retrieve", tags=["credit"], responses={200: CreditApplicationOutput})
    def get(self, request: Request, application_id: str) -> Response:
        customer_id = _require(request, READ)
        return Response(CreditApplicationOutput(_application(selectors.credit_application_get(customer_id=customer_id, application_id=application_id))).data)
