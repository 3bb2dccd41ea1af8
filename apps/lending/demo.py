"""Demo data: the three products, their scorecards, and credit for the demo customers.

The first individual customer is invited to consumer credit and gets an open line
(pre-approved RMB 50,000); the business customer applies for SME credit and is approved.
Each of those customer entries gets `"credit_lines": [ids]`. The business customer also
draws one demo loan on its line (RMB 80,000.00 over 12 months, paid into its everyday
account) so the back office's loan, installment and journal pages show real rows; its
entry gets `"loans": [id]`. The draw goes through `loan_drawdown`, like any other.
"""
from __future__ import annotations

from decimal import Decimal

from apps.accounts.models import DepositAccount
from apps.core.actors import Actor
from apps.customers.models import Customer

from .models import CreditLine, Loan, Product, Scorecard, WhiteListEntry
from .origination import credit_application_create, credit_line_open, loan_drawdown
from .risk import credit_decision_make

SEED_ACTOR = Actor.system("seed")

PRODUCTS = [
    {
        "code": "consumer-revolving", "name": "Micro-loan revolving credit", "kind": Product.Kind.CONSUMER_REVOLVING,
        "min_amount_minor": 50_000, "max_amount_minor": 20_000_000, "allowed_terms": [5, 10, 20],
        "allowed_methods": ["equal_installment", "equal_principal"], "min_daily_rate": Decimal("0.0002"),
        "max_daily_rate": Decimal("0.0005"), "penalty_daily_rate": Decimal("0.00075"), "grace_days": 3,
        "invitation_only": True,
    },
    {
        "code": "sme-line", "name": "SME business credit line", "kind": Product.Kind.SME_LINE,
        "min_amount_minor": 1_000_000, "max_amount_minor": 300_000_000, "allowed_terms": [3, 6, 12, 24],
        "allowed_methods": ["equal_installment", "equal_principal", "interest_only"], "min_daily_rate": Decimal("0.0002"),
        "max_daily_rate": Decimal("0.0006"), "penalty_daily_rate": Decimal("0.0009"), "grace_days": 5,
        "invitation_only": False,
    },
    {
        "code": "auto-loan", "name": "Used-car loan", "kind": Product.Kind.AUTO_LOAN,
        "min_amount_minor": 2_000_000, "max_amount_minor": 50_000_000, "allowed_terms": [12, 24, 36],
        "allowed_methods": ["equal_installment"], "min_daily_rate": Decimal("0.00015"),
        "max_daily_rate": Decimal("0.0004"), "penalty_daily_rate": Decimal("0.0006"), "grace_days": 3,
        "invitation_only": False,
    },
]

_HISTORY = {
    "loans_repaid": {"bands": [[0, 0], [1, 5], [3, 10]]},
    "max_days_past_due": {"bands": [[0, 0], [1, -20], [31, -50]]},
}
SCORECARDS = [
    {
        "version": "consumer-2026.1", "product_kind": Product.Kind.CONSUMER_REVOLVING,
        "weights": {"base": 40, "features": {
            "income_band": {"map": {"A": 30, "B": 20, "C": 10, "D": 0}, "default": 5},
            "tenure_days": {"bands": [[0, 0], [90, 5], [365, 10], [1095, 20]]},
            "deposit_balance_minor": {"bands": [[0, 0], [100_000, 5], [1_000_000, 15], [5_000_000, 25]]},
            "deposit_inflow_90d_minor": {"bands": [[0, 0], [500_000, 5], [3_000_000, 10]]},
            **_HISTORY,
        }},
        "approve_threshold": 60, "refer_threshold": 45,
        "limit_tiers": [[60, 1_000_000], [70, 5_000_000], [80, 10_000_000], [90, 20_000_000]],
        "rate_tiers": [[0, "0.0005"], [70, "0.00035"], [80, "0.0003"], [90, "0.0002"]],
        "exposure_cap_minor": 30_000_000,
    },
    {
        "version": "sme-2026.1", "product_kind": Product.Kind.SME_LINE,
        "weights": {"base": 30, "features": {
            "annual_revenue_minor": {"bands": [[0, 0], [100_000_000, 10], [500_000_000, 20], [2_000_000_000, 30]]},
            "years_in_business": {"bands": [[0, 0], [2, 10], [5, 20]]},
            "deposit_balance_minor": {"bands": [[0, 0], [1_000_000, 5], [5_000_000, 15]]},
            **_HISTORY,
        }},
        "approve_threshold": 55, "refer_threshold": 40,
        "limit_tiers": [[55, 20_000_000], [65, 40_000_000], [75, 100_000_000]],
        "rate_tiers": [[0, "0.0006"], [65, "0.0004"], [75, "0.0003"]],
        "exposure_cap_minor": 300_000_000,
    },
    {
        "version": "auto-2026.1", "product_kind": Product.Kind.AUTO_LOAN,
        "weights": {"base": 45, "features": {
            "income_band": {"map": {"A": 25, "B": 15, "C": 5, "D": 0}, "default": 5},
            "deposit_balance_minor": {"bands": [[0, 0], [500_000, 5], [2_000_000, 10]]},
            **_HISTORY,
        }},
        "approve_threshold": 55, "refer_threshold": 45,
        "limit_tiers": [[55, 10_000_000], [65, 30_000_000], [75, 50_000_000]],
        "rate_tiers": [[0, "0.0004"], [65, "0.0003"], [75, "0.0002"]],
        "exposure_cap_minor": 60_000_000,
    },
]

CONSUMER_PRE_APPROVED_MINOR = 5_000_000  # RMB 50,000.00
SME_REQUEST_MINOR = 40_000_000  # RMB 400,000.00
DEMO_LOAN_MINOR = 8_000_000  # RMB 80,000.00
DEMO_LOAN_TERM_MONTHS = 12
SME_BUSINESS_DATA = {"annual_revenue_minor": 800_000_000, "years_in_business": 6, "employees": 24}


def seed_products() -> dict[str, Product]:
    products: dict[str, Product] = {}
    for spec in PRODUCTS:
        product, _ = Product.objects.update_or_create(code=spec["code"], defaults=spec)
        products[str(spec["code"])] = product
    for spec in SCORECARDS:
        Scorecard.objects.update_or_create(version=spec["version"], defaults=spec)
    return products


def _active_line(customer: Customer, product: Product) -> CreditLine | None:
    return CreditLine.objects.filter(customer=customer, product=product, status=CreditLine.Status.ACTIVE).first()


def seed(output: dict) -> None:
    products = seed_products()
    consumer, sme = products["consumer-revolving"], products["sme-line"]
    individual = next((c for c in output["customers"] if c.get("kind") == Customer.Kind.INDIVIDUAL), None)
    business = next((c for c in output["customers"] if c.get("kind") == Customer.Kind.BUSINESS), None)
    if individual is not None:
        customer = Customer.objects.get(pk=individual["id"])
        WhiteListEntry.objects.get_or_create(
            customer=customer, product=consumer,
            defaults={"pre_approved_limit_minor": CONSUMER_PRE_APPROVED_MINOR, "note": "demo invitation"},
        )
        line = _active_line(customer, consumer)
        if line is None:
            decision = credit_decision_make(
                customer=customer, product=consumer, declared={"income_band": "B"}, actor=SEED_ACTOR
            )
            line = credit_line_open(decision=decision, actor=SEED_ACTOR)
        individual["credit_lines"] = [line.id]
    if business is not None:
        customer = Customer.objects.get(pk=business["id"])
        line = _active_line(customer, sme)
        if line is None:
            application = credit_application_create(
                customer=customer, product=sme, requested_amount_minor=SME_REQUEST_MINOR,
                business_data=SME_BUSINESS_DATA, actor=SEED_ACTOR,
            )
            line = application.credit_line
        business["credit_lines"] = [line.id] if line is not None else []
        loan = _demo_loan(customer, line) if line is not None else None
        business["loans"] = [loan.id] if loan is not None else []


def _demo_loan(customer: Customer, line: CreditLine) -> Loan | None:
    """The line's first loan, drawn once: a rerun finds it instead of drawing again."""
    existing = Loan.objects.filter(line=line).order_by("created_at", "id").first()
    if existing is not None:
        return existing
    account = DepositAccount.objects.filter(customer=customer, status=DepositAccount.Status.ACTIVE).order_by("id").first()
    if account is None:
        return None
    return loan_drawdown(
        line_id=line.id, customer_id=customer.pk, amount_minor=DEMO_LOAN_MINOR, term_months=DEMO_LOAN_TERM_MONTHS,
        method="equal_installment", deposit_account=account, actor=SEED_ACTOR,
    )
