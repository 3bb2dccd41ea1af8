"""Customer deposit accounts (on the ledger) and payments between them."""
from __future__ import annotations

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
