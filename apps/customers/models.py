from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.ids import PublicId


class Customer(models.Model):
    """A customer of the bank: an individual or a business, with a login."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual"
        BUSINESS = "business"

    class KycStatus(models.TextChoices):
        PENDING = "pending"
        VERIFIED = "verified"
        REJECTED = "rejected"

    id = models.CharField(primary_key=True, max_length=32, default=PublicId("cus"), editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customer")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    display_name = models.CharField(max_length=200)
    # Business customers: the registered company and its unified social credit code.
    legal_name = models.CharField(max_length=200, blank=True)
    registration_number = models.CharField(max_length=32, blank=True)
    kyc_status = models.CharField(max_length=16, choices=KycStatus.choices, default=KycStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.id})"
