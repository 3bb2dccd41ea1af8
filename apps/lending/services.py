"""Writes of the lending capability: risk decisions, credit lines, drawdowns, repayments, write-offs.

Accounting model (see docs/lending.md):
- disbursement: Dr loans_receivable, Cr the customer's deposit account;
- interest is recognised daily by the nightly job (Dr interest_receivable, Cr interest_income)
  and trued up to the contractual amount when an installment is billed or when accrued
  interest is paid, so interest_receivable always holds exactly the interest owed;
- repayment: Dr deposit, Cr loans_receivable (principal), Cr interest_receivable
  (interest), Cr penalty_income (penalty interest is recognised when collected);
- write-off: Dr write_off_expense, Cr loans_receivable and interest_receivable.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Sum

from apps.accounts.models import DepositAccount
from apps.core.clock import business_date
from apps.core.errors import Conflict, NotFound, Unprocessable
from apps.customers.models import Customer
from apps.ledger.bank_books import bank_account
from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from apps.ledger.services import Leg, ledger_post

from . import calculations as calc
from .models import (
    BlackListEntry,
    CreditApplication,
    CreditLine,
    Installment,
    Loan,
    LoanStatusChange,
    Product,
    Repayment,
    RiskDecision,
    Scorecard,
    WhiteListEntry,
    rate_to_nano,
)

# --------------------------------------------------------------------------- errors


class CreditLimitExceeded(Unprocessable):
    code, title = "credit_limit_exceeded", "The drawdown exceeds the available credit"


class NotInvited(Unprocessable):
    code, title = "not_invited", "This product is by invitation only"


class CustomerBlacklisted(Unprocessable):
    code, title = "customer_blacklisted", "Credit is not available to this customer"


class TermNotAllowed(Unprocessable):
    code, title = "term_not_allowed", "The product does not offer this term"


class MethodNotAllowed(Unprocessable):
    code, title = "method_not_allowed_for_product", "The product does not offer this repayment method"


class AmountOutOfRange(Unprocessable):
    code, title = "amount_out_of_range", "The amount is outside the product's limits"


class RepaymentExceedsOutstanding(Unprocessable):
    code, title = "repayment_exceeds_outstanding", "The repayment exceeds everything owed"


class CreditLineNotActive(Conflict):
    code, title = "credit_line_not_active", "The credit line is not active"


class LoanNotActive(Conflict):
    code, title = "loan_not_active", "The loan is not open for repayment"


class CurrencyMismatch(Unprocessable):
    code, title = "currency_mismatch", "The currency does not match"


class BusinessCustomerRequired(Unprocessable):
    code, title = "business_customer_required", "This product is for business customers"


class DecisionNotApproved(Conflict):
    code, title = "decision_not_approved", "The risk decision did not approve a line"


ACTIVE_LOAN_STATUSES = (Loan.Status.ACTIVE, Loan.Status.OVERDUE)
BILLED = (Installment.Status.DUE, Installment.Status.OVERDUE)


# --------------------------------------------------------------------------- risk engine


def national_id_hash(value: str) -> str:
    """How black-list entries identify people and companies: SHA-256 of the trimmed, upper-cased id."""
    return hashlib.sha256(value.strip().upper().encode("utf-8")).hexdigest()


def customer_is_blacklisted(*, customer: Customer) -> bool:
    condition = Q(customer=customer)
    if customer.registration_number:
        condition |= Q(national_id_hash=national_id_hash(customer.registration_number))
    return BlackListEntry.objects.filter(condition).exists()


def _customer_features(*, customer: Customer, product: Product, declared: dict[str, Any]) -> dict[str, Any]:
    """Everything the scorecard looks at, read from the bank's own data (ledger, loans)."""
    today = business_date()
    ledger_ids = list(DepositAccount.objects.filter(customer=customer).values_list("ledger_account_id", flat=True))
    balance = LedgerAccount.objects.filter(pk__in=ledger_ids).aggregate(t=Sum("balance_minor"))["t"] or 0
    since = today - timedelta(days=90)
    inflow = -(
        Posting.objects.filter(account_id__in=ledger_ids, amount_minor__lt=0, business_date__gte=since).aggregate(
            t=Sum("amount_minor")
        )["t"]
        or 0
    )
    loans = Loan.objects.filter(customer=customer)
    exposure_lines = (
        CreditLine.objects.filter(customer=customer, status=CreditLine.Status.ACTIVE)
        .exclude(product=product)
        .aggregate(t=Sum("limit_minor"))["t"]
        or 0
    )
    features: dict[str, Any] = {
        "income_band": str(declared.get("income_band") or "unknown"),
        "tenure_days": max(0, (today - customer.created_at.date()).days),
        "deposit_balance_minor": int(balance),
        "deposit_inflow_90d_minor": int(inflow),
        "loans_repaid": loans.filter(status=Loan.Status.CLOSED).count(),
        "max_days_past_due": max([0, *loans.filter(status__in=ACTIVE_LOAN_STATUSES).values_list("days_past_due", flat=True)]),
        "written_off_loans": loans.filter(status=Loan.Status.WRITTEN_OFF).count(),
        "existing_exposure_minor": int(exposure_lines),
    }
    if product.kind == Product.Kind.SME_LINE:
        features["annual_revenue_minor"] = int(declared.get("annual_revenue_minor") or 0)
        features["years_in_business"] = int(declared.get("years_in_business") or 0)
    return features


def _points(spec: dict[str, Any], value: Any) -> int:
    if "bands" in spec:
        points = 0
        for bound, band_points in sorted(spec["bands"], key=lambda b: b[0]):
            if value >= bound:
                points = band_points
        return int(points)
    return int(spec["map"].get(str(value), spec.get("default", 0)))


def _tier(tiers: list[list[Any]], score: int) -> Any:
    chosen = None
    for min_score, value in sorted(tiers, key=lambda t: t[0]):
        if score >= min_score:
            chosen = value
    return chosen


def scorecard_for(*, product: Product) -> Scorecard:
    card = Scorecard.objects.filter(product_kind=product.kind, active=True).order_by("-created_at", "-id").first()
    if card is None:
        raise Conflict(f"No active scorecard for {product.kind}.", code="scorecard_missing")
    return card


@transaction.atomic
def credit_decision_make(
    *, customer: Customer, product: Product, declared: dict[str, Any] | None = None, requested_amount_minor: int | None = None
) -> RiskDecision:
    """Decide (and store, with inputs, score, reasons and model version) whether to lend, how much, at what rate."""
    declared = declared or {}
    today = business_date()
    common = {"customer": customer, "product": product, "business_date": today}
    if customer_is_blacklisted(customer=customer):
        return RiskDecision.objects.create(
            **common, inputs={"black_list": True}, outcome=RiskDecision.Outcome.DECLINE,
            reasons=[{"code": "customer_blacklisted"}],
        )
    invitation = WhiteListEntry.objects.filter(customer=customer, product=product).first()
    if product.invitation_only and invitation is None:
        return RiskDecision.objects.create(
            **common, inputs={"invited": False}, outcome=RiskDecision.Outcome.NOT_INVITED, reasons=[{"code": "not_invited"}]
        )
    card = scorecard_for(product=product)
    features = _customer_features(customer=customer, product=product, declared=declared)
    weights = card.weights
    score = int(weights.get("base", 0))
    reasons: list[dict[str, Any]] = []
    for name, spec in weights["features"].items():
        if name not in features:
            continue
        pts = _points(spec, features[name])
        score += pts
        reasons.append({"code": "score_feature", "feature": name, "value": features[name], "points": pts})
    if score >= card.approve_threshold:
        outcome = RiskDecision.Outcome.APPROVE
    elif score >= card.refer_threshold:
        outcome = RiskDecision.Outcome.REFER
    else:
        outcome = RiskDecision.Outcome.DECLINE
        reasons.append({"code": "score_below_threshold", "threshold": card.refer_threshold})
    if features["written_off_loans"]:
        outcome = RiskDecision.Outcome.DECLINE
        reasons.append({"code": "prior_write_off"})
    limit = int(_tier(card.limit_tiers, score) or 0)
    caps = {"product_max": product.max_amount_minor, "exposure_cap": card.exposure_cap_minor - features["existing_exposure_minor"]}
    if invitation is not None and invitation.pre_approved_limit_minor:
        caps["pre_approved"] = invitation.pre_approved_limit_minor
    if requested_amount_minor:
        caps["requested"] = requested_amount_minor
    for cap_name, cap in caps.items():
        if cap < limit:
            limit = max(0, cap)
            reasons.append({"code": "limit_capped", "by": cap_name, "limit_minor": limit})
    rate_raw = _tier(card.rate_tiers, score)
    rate = Decimal(str(rate_raw)) if rate_raw is not None else product.max_daily_rate
    rate = min(max(rate, product.min_daily_rate), product.max_daily_rate)
    if outcome == RiskDecision.Outcome.APPROVE and limit < product.min_amount_minor:
        outcome = RiskDecision.Outcome.DECLINE
        reasons.append({"code": "limit_below_product_minimum", "limit_minor": limit})
    if outcome != RiskDecision.Outcome.APPROVE:
        limit = 0
    return RiskDecision.objects.create(
        **common, scorecard=card, model_version=card.version, inputs=features, score=score, outcome=outcome,
        reasons=reasons, limit_minor=limit, daily_rate=rate,
    )


@transaction.atomic
def credit_line_open(*, decision: RiskDecision) -> CreditLine:
    """Open the line an approving decision allows (one active line per customer and product)."""
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
    *, customer: Customer, product: Product, requested_amount_minor: int, business_data: dict[str, Any]
) -> CreditApplication:
    """An application: a stored risk decision, and a line when approved."""
    if product.kind == Product.Kind.SME_LINE and customer.kind != Customer.Kind.BUSINESS:
        raise BusinessCustomerRequired("SME credit is for business customers.")
    if not product.min_amount_minor <= requested_amount_minor <= product.max_amount_minor:
        raise AmountOutOfRange(
            f"Apply for {product.min_amount_minor / 100:.2f} to {product.max_amount_minor / 100:.2f} {product.currency}."
        )
    decision = credit_decision_make(
        customer=customer, product=product, declared=business_data, requested_amount_minor=requested_amount_minor
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
        line = credit_line_open(decision=decision)
    return CreditApplication.objects.create(
        customer=customer, product=product, requested_amount_minor=requested_amount_minor,
        business_data=business_data, decision=decision, credit_line=line, status=status,
    )


# --------------------------------------------------------------------------- status history


def _set_status(loan: Loan, to: str, *, reason: str, day: date) -> None:
    if loan.status == to:
        return
    LoanStatusChange.objects.create(loan=loan, business_date=day, from_status=loan.status, to_status=to, reason=reason)
    loan.status = to


# --------------------------------------------------------------------------- drawdown


def loan_drawdown(
    *,
    line_id: str,
    customer_id: str,
    amount_minor: int,
    term_months: int,
    method: str,
    deposit_account: DepositAccount,
    vehicle: dict[str, Any] | None = None,
) -> Loan:
    """Draw on a line: checks, the line locked (SELECT ... FOR UPDATE), schedule, disbursement."""
    with transaction.atomic():
        line = (
            CreditLine.objects.select_for_update(of=("self",))
            .select_related("product", "customer")
            .filter(pk=line_id, customer_id=customer_id)
            .first()
        )
        if line is None:
            raise NotFound("No such credit line.")
        product = line.product
        if customer_is_blacklisted(customer=line.customer):
            raise CustomerBlacklisted("Credit is not available to this customer.")
        if line.status != CreditLine.Status.ACTIVE:
            raise CreditLineNotActive(f"The credit line is {line.status}.")
        if term_months not in product.allowed_terms:
            raise TermNotAllowed(f"Terms offered: {', '.join(str(t) for t in product.allowed_terms)} months.")
        if method not in product.allowed_methods:
            raise MethodNotAllowed(f"Methods offered: {', '.join(product.allowed_methods)}.")
        if not product.min_amount_minor <= amount_minor <= product.max_amount_minor:
            raise AmountOutOfRange(
                f"Draw {product.min_amount_minor / 100:.2f} to {product.max_amount_minor / 100:.2f} {product.currency}."
            )
        if deposit_account.customer_id != customer_id or deposit_account.status != DepositAccount.Status.ACTIVE:
            raise NotFound("No such deposit account.")
        if deposit_account.currency != line.currency:
            raise CurrencyMismatch("The deposit account's currency differs from the line's.")
        if line.used_minor + amount_minor > line.limit_minor:
            raise CreditLimitExceeded(
                f"Available {line.available_minor / 100:.2f} {line.currency}; requested {amount_minor / 100:.2f}."
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
            loan=loan, business_date=today, from_status="", to_status=Loan.Status.APPROVED, reason="drawdown accepted"
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
        _set_status(loan, Loan.Status.ACTIVE, reason="disbursed to the deposit account", day=today)
        loan.save(update_fields=["disbursement_entry", "status"])
    return loan


# --------------------------------------------------------------------------- position (what is owed)


@dataclass
class LoanPosition:
    as_of: date
    dues: calc.Dues
    accrued_to_day_minor: int  # contractual interest of the current period up to as_of
    accrued_unpaid_minor: int
    billed: list[Installment]
    overdue_numbers: set[int]
    penalty_charged: dict[int, int] = field(default_factory=dict)
    principal_not_due_minor: int = 0
    days_accrued: int = 0

    @property
    def total_minor(self) -> int:
        return self.dues.total_minor

    @property
    def principal_minor(self) -> int:
        d = self.dues
        return d.overdue_principal_minor + d.current_principal_minor + d.prepayable_principal_minor

    @property
    def interest_minor(self) -> int:
        return self.dues.overdue_interest_minor + self.dues.current_interest_minor


def loan_position(*, loan: Loan, installments: list[Installment], as_of: date, include_accrued: bool = True) -> LoanPosition:
    """What the loan owes on `as_of` (today or later), by allocation bucket.

    Installments due on or before `as_of` count as billed even if the nightly job has not
    billed them yet (a quote for a future date). Contractual interest to the day comes from
    `calculations.payoff_quote`; penalty (on principal past the grace days, from the due
    date) from `calculations.penalty_interest`, rounded half up.
    """
    billed = [r for r in installments if r.status in BILLED or (r.status == Installment.Status.SCHEDULED and r.due_date <= as_of)]
    virtual = [r for r in billed if r.status == Installment.Status.SCHEDULED]
    period_start = max([loan.period_start, *[r.due_date for r in virtual]])
    unpaid: list[calc.UnpaidInstallment] = []
    for r in billed:
        interest_paid = r.interest_paid_minor
        if r.status == Installment.Status.SCHEDULED and r.period_start == loan.period_start:
            interest_paid = min(r.interest_minor, interest_paid + loan.current_interest_paid_minor)
        unpaid.append(
            calc.UnpaidInstallment(
                number=r.number, due_date=r.due_date, principal_due_minor=r.principal_minor,
                interest_due_minor=r.interest_minor, principal_paid_minor=r.principal_paid_minor,
                interest_paid_minor=interest_paid, penalty_paid_minor=r.penalty_paid_minor,
            )
        )
    quote = calc.payoff_quote(
        state=calc.LoanState(
            outstanding_principal_minor=loan.outstanding_principal_minor,
            last_accrual_date=period_start,
            daily_rate=loan.daily_rate,
            unpaid_installments=tuple(unpaid),
        ),
        as_of=as_of,
        rounding=loan.rounding,
    )
    accrued_unpaid = quote.accrued_interest_minor - (0 if virtual else loan.current_interest_paid_minor)
    accrued_unpaid = max(0, accrued_unpaid)
    penalty = 0
    charged: dict[int, int] = {}
    buckets: defaultdict[str, int] = defaultdict(int)
    overdue_numbers: set[int] = set()
    for r, u in zip(billed, unpaid, strict=True):
        overdue = as_of > r.grace_until
        if overdue:
            overdue_numbers.add(r.number)
            charged[r.number] = calc.penalty_interest(
                overdue_principal_minor=u.principal_unpaid_minor, penalty_daily_rate=loan.penalty_daily_rate,
                days=(as_of - r.due_date).days, rounding=ROUND_HALF_UP,
            )
            penalty += max(0, charged[r.number] - r.penalty_paid_minor)
        kind = "overdue" if overdue else "current"
        buckets[f"{kind}_interest"] += u.interest_unpaid_minor
        buckets[f"{kind}_principal"] += u.principal_unpaid_minor
    not_due = loan.principal_not_due_minor - sum(r.principal_minor - r.principal_paid_minor for r in virtual)
    dues = calc.Dues(
        penalty_minor=penalty,
        overdue_interest_minor=buckets["overdue_interest"],
        overdue_principal_minor=buckets["overdue_principal"],
        current_interest_minor=buckets["current_interest"] + (accrued_unpaid if include_accrued else 0),
        current_principal_minor=buckets["current_principal"],
        prepayable_principal_minor=not_due if include_accrued else 0,
    )
    return LoanPosition(
        as_of=as_of, dues=dues, accrued_to_day_minor=quote.accrued_interest_minor, accrued_unpaid_minor=accrued_unpaid,
        billed=billed, overdue_numbers=overdue_numbers, penalty_charged=charged, principal_not_due_minor=not_due,
        days_accrued=quote.days_accrued,
    )


def loan_payoff_quote(*, loan: Loan, as_of: date | None = None) -> LoanPosition:
    """Everything owed to close the loan on `as_of` (default: today's business date); no early-repayment fee."""
    today = business_date()
    as_of = as_of or today
    if as_of < today:
        raise Unprocessable("A payoff quote is for today or a later date.", code="quote_date_in_past")
    if loan.status not in ACTIVE_LOAN_STATUSES:
        raise LoanNotActive(f"The loan is {loan.status}.")
    return loan_position(loan=loan, installments=list(loan.installments.order_by("number")), as_of=as_of)


# --------------------------------------------------------------------------- repayment


def _take(rows: list[Installment], amount: int, capacity: Any, apply: Any) -> int:
    """Spread `amount` over rows (oldest first) up to each row's capacity; returns what was not placed."""
    for r in rows:
        if amount <= 0:
            break
        part = min(amount, capacity(r))
        if part > 0:
            apply(r, part)
            amount -= part
    return amount


def _net_legs(pairs: list[tuple[int, int]]) -> list[Leg]:
    totals: dict[int, int] = defaultdict(int)
    for account_id, amount in pairs:
        totals[account_id] += amount
    return [Leg(a, v) for a, v in totals.items() if v != 0]


def loan_repay(
    *,
    loan_id: str,
    amount_minor: int,
    reference: str,
    customer_id: str | None = None,
    source: str = Repayment.Source.CUSTOMER,
) -> Repayment:
    """Repay any time: allocate (penalty, overdue interest, overdue principal, current interest,
    current principal, then prepayment), post, restore the line, reschedule or close.

    A partial prepayment keeps the term and the due dates and lowers the installments
    (`calculations.reschedule_after_prepayment`). An auto-debit pays billed amounts only.
    Idempotent by `reference`.
    """
    from .eod import loan_sync  # the nightly SQL, applied to this one loan if it is behind

    with transaction.atomic():
        existing = Repayment.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
        query = Loan.objects.select_for_update(of=("self",)).filter(pk=loan_id)
        if customer_id is not None:
            query = query.filter(customer_id=customer_id)
        loan = query.first()
        if loan is None:
            raise NotFound("No such loan.")
        if loan.status not in ACTIVE_LOAN_STATUSES:
            raise LoanNotActive(f"The loan is {loan.status}.")
        today = business_date()
        if loan_sync(loan_id=loan.id, business_date=today):
            loan.refresh_from_db()
        rows = list(loan.installments.order_by("number"))
        include_accrued = source == Repayment.Source.CUSTOMER
        pos = loan_position(loan=loan, installments=rows, as_of=today, include_accrued=include_accrued)
        try:
            alloc = calc.allocate_repayment(amount_minor=amount_minor, dues=pos.dues)
        except calc.RepaymentExceedsOutstanding:
            raise RepaymentExceedsOutstanding(
                f"Everything owed today is {pos.total_minor / 100:.2f} {loan.currency}; "
                f"{amount_minor / 100:.2f} was offered.",
            ) from None

        trueup = pos.accrued_to_day_minor - loan.accrued_interest_minor if include_accrued else 0
        billed = pos.billed
        overdue_rows = [r for r in billed if r.number in pos.overdue_numbers]
        current_rows = [r for r in billed if r.number not in pos.overdue_numbers]

        def pay_penalty(r: Installment, part: int) -> None:
            r.penalty_paid_minor += part

        def pay_interest(r: Installment, part: int) -> None:
            r.interest_paid_minor += part

        def pay_principal(r: Installment, part: int) -> None:
            r.principal_paid_minor += part

        for r in overdue_rows:
            r.penalty_minor = max(r.penalty_minor, pos.penalty_charged.get(r.number, 0))
        _take(overdue_rows, alloc.penalty_minor, lambda r: max(0, pos.penalty_charged[r.number] - r.penalty_paid_minor), pay_penalty)
        _take(overdue_rows, alloc.overdue_interest_minor, lambda r: r.interest_minor - r.interest_paid_minor, pay_interest)
        _take(overdue_rows, alloc.overdue_principal_minor, lambda r: r.principal_minor - r.principal_paid_minor, pay_principal)
        accrued_paid = _take(current_rows, alloc.current_interest_minor, lambda r: r.interest_minor - r.interest_paid_minor, pay_interest)
        _take(current_rows, alloc.current_principal_minor, lambda r: r.principal_minor - r.principal_paid_minor, pay_principal)
        prepaid = alloc.prepayable_principal_minor

        principal_paid = alloc.overdue_principal_minor + alloc.current_principal_minor + prepaid
        interest_paid = alloc.overdue_interest_minor + alloc.current_interest_minor
        cur = loan.currency
        deposit = DepositAccount.objects.only("ledger_account_id").get(pk=loan.deposit_account_id)
        legs = _net_legs(
            [
                (deposit.ledger_account_id, amount_minor),
                (bank_account("loans_receivable", cur).pk, -principal_paid),
                (bank_account("interest_receivable", cur).pk, trueup - interest_paid),
                (bank_account("interest_income", cur).pk, -trueup),
                (bank_account("penalty_income", cur).pk, -alloc.penalty_minor),
            ]
        )
        entry = ledger_post(
            external_ref=f"repayment:{reference}",
            kind="loan_repayment",
            description=f"Repayment of {loan.id}",
            business_date=today,
            legs=legs,
        )

        if include_accrued:
            loan.accrued_interest_minor = pos.accrued_to_day_minor
        loan.current_interest_paid_minor += accrued_paid
        loan.outstanding_principal_minor -= principal_paid
        unbilled = [r for r in rows if r.status == Installment.Status.SCHEDULED]
        if prepaid and prepaid == loan.principal_not_due_minor:
            # Full payoff: interest only to the day, nothing for the remaining periods.
            for index, r in enumerate(unbilled):
                r.interest_minor = r.interest_paid_minor = (
                    r.interest_paid_minor + loan.current_interest_paid_minor if index == 0 else 0
                )
                r.principal_paid_minor = r.principal_minor
                r.status, r.paid_on = Installment.Status.PAID, today
            loan.principal_not_due_minor = 0
        elif prepaid:
            _reschedule(loan, unbilled, prepaid, today)
            loan.principal_not_due_minor -= prepaid
            loan.period_start = loan.last_accrual_date = today
            loan.accrued_interest_minor = loan.accrual_carry_nano = loan.current_interest_paid_minor = 0
        for r in billed:
            if r.principal_paid_minor == r.principal_minor and r.interest_paid_minor == r.interest_minor:
                r.status, r.paid_on = Installment.Status.PAID, today
        Installment.objects.bulk_update(
            rows,
            ["principal_minor", "interest_minor", "period_start", "principal_paid_minor", "interest_paid_minor",
             "penalty_minor", "penalty_paid_minor", "status", "paid_on"],
        )
        _refresh_delinquency(loan, rows, pos, today)
        loan.save()
        if principal_paid:
            CreditLine.objects.filter(pk=loan.line_id).update(used_minor=F("used_minor") - principal_paid)
        return Repayment.objects.create(
            loan=loan, source=source, reference=reference, amount_minor=amount_minor,
            penalty_minor=alloc.penalty_minor, overdue_interest_minor=alloc.overdue_interest_minor,
            overdue_principal_minor=alloc.overdue_principal_minor, current_interest_minor=alloc.current_interest_minor,
            current_principal_minor=alloc.current_principal_minor, prepaid_principal_minor=prepaid,
            journal_entry=entry, business_date=today,
        )


def _reschedule(loan: Loan, unbilled: list[Installment], prepaid: int, today: date) -> None:
    opening = loan.principal_not_due_minor
    rows = []
    for r in unbilled:
        left = r.principal_minor - r.principal_paid_minor  # earlier prepayments sit on the first row as paid
        rows.append(
            calc.Installment(
                number=r.number, due_date=r.due_date, period_start=r.period_start, period_end=r.due_date,
                days=(r.due_date - r.period_start).days, principal_minor=left,
                interest_minor=r.interest_minor - r.interest_paid_minor,
                total_minor=left + r.interest_minor - r.interest_paid_minor,
                opening_principal_minor=opening, closing_principal_minor=opening - left,
            )
        )
        opening -= left
    schedule = calc.Schedule(
        principal_minor=loan.principal_not_due_minor, disbursement_date=loan.disbursement_date,
        term_months=loan.term_months, method=calc.RepaymentMethod(loan.method.upper()), annual_rate=None,
        daily_rate=loan.daily_rate, day_count=calc.DayCount(loan.day_count), rounding=loan.rounding,
        level_payment_minor=None, installments=tuple(rows),
    )
    new = calc.reschedule_after_prepayment(
        schedule=schedule, installments_settled=rows[0].number - 1, prepayment_minor=prepaid, prepayment_date=today
    )
    by_number = {i.number: i for i in new.installments}
    for index, r in enumerate(unbilled):
        n = by_number[r.number]
        r.period_start = n.period_start
        if index == 0:
            # The current period's row keeps what was paid early, so the schedule still adds up to the
            # principal (and to every fen of interest charged): the prepaid principal and the interest
            # to the day are recorded on it as paid.
            r.principal_paid_minor += prepaid
            r.interest_paid_minor += loan.current_interest_paid_minor
            r.principal_minor = n.principal_minor + r.principal_paid_minor
            r.interest_minor = n.interest_minor + r.interest_paid_minor
        else:
            r.principal_minor, r.interest_minor = n.principal_minor, n.interest_minor


def _refresh_delinquency(loan: Loan, rows: list[Installment], pos: LoanPosition, today: date) -> None:
    unpaid = [r for r in rows if r.status in BILLED]
    oldest = min((r.due_date for r in unpaid), default=None)
    loan.days_past_due = calc.days_past_due(oldest_unpaid_due_date=oldest, as_of=today)
    loan.delinquency_bucket = calc.delinquency_bucket(loan.days_past_due)
    loan.penalty_outstanding_minor = sum(
        max(0, pos.penalty_charged.get(r.number, 0) - r.penalty_paid_minor) for r in unpaid if r.number in pos.overdue_numbers
    )
    if loan.outstanding_principal_minor == 0 and not unpaid and all(r.status == Installment.Status.PAID for r in rows):
        _set_status(loan, Loan.Status.CLOSED, reason="repaid in full", day=today)
        loan.closed_on = today
    elif loan.status == Loan.Status.OVERDUE and not any(r.number in pos.overdue_numbers for r in unpaid):
        _set_status(loan, Loan.Status.ACTIVE, reason="overdue amounts repaid", day=today)


def loan_auto_debit(*, loan_id: str, business_date_: date) -> Repayment | None:
    """Collect billed amounts from the loan's deposit account, in part if the balance is short."""
    from apps.ledger.services import InsufficientFunds

    loan = Loan.objects.select_related("deposit_account__ledger_account").get(pk=loan_id)
    if loan.status not in ACTIVE_LOAN_STATUSES:
        return None
    pos = loan_position(loan=loan, installments=list(loan.installments.order_by("number")), as_of=business_date_, include_accrued=False)
    account = loan.deposit_account.ledger_account
    available = account.balance_minor + account.overdraft_limit_minor
    amount = min(pos.total_minor, max(0, available))
    if amount <= 0:
        return None
    try:
        return loan_repay(
            loan_id=loan.id, amount_minor=amount, reference=f"autodebit:{loan.id}:{business_date_.isoformat()}",
            source=Repayment.Source.AUTO_DEBIT,
        )
    except (InsufficientFunds, RepaymentExceedsOutstanding):
        return None  # the balance or the dues moved under us; tomorrow's run tries again


# --------------------------------------------------------------------------- write-off


@transaction.atomic
def loan_write_off(*, loan_id: str, reason: str, staff_username: str) -> JournalEntry:
    """Staff write-off: the principal and recognised interest still owed go to write_off_expense."""
    loan = Loan.objects.select_for_update(of=("self",)).get(pk=loan_id)
    if loan.status not in ACTIVE_LOAN_STATUSES:
        raise LoanNotActive(f"The loan is {loan.status}.")
    today = business_date()
    rows = list(loan.installments.order_by("number"))
    billed_interest = sum(r.interest_minor - r.interest_paid_minor for r in rows if r.status in BILLED)
    accrued = max(0, loan.accrued_interest_minor - loan.current_interest_paid_minor)
    interest = billed_interest + accrued
    principal = loan.outstanding_principal_minor
    cur = loan.currency
    legs = _net_legs(
        [
            (bank_account("write_off_expense", cur).pk, principal + interest),
            (bank_account("loans_receivable", cur).pk, -principal),
            (bank_account("interest_receivable", cur).pk, -interest),
        ]
    )
    entry = ledger_post(
        external_ref=f"loan:{loan.id}:write_off", kind="loan_write_off",
        description=f"Write-off of {loan.id} by {staff_username}: {reason}"[:255], business_date=today, legs=legs,
    )
    Installment.objects.filter(loan=loan).exclude(status=Installment.Status.PAID).update(status=Installment.Status.WRITTEN_OFF)
    _set_status(loan, Loan.Status.WRITTEN_OFF, reason=f"written off by {staff_username}: {reason}"[:200], day=today)
    loan.closed_on = today
    loan.save(update_fields=["status", "closed_on"])
    CreditLine.objects.filter(pk=loan.line_id).update(status=CreditLine.Status.FROZEN)
    return entry


def new_reference() -> str:
    """A fresh unique repayment reference (API requests are deduplicated by Idempotency-Key)."""
    from apps.core.ids import ulid

    return ulid()


# --------------------------------------------------------------------------- white / black list CSV

WHITELIST_CSV_HEADER = ["customer_id", "product_code", "pre_approved_limit", "note"]
BLACKLIST_CSV_HEADER = ["customer_id", "national_id_hash", "reason"]


class CsvImportError(ValueError):
    pass


def _csv_rows(text: str, header: list[str]) -> list[dict[str, str]]:
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != header:
        raise CsvImportError(f"The header must be: {','.join(header)}")
    return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in reader]


@transaction.atomic
def whitelist_import_csv(*, text: str) -> int:
    """Create or update invitations from CSV (all rows or none); returns the number of rows."""
    from apps.core.money import parse_amount

    rows = _csv_rows(text, WHITELIST_CSV_HEADER)
    for number, row in enumerate(rows, start=2):
        customer = Customer.objects.filter(pk=row["customer_id"]).first()
        product = Product.objects.filter(code=row["product_code"]).first()
        if customer is None or product is None:
            raise CsvImportError(f"line {number}: unknown customer or product")
        limit = None
        if row["pre_approved_limit"]:
            try:
                limit = parse_amount(row["pre_approved_limit"], product.currency).minor
            except Exception:
                raise CsvImportError(f"line {number}: pre_approved_limit is not an amount") from None
        WhiteListEntry.objects.update_or_create(
            customer=customer, product=product, defaults={"pre_approved_limit_minor": limit, "note": row["note"][:200]}
        )
    return len(rows)


def whitelist_export_csv(*, queryset: Any) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(WHITELIST_CSV_HEADER)
    for e in queryset.select_related("product").order_by("id"):
        limit = "" if e.pre_approved_limit_minor is None else f"{Decimal(e.pre_approved_limit_minor).scaleb(-2):.2f}"
        writer.writerow([e.customer_id, e.product.code, limit, e.note])
    return out.getvalue()


@transaction.atomic
def blacklist_import_csv(*, text: str) -> int:
    rows = _csv_rows(text, BLACKLIST_CSV_HEADER)
    for number, row in enumerate(rows, start=2):
        customer = None
        if row["customer_id"]:
            customer = Customer.objects.filter(pk=row["customer_id"]).first()
            if customer is None:
                raise CsvImportError(f"line {number}: unknown customer")
        entry = BlackListEntry(customer=customer, national_id_hash=row["national_id_hash"].lower(), reason=row["reason"][:200])
        try:
            entry.full_clean()
        except Exception as exc:
            raise CsvImportError(f"line {number}: {exc}") from None
        if not row["reason"]:
            raise CsvImportError(f"line {number}: a reason is required")
        BlackListEntry.objects.get_or_create(
            customer=customer, national_id_hash=entry.national_id_hash, defaults={"reason": entry.reason}
        )
    return len(rows)


def blacklist_export_csv(*, queryset: Any) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(BLACKLIST_CSV_HEADER)
    for e in queryset.order_by("id"):
        writer.writerow([e.customer_id or "", e.national_id_hash, e.reason])
    return out.getvalue()
