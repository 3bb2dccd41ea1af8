"""Lending: products, white/black lists, scorecards and risk decisions, credit lines,
loans with their schedules, repayments, status history and the nightly run records.

Money is integer minor units (fen). Rates are stored twice: as a Decimal for people
(`daily_rate`, e.g. 0.000350000 = 0.035 % a day) and as an integer number of
billionths (`daily_rate_nano`, 350000) for the set-based nightly SQL, which then
needs only exact integer arithmetic on SQLite and PostgreSQL alike. The sub-fen
accrual carry is kept the same way (`accrual_carry_nano`, 0 <= carry < 10^9), so the
database performs exactly `calculations.accrue_daily`.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from apps.core.actors import Actor
from apps.core.ids import PublicId

from .calculations import DayCount

NANO = 1_000_000_000


def rate_to_nano(rate: Decimal) -> int:
    """Decimal daily rate -> integer billionths; refuses rates finer than 1e-9."""
    scaled = rate * NANO
    if scaled != scaled.to_integral_value():
        raise ValueError(f"rate {rate} has more than 9 decimal places")
    return int(scaled)


class RepaymentMethod(models.TextChoices):
    EQUAL_INSTALLMENT = "equal_installment", "Equal installment (等额本息)"
    EQUAL_PRINCIPAL = "equal_principal", "Equal principal (等额本金)"
    INTEREST_ONLY = "interest_only", "Interest only, principal at the end (先息后本)"


class Rounding(models.TextChoices):
    HALF_UP = "ROUND_HALF_UP", "Half up"
    HALF_EVEN = "ROUND_HALF_EVEN", "Half even (banker's)"
    DOWN = "ROUND_DOWN", "Down"


class Product(models.Model):
    class Kind(models.TextChoices):
        CONSUMER_REVOLVING = "consumer_revolving", "Consumer revolving credit"
        SME_LINE = "sme_line", "SME credit line"
        AUTO_LOAN = "auto_loan", "Auto loan"

    id = models.CharField(primary_key=True, max_length=32, default=PublicId("prd"), editable=False)
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    currency = models.CharField(max_length=3, default="CNY")
    min_amount_minor = models.BigIntegerField(help_text="Smallest drawdown / line, in fen.")
    max_amount_minor = models.BigIntegerField(help_text="Largest drawdown / line, in fen.")
    allowed_terms = models.JSONField(default=list, help_text="Terms in months, e.g. [5, 10, 20].")
    allowed_methods = models.JSONField(default=list, help_text="Repayment methods, e.g. [\"equal_installment\"].")
    min_daily_rate = models.DecimalField(max_digits=12, decimal_places=9)
    max_daily_rate = models.DecimalField(max_digits=12, decimal_places=9)
    penalty_daily_rate = models.DecimalField(max_digits=12, decimal_places=9)
    grace_days = models.PositiveSmallIntegerField(default=3)
    day_count = models.CharField(
        max_length=16, choices=[(d.value, d.value) for d in DayCount], default=DayCount.ACTUAL_365.value
    )
    rounding = models.CharField(max_length=16, choices=Rounding.choices, default=Rounding.HALF_UP)
    invitation_only = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount_minor__gt=0) & Q(max_amount_minor__gte=F("min_amount_minor")),
                name="lending_product_amount_range",
            ),
            models.CheckConstraint(
                condition=Q(min_daily_rate__gte=0) & Q(max_daily_rate__gte=F("min_daily_rate")),
                name="lending_product_rate_band",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.min_amount_minor is not None and self.min_amount_minor <= 0:
            errors["min_amount_minor"] = "Must be positive."
        if None not in (self.min_amount_minor, self.max_amount_minor) and self.max_amount_minor < self.min_amount_minor:
            errors["max_amount_minor"] = "Must be at least the minimum amount."
        terms = self.allowed_terms
        if not isinstance(terms, list) or not terms or not all(
            isinstance(t, int) and not isinstance(t, bool) and 1 <= t <= 360 for t in terms
        ):
            errors["allowed_terms"] = "A non-empty list of whole months from 1 to 360."
        methods = self.allowed_methods
        valid = set(RepaymentMethod.values)
        if not isinstance(methods, list) or not methods or not all(m in valid for m in methods):
            errors["allowed_methods"] = f"A non-empty list from: {', '.join(sorted(valid))}."
        for name in ("min_daily_rate", "max_daily_rate", "penalty_daily_rate"):
            value = getattr(self, name)
            if value is not None and not Decimal(0) <= value < Decimal("0.01"):
                errors[name] = "A daily rate as a fraction, from 0 to 0.01 (1 % a day)."
        if (
            "min_daily_rate" not in errors
            and None not in (self.min_daily_rate, self.max_daily_rate)
            and self.max_daily_rate < self.min_daily_rate
        ):
            errors["max_daily_rate"] = "Must be at least the minimum daily rate."
        if errors:
            raise ValidationError(errors)


class WhiteListEntry(models.Model):
    """An invitation: the product is visible to this customer (optionally pre-approved up to a limit)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="credit_invitations")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="invitations")
    pre_approved_limit_minor = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "white list entry"
        verbose_name_plural = "white list"
        constraints = [models.UniqueConstraint(fields=["customer", "product"], name="lending_whitelist_unique")]

    def __str__(self) -> str:
        return f"{self.customer_id} invited to {self.product_id}"

    def clean(self) -> None:
        if self.pre_approved_limit_minor is not None and self.pre_approved_limit_minor <= 0:
            raise ValidationError({"pre_approved_limit_minor": "Must be positive."})


class BlackListEntry(models.Model):
    """A high-risk customer, by customer or by the SHA-256 of a national id / registration number."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="blacklist_entries"
    )
    national_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "black list entry"
        verbose_name_plural = "black list"
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | ~Q(national_id_hash=""), name="lending_blacklist_has_subject"
            )
        ]

    def __str__(self) -> str:
        return f"black-listed {self.customer_id or self.national_id_hash[:12]}"

    def clean(self) -> None:
        if self.customer_id is None and not self.national_id_hash:
            raise ValidationError("Give a customer or a national-id hash.")
        if self.national_id_hash and (
            len(self.national_id_hash) != 64 or any(c not in "0123456789abcdef" for c in self.national_id_hash)
        ):
            raise ValidationError({"national_id_hash": "A lowercase hex SHA-256 (64 characters)."})


class Scorecard(models.Model):
    """A versioned scorecard. Its weights are data.

    weights: {"base": 40, "features": {name: {"bands": [[lower_bound, points], ...]}
                                       | {"map": {value: points}, "default": points}}}
    limit_tiers / rate_tiers: [[min_score, limit_minor | "daily rate"], ...]; the tier with
    the highest min_score not above the score applies.
    """

    version = models.CharField(max_length=40, unique=True)
    product_kind = models.CharField(max_length=24, choices=Product.Kind.choices)
    active = models.BooleanField(default=True)
    weights = models.JSONField()
    approve_threshold = models.IntegerField()
    refer_threshold = models.IntegerField()
    limit_tiers = models.JSONField()
    rate_tiers = models.JSONField()
    exposure_cap_minor = models.BigIntegerField(help_text="Per-customer cap on credit limits across products.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"scorecard {self.version} ({self.product_kind})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        w = self.weights
        if not isinstance(w, dict) or not isinstance(w.get("features"), dict):
            errors["weights"] = 'An object {"base": n, "features": {...}}.'
        else:
            for name, spec in w["features"].items():
                ok = isinstance(spec, dict) and (
                    (isinstance(spec.get("bands"), list) and all(isinstance(b, list) and len(b) == 2 for b in spec["bands"]))
                    or isinstance(spec.get("map"), dict)
                )
                if not ok:
                    errors["weights"] = f"Feature {name!r} needs 'bands' [[bound, points], ...] or 'map' {{value: points}}."
        if self.refer_threshold is not None and self.approve_threshold is not None and self.refer_threshold > self.approve_threshold:
            errors["refer_threshold"] = "Must not exceed the approve threshold."
        for name in ("limit_tiers", "rate_tiers"):
            tiers = getattr(self, name)
            if not isinstance(tiers, list) or not tiers or not all(isinstance(t, list) and len(t) == 2 for t in tiers):
                errors[name] = "A non-empty list of [min_score, value] pairs."
        if errors:
            raise ValidationError(errors)


class RiskDecision(models.Model):
    class Outcome(models.TextChoices):
        APPROVE = "approve"
        REFER = "refer"
        DECLINE = "decline"
        NOT_INVITED = "not_invited"

    id = models.CharField(primary_key=True, max_length=32, default=PublicId("rdc"), editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="risk_decisions")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="risk_decisions")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, null=True, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    inputs = models.JSONField()
    score = models.IntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reasons = models.JSONField(default=list)
    limit_minor = models.BigIntegerField(default=0)
    daily_rate = models.DecimalField(max_digits=12, decimal_places=9, null=True, blank=True)
    business_date = models.DateField()
    actor = models.CharField(max_length=160, blank=True, help_text="Who asked for the decision (an Actor).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.id} {self.outcome} ({self.model_version})"


class CreditLine(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        FROZEN = "frozen"
        CLOSED = "closed"

    id = models.CharField(primary_key=True, max_length=32, default=PublicId("cl"), editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="credit_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="credit_lines")
    decision = models.ForeignKey(RiskDecision, on_delete=models.PROTECT, null=True, blank=True)
    currency = models.CharField(max_length=3, default="CNY")
    limit_minor = models.BigIntegerField()
    used_minor = models.BigIntegerField(default=0)
    daily_rate = models.DecimalField(max_digits=12, decimal_places=9)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    opened_at = models.DateTimeField(auto_now_add=True)
    business_date = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(used_minor__lte=F("limit_minor")), name="lending_line_used_within_limit"),
            models.CheckConstraint(condition=Q(used_minor__gte=0), name="lending_line_used_not_negative"),
            models.CheckConstraint(condition=Q(limit_minor__gte=0), name="lending_line_limit_not_negative"),
            models.UniqueConstraint(
                fields=["customer", "product"], condition=Q(status="active"), name="lending_one_active_line_per_product"
            ),
        ]
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return f"{self.id} {self.used_minor}/{self.limit_minor}"

    @property
    def available_minor(self) -> int:
        return self.limit_minor - self.used_minor

    def clean(self) -> None:
        if self.limit_minor is not None and self.limit_minor < self.used_minor:
            raise ValidationError({"limit_minor": f"At least the amount in use ({self.used_minor})."})


class CreditApplication(models.Model):
    """An application (SME business customers through the API): a risk decision that opens a line."""

    class Status(models.TextChoices):
        APPROVED = "approved"
        REFERRED = "referred"
        DECLINED = "declined"

    id = models.CharField(primary_key=True, max_length=32, default=PublicId("capp"), editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="credit_applications")
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    requested_amount_minor = models.BigIntegerField()
    business_data = models.JSONField(default=dict)
    decision = models.ForeignKey(RiskDecision, on_delete=models.PROTECT)
    credit_line = models.ForeignKey(CreditLine, on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.id} {self.status}"


class Loan(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved"
        ACTIVE = "active"
        OVERDUE = "overdue"
        CLOSED = "closed"
        WRITTEN_OFF = "written_off"

    class Bucket(models.TextChoices):
        CURRENT = "current"
        DPD_1_30 = "1-30"
        DPD_31_60 = "31-60"
        DPD_61_90 = "61-90"
        DPD_90_PLUS = "90+"

    id = models.CharField(primary_key=True, max_length=32, default=PublicId("loan"), editable=False)
    line = models.ForeignKey(CreditLine, on_delete=models.PROTECT, related_name="loans")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="loans")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="loans")
    deposit_account = models.ForeignKey("accounts.DepositAccount", on_delete=models.PROTECT, related_name="loans")
    currency = models.CharField(max_length=3, default="CNY")
    principal_minor = models.BigIntegerField()
    method = models.CharField(max_length=24, choices=RepaymentMethod.choices)
    term_months = models.PositiveSmallIntegerField()
    daily_rate = models.DecimalField(max_digits=12, decimal_places=9)
    daily_rate_nano = models.BigIntegerField()
    penalty_daily_rate = models.DecimalField(max_digits=12, decimal_places=9)
    penalty_rate_nano = models.BigIntegerField()
    day_count = models.CharField(max_length=16, default=DayCount.ACTUAL_365.value)
    rounding = models.CharField(max_length=16, default=Rounding.HALF_UP)
    grace_days = models.PositiveSmallIntegerField()
    disbursement_date = models.DateField()
    maturity_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPROVED, db_index=True)
    # Principal: all unpaid (incl. billed) and the part not yet billed by an installment.
    outstanding_principal_minor = models.BigIntegerField()
    principal_not_due_minor = models.BigIntegerField()
    # The current interest period: since the last billed due date (or the last prepayment).
    period_start = models.DateField()
    last_accrual_date = models.DateField(help_text="Interest is recognised up to this date.")
    accrued_interest_minor = models.BigIntegerField(
        default=0, help_text="Interest recognised in the ledger for the current period (incl. any part paid)."
    )
    accrual_carry_nano = models.BigIntegerField(default=0, help_text="Sub-fen remainder, in billionths of a fen.")
    current_interest_paid_minor = models.BigIntegerField(default=0)
    penalty_outstanding_minor = models.BigIntegerField(default=0)
    days_past_due = models.IntegerField(default=0)
    delinquency_bucket = models.CharField(max_length=8, choices=Bucket.choices, default=Bucket.CURRENT)
    vehicle = models.JSONField(null=True, blank=True)
    disbursement_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(outstanding_principal_minor__gte=0), name="lending_loan_outstanding_not_negative"),
            models.CheckConstraint(
                condition=Q(principal_not_due_minor__gte=0) & Q(principal_not_due_minor__lte=F("outstanding_principal_minor")),
                name="lending_loan_not_due_within_outstanding",
            ),
            models.CheckConstraint(
                condition=Q(accrual_carry_nano__gte=0) & Q(accrual_carry_nano__lt=NANO), name="lending_loan_carry_range"
            ),
        ]
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return f"{self.id} {self.status}"

    def move_to(self, to: str, *, reason: str, day: date, actor: Actor) -> None:
        """Set the status (the caller saves the loan) and record the change with who made it."""
        if self.status == to:
            return
        LoanStatusChange.objects.create(
            loan=self, business_date=day, from_status=self.status, to_status=to, reason=reason[:200], actor=str(actor)
        )
        self.status = to


class LoanStatusChange(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="status_changes")
    timestamp = models.DateTimeField(auto_now_add=True)
    business_date = models.DateField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.CharField(max_length=200, blank=True)
    # Who moved the loan (`Actor` as text: "staff:12", "client:abc", "system:eod"): the audit
    # trail of every status change, the write-off's approver among them.
    actor = models.CharField(max_length=160, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.from_status or '-'} -> {self.to_status}"


class Installment(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        DUE = "due"
        OVERDUE = "overdue"
        PAID = "paid"
        WRITTEN_OFF = "written_off"

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField()
    period_start = models.DateField()
    due_date = models.DateField()
    grace_until = models.DateField(help_text="Overdue from the day after.")
    principal_minor = models.BigIntegerField()
    interest_minor = models.BigIntegerField()
    principal_paid_minor = models.BigIntegerField(default=0)
    interest_paid_minor = models.BigIntegerField(default=0)
    penalty_minor = models.BigIntegerField(default=0, help_text="Penalty charged so far (recomputed nightly).")
    penalty_paid_minor = models.BigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["loan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="lending_installment_unique_number"),
            models.CheckConstraint(
                condition=Q(principal_paid_minor__lte=F("principal_minor")) & Q(interest_paid_minor__lte=F("interest_minor")),
                name="lending_installment_paid_within_due",
            ),
        ]
        indexes = [models.Index(fields=["loan", "status"])]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.number}"


class Repayment(models.Model):
    class Source(models.TextChoices):
        CUSTOMER = "customer"
        AUTO_DEBIT = "auto_debit"

    id = models.CharField(primary_key=True, max_length=32, default=PublicId("rpy"), editable=False)
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    source = models.CharField(max_length=16, choices=Source.choices)
    reference = models.CharField(max_length=160, unique=True, help_text="Makes the repayment idempotent.")
    amount_minor = models.BigIntegerField()
    penalty_minor = models.BigIntegerField(default=0)
    overdue_interest_minor = models.BigIntegerField(default=0)
    overdue_principal_minor = models.BigIntegerField(default=0)
    current_interest_minor = models.BigIntegerField(default=0)
    current_principal_minor = models.BigIntegerField(default=0)
    prepaid_principal_minor = models.BigIntegerField(default=0)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    actor = models.CharField(max_length=160, blank=True, help_text="Who made or triggered the repayment (an Actor).")
    business_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="lending_repayment_positive")]

    def __str__(self) -> str:
        return f"{self.id} {self.amount_minor}"

    @property
    def principal_total_minor(self) -> int:
        return self.overdue_principal_minor + self.current_principal_minor + self.prepaid_principal_minor

    @property
    def interest_total_minor(self) -> int:
        return self.overdue_interest_minor + self.current_interest_minor


class EodRun(models.Model):
    """One step of the nightly job for one business date: runs once."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"

    business_date = models.DateField()
    step = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    chunks = models.IntegerField(default=0)
    loans = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business_date", "step"], name="lending_eod_run_unique")]

    def __str__(self) -> str:
        return f"EOD {self.business_date} {self.step} {self.status}"


class EodChunk(models.Model):
    """A chunk [first_loan_id, last_loan_id] of a run: its work commits with this row, so it runs once."""

    business_date = models.DateField()
    step = models.CharField(max_length=32)
    first_loan_id = models.CharField(max_length=32)
    last_loan_id = models.CharField(max_length=32)
    loans = models.IntegerField(default=0)
    # Interest recognised by the chunk, in minor units per currency ({"CNY": 1234, "USD": 56}).
    interest_by_currency = models.JSONField(default=dict)
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business_date", "step", "first_loan_id"], name="lending_eod_chunk_unique")
        ]

    def __str__(self) -> str:
        return f"EOD {self.business_date} {self.step} [{self.first_loan_id}, {self.last_loan_id}]"


# Loans that are open (interest runs, repayments are taken) and installments that are billed.
ACTIVE_LOAN_STATUSES = (Loan.Status.ACTIVE, Loan.Status.OVERDUE)
BILLED = (Installment.Status.DUE, Installment.Status.OVERDUE)
