"""Consents (modelled on UK Open Banking) and what each OAuth client may ask for."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.ids import PublicId


class ClientProfile(models.Model):
    """The bank's view of an OAuth application: who it is and which scopes it may hold."""

    class Kind(models.TextChoices):
        THIRD_PARTY = "third_party", _("Third-party app")
        PARTNER = "partner", _("Partner platform")
        FUNDER = "funder", _("Co-lending bank")

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    display_name = models.CharField(max_length=200, help_text="Shown to customers on the consent page.")
    allowed_scopes = models.CharField(max_length=255, help_text="Space-separated scopes this client may hold.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.display_name} ({self.kind})"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.allowed_scopes.split())


class Consent(models.Model):
    """What a customer allowed a third-party app to do, for how long, on which accounts.

    Created by the app (client credentials), authorised or rejected by the customer on the
    bank's consent page, revocable at any time by the customer or the app. Tokens issued
    under a consent see only what it covers and stop the moment it is no longer authorised.
    """

    class Kind(models.TextChoices):
        ACCOUNT_ACCESS = "account_access", _("Account access")
        PAYMENT = "payment", _("Payment")

    class Status(models.TextChoices):
        AWAITING_AUTHORISATION = "awaiting_authorisation", _("Awaiting authorisation")
        AUTHORISED = "authorised", _("Authorised")
        REJECTED = "rejected", _("Rejected")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        CONSUMED = "consumed", _("Consumed")

    class Permission(models.TextChoices):
        READ_ACCOUNTS = "read_accounts", _("See your account names and numbers")
        READ_BALANCES = "read_balances", _("See your account balances")
        READ_TRANSACTIONS = "read_transactions", _("See your transactions")
        READ_CREDIT = "read_credit", _("See your credit lines and loans")
        MANAGE_CREDIT = "manage_credit", _("Draw down and repay your credit lines")

    id = models.CharField(primary_key=True, max_length=32, default=PublicId("cns"), editable=False)
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.PROTECT, related_name="consents"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.AWAITING_AUTHORISATION)
    permissions = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField()
    # Set when the customer authorises it.
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    account_ids = models.JSONField(default=list, blank=True, help_text="Accounts the customer chose to share.")
    # Payment consents: exactly what may be paid, to whom, from which account.
    amount_minor = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    creditor_account_number = models.CharField(max_length=34, blank=True)
    creditor_name = models.CharField(max_length=140, blank=True)
    reference = models.CharField(max_length=140, blank=True)
    debtor_account_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    authorised_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=16, blank=True, help_text="customer, client or staff")

    class Meta:
        indexes = [
            models.Index(fields=["application", "status"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.kind} {self.status}"

    def is_usable(self, now: object | None = None) -> bool:
        moment = now or timezone.now()
        return self.status == self.Status.AUTHORISED and self.expires_at > moment  # type: ignore[operator]


class TokenBinding(models.Model):
    """Binds an access token (by checksum) to the consent it was issued under.

    Keyed by checksum rather than a foreign key so that, after a revoked consent has
    deleted its tokens, a late request can still be told *why* its token stopped working.
    """

    token_checksum = models.CharField(max_length=64, unique=True)
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="token_bindings")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"token …{self.token_checksum[-8:]} → {self.consent_id}"


class CodeRedemption(models.Model):
    """An authorization code that has been exchanged, and the token family it gave.

    DOT deletes the grant on exchange, so without this row a second exchange of the same
    code could only be refused: RFC 6749 §4.1.2 asks that the tokens issued from it be
    revoked too (the code was leaked). The code is kept as a SHA-256 checksum, never raw.
    """

    code_checksum = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    token_family = models.UUIDField(null=True, blank=True)
    access_token_checksum = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"code …{self.code_checksum[-8:]} → family {self.token_family}"
