"""Origination: credit applications, credit lines and drawdowns (disbursement into a deposit account).

Accounting: a disbursement is Dr loans_receivable, Cr the customer's deposit account.
Lock order (docs/ledger.md): the credit line, then the loan, then ledger rows.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F

from apps.accounts.models import DepositAccount
from apps.core.actors import Actor
from apps.core.clock import business_date
from apps.core.errors import Conflict, NotFound
from apps.core.money import CurrencyMismatch, format_minor
from apps.customers.models import Customer
from apps.customers.selectors import customer_require_verified
from apps.ledger.bank_books import bank_account
from apps.ledger.services import Leg, ledger_post

from . import calculations as calc
from .errors import (
    AmountOutOfRange,
    BusinessCustomerRequired,
    CreditLimitExceeded,
    CreditLineNotActive,
    CustomerBlacklisted,
    DecisionNotApproved,
    MethodNotAllowed,
    NotInvited,
    TermNotAllowed,
)
from .models import (
    CreditApplication,
    CreditLine,
    Installment,
    Loan,
    LoanStatusChange,
    Product,
    RiskDecision,
    rate_to_nano,
)
from .risk import credit_decision_make, customer_is_blacklisted


def amount_range_text(product: Product) -> str:
    """The product's amount limits as the API writes money ("500.00 to 200000.00 CNY")."""
    return f"{format_minor(product.min_amount_minor, product.currency)} to {format_minor(product.max_amount_minor, product.currency)} {product.currency}"


@transaction.atomic
def credit_line_open(*, decision: RiskDecision, actor: Actor) -> CreditLine:
    """Open the line an approving decision allows (one active line per customer and product).

    `actor` opened it (the decision records who asked for it)."""
    customer_require_verified(customer=decision.customer)
    if decision.outcome != RiskDecision.Outcome.APPROVE:
        raise DecisionNotApproved(f"Decision {decision.id} is {decision.outcome}.")
    assert decision.daily_rate is not None  # every approving decision has a rate
    existing = (
        CreditLine.objects.select_for_update()
        .filter(customer_id=decision.customer_id, product_id=decision.product_id, status=CreditLine.Status.ACTIVE)
        .first()
    )
    if existing is not None:
        raise Conflict("The customer already has an active line for this product.", code="credit_line_exists")
    return CreditLine.objects.create(
        customer_id=decision.customer_id,
        product_id=decision.product_id,
        decision=decision,
        currency=decision.product.currency,
        limit_minor=decision.limit_minor,
        daily_rate=decision.daily_rate,
        business_date=business_date(),
    )


@transaction.atomic
def credit_application_create(
    *, customer: Customer, product: Product, requested_amount_minor: int, business_data: dict[str, Any], actor: Actor
) -> CreditApplication:
    """An application: a stored risk decision, and a line when approved (verified customers only)."""
    customer_require_verified(customer=customer)
    if product.kind == Product.Kind.SME_LINE and customer.kind != Customer.Kind.BUSINESS:
        raise BusinessCustomerRequired("SME credit is for business customers.")
    if not product.min_amount_minor <= requested_amount_minor <= product.max_amount_minor:
        raise AmountOutOfRange(f"Apply for {amount_range_text(product)}.")
    decision = credit_decision_make(
        customer=customer, product=product, actor=actor, declared=business_data,
        requested_amount_minor=requested_amount_minor,
    )
    if decision.outcome == RiskDecision.Outcome.NOT_INVITED:
        raise NotInvited("This product is not offered to this customer.")
    line = None
    statuses: dict[str, str] = {
        RiskDecision.Outcome.APPROVE: CreditApplication.Status.APPROVED,
        RiskDecision.Outcome.REFER: CreditApplication.Status.REFERRED,
    }
    status = statuses.get(decision.outcome, CreditApplication.Status.DECLINED)
    if status == CreditApplication.Status.APPROVED:
        if CreditLine.objects.filter(customer=customer, product=product, status=CreditLine.Status.ACTIVE).exists():
            raise Conflict("The customer already has an active line for this product.", code="credit_line_exists")
        line = credit_line_open(decision=decision, actor=actor)
    return CreditApplication.objects.create(
        customer=customer, product=product, requested_amount_minor=requested_amount_minor,
        business_data=business_data, decision=decision, credit_line=line, status=status,
    )


def loan_drawdown(
    *,
    line_id: str,
    customer_id: str,
    amount_minor: int,
    term_months: int,
    method: str,
    deposit_account: DepositAccount,
    actor: Actor,
    vehicle: dict[str, Any] | None = None,
) -> Loan:
    """Draw on a line: checks, the line locked (SELECT ... FOR UPDATE), schedule, disbursement.

    The line's lock comes first, before any ledger row (docs/ledger.md): repayments and
    write-offs take the same line lock first, so two money movements on one line queue on it."""
    with transaction.atomic():
        # FOR NO KEY UPDATE (see servicing.lock_line): money movements on the line queue here
        line = (
            CreditLine.objects.select_for_update(of=("self",), no_key=True)
            .select_related("product", "customer")
            .filter(pk=line_id, customer_id=customer_id)
            .first()
        )
        if line is None:
            raise NotFound("No such credit line.")
        product = line.product
        customer_require_verified(customer=line.customer)
        if customer_is_blacklisted(customer=line.customer):
            raise CustomerBlacklisted("Credit is not available to this customer.")
        if line.status != CreditLine.Status.ACTIVE:
            raise CreditLineNotActive(f"The credit line is {line.status}.")
        if term_months not in product.allowed_terms:
            raise TermNotAllowed(f"Terms offered: {', '.join(str(t) for t in product.allowed_terms)} months.")
        if method not in product.allowed_methods:
            raise MethodNotAllowed(f"Methods offered: {', '.join(product.allowed_methods)}.")
        if not product.min_amount_minor <= amount_minor <= product.max_amount_minor:
            raise AmountOutOfRange(f"Draw {amount_range_text(product)}.")
        if deposit_account.customer_id != customer_id or deposit_account.status != DepositAccount.Status.ACTIVE:
            raise NotFound("No such deposit account.")
        if deposit_account.currency != line.currency:
            raise CurrencyMismatch("The deposit account's currency differs from the line's.")
        if line.used_minor + amount_minor > line.limit_minor:
            raise CreditLimitExceeded(
                f"Available {format_minor(line.available_minor, line.currency)} {line.currency}; "
                f"requested {format_minor(amount_minor, line.currency)}."
            )
        CreditLine.objects.filter(pk=line.pk).update(used_minor=F("used_minor") + amount_minor)

        today = business_date()
        rate = line.daily_rate
        schedule = calc.build_schedule(
            principal_minor=amount_minor,
            disbursement_date=today,
            term_months=term_months,
            method=calc.RepaymentMethod(method.upper()),
            daily_rate=rate,
            day_count=calc.DayCount(product.day_count),
            rounding=product.rounding,
        )
        loan = Loan(
            line=line, customer_id=customer_id, product=product, deposit_account=deposit_account,
            currency=line.currency, principal_minor=amount_minor, method=method, term_months=term_months,
            daily_rate=rate, daily_rate_nano=rate_to_nano(rate), penalty_daily_rate=product.penalty_daily_rate,
            penalty_rate_nano=rate_to_nano(product.penalty_daily_rate), day_count=product.day_count,
            rounding=product.rounding, grace_days=product.grace_days, disbursement_date=today,
            maturity_date=schedule.maturity_date, status=Loan.Status.APPROVED, outstanding_principal_minor=amount_minor,
            principal_not_due_minor=amount_minor, period_start=today, last_accrual_date=today, vehicle=vehicle,
        )
        loan.save(force_insert=True)
        LoanStatusChange.objects.create(
            loan=loan, business_date=today, from_status="", to_status=Loan.Status.APPROVED, reason="drawdown accepted",
            actor=str(actor),
        )
        Installment.objects.bulk_create(
            [
                Installment(
                    loan=loan, number=i.number, period_start=i.period_start, due_date=i.due_date,
                    grace_until=i.due_date + timedelta(days=product.grace_days),
                    principal_minor=i.principal_minor, interest_minor=i.interest_minor,
                )
                for i in schedule.installments
            ]
        )
        entry = ledger_post(
            external_ref=f"loan:{loan.id}:disbursement",
            kind="loan_disbursement",
            description=f"Disbursement of {loan.id}",
            business_date=today,
            legs=[
                Leg(bank_account("loans_receivable", loan.currency).pk, amount_minor),
                Leg(deposit_account.ledger_account_id, -amount_minor),
            ],
        )
        loan.disbursement_entry = entry
        loan.move_to(Loan.Status.ACTIVE, reason="disbursed to the deposit account", day=today, actor=actor)
        loan.save(update_fields=["disbursement_entry", "status"])
    return loan
