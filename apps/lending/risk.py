"""Risk: black-list checks, scorecards and the credit decisions they make.

A decision is stored with its inputs, score, reasons and model version, whatever the outcome,
so a credit officer (or a regulator) can see why. The customer's features are read from the
bank's own data: deposits through the accounts selectors, loans from lending.
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum

from apps.accounts.models import DepositAccount
from apps.accounts.selectors import AccountRef, deposit_account_balances, deposit_account_transactions
from apps.core.actors import Actor
from apps.core.clock import business_date
from apps.core.errors import Conflict
from apps.customers.models import Customer

from .models import (
    ACTIVE_LOAN_STATUSES,
    BlackListEntry,
    CreditLine,
    Loan,
    Product,
    RiskDecision,
    Scorecard,
    WhiteListEntry,
)

INFLOW_PAGE = 500  # postings read per statement page when summing a customer's inflow
INFLOW_DAYS = 90


def national_id_hash(value: str) -> str:
    """How black-list entries identify people and companies: SHA-256 of the trimmed, upper-cased id."""
    return hashlib.sha256(value.strip().upper().encode("utf-8")).hexdigest()


def customer_is_blacklisted(*, customer: Customer) -> bool:
    condition = Q(customer=customer)
    if customer.registration_number:
        condition |= Q(national_id_hash=national_id_hash(customer.registration_number))
    return BlackListEntry.objects.filter(condition).exists()


def _deposit_inflow_minor(*, account: DepositAccount, since: date) -> int:
    """Money paid into the account since `since` (credits to a deposit are negative postings),
    read page by page through the statement selector."""
    ref = AccountRef(account.id, account.customer_id, account.ledger_account_id)
    fetch = deposit_account_transactions(account=ref, booked_from=since)
    inflow, before = 0, None
    while True:
        page = fetch(before, INFLOW_PAGE)
        inflow -= sum(line.amount_minor for line in page if line.amount_minor < 0)
        if len(page) < INFLOW_PAGE:
            return inflow
        before = page[-1].pk


def _customer_features(*, customer: Customer, product: Product, declared: dict[str, Any]) -> dict[str, Any]:
    """Everything the scorecard looks at, read from the bank's own data (deposits, loans).

    Deposits count in the product's currency only: amounts in two currencies do not add up."""
    today = business_date()
    accounts = list(
        DepositAccount.objects.filter(customer=customer, currency=product.currency).select_related("ledger_account")
    )
    balance = sum(deposit_account_balances(account=a).booked.minor for a in accounts)
    since = today - timedelta(days=INFLOW_DAYS)
    inflow = sum(_deposit_inflow_minor(account=a, since=since) for a in accounts)
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
    *,
    customer: Customer,
    product: Product,
    actor: Actor,
    declared: dict[str, Any] | None = None,
    requested_amount_minor: int | None = None,
) -> RiskDecision:
    """Decide (and store, with inputs, score, reasons, model version and who asked) whether to
    lend, how much, at what rate."""
    declared = declared or {}
    today = business_date()
    common = {"customer": customer, "product": product, "business_date": today, "actor": str(actor)}
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
