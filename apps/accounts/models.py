"""Customer deposit accounts (on the ledger) and payments between them."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.ids import PublicId


class DepositAccount(models.Model):
    class Kind(models.TextChoices):
        CURRENT = "current"
        SAVINGS = "savings"
        BUSINESS = "business"

    class Status(models.TextChoices):
        ACTIVE = "active"
        FROZEN = "frozen"
        CLOSED = "closed"

    id = models.CharField(primary_key=True, max_length=32, default=PublicId("acc"), editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="deposit_accounts")
    ledger_account = models.OneToOneField("ledger.LedgerAccount", on_delete=models.PROTECT, related_name="deposit_account")
    account_number = models.CharField(max_length=34, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return f"{self.name} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return f"**** {self.account_number[-4:]}"


class Payment(models.Model):
    """A payment a third-party app initiated under the customer's payment consent.

    Booked in the same transaction that consumes the consent and posts the ledger entry,
    so a stored payment is always `booked`; a refused payment writes nothing at all.
    """

    class Status(models.TextChoices):
        ACCEPTED = "accepted"
        BOOKED = "booked"

    id = models.CharField(primary_key=True, max_length=32, default=PublicId("pay"), editable=False)
    consent = models.OneToOneField("oauth.Consent", on_delete=models.PROTECT, related_name="payment")
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="payments")
    debtor_account = models.ForeignKey(DepositAccount, on_delete=models.PROTECT, related_name="payments_out")
    creditor_account = models.ForeignKey(DepositAccount, on_delete=models.PROTECT, related_name="payments_in")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=140, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="payment"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    business_date = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["customer", "application"], name="payment_customer_client")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(debtor_account=models.F("creditor_account")), name="payment_distinct_accounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.amount_minor} {self.currency} ({self.status})"
