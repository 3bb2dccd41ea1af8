"""What a payment needs from its consent: lock it, check it, consume it.

A payment consent authorises exactly one payment. The payment service calls
`payment_consent_lock` first, inside its transaction: the row lock (SELECT … FOR UPDATE)
makes every other payment on the same consent wait, and when it gets the row it sees the
consent `consumed` and is refused. `payment_consent_consume` then marks it consumed in
the same transaction as the ledger entry, so either both happen or neither does.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.core.errors import NotFound, Unprocessable

from .authentication import forget_tokens
from .models import Consent, TokenBinding


class PaymentConsentNotFound(NotFound):
    code = "consent_not_found"
    title = "No such payment consent"


class PaymentConsentNotUsable(Unprocessable):
    code = "consent_not_authorised"
    title = "The payment consent cannot be used"


_STATUS_CODES = {
    Consent.Status.CONSUMED: "consent_consumed",
    Consent.Status.REVOKED: "consent_revoked",
    Consent.Status.EXPIRED: "consent_expired",
    Consent.Status.REJECTED: "consent_rejected",
    Consent.Status.AWAITING_AUTHORISATION: "consent_not_authorised",
}


def payment_consent_lock(*, consent_id: str, application_id: int, customer_id: str) -> Consent:
    """Lock the client's authorised payment consent for this customer, for the current transaction.

    Raises `PaymentConsentNotFound` (404) when it is not this client's payment consent for
    this customer, and `PaymentConsentNotUsable` (422, code `consent_consumed`,
    `consent_expired`, ...) when it can no longer be used.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("payment_consent_lock must run inside the payment's transaction")
    consent = (
        Consent.objects.select_for_update()
        .filter(pk=consent_id, application_id=application_id, customer_id=customer_id, kind=Consent.Kind.PAYMENT)
        .first()
    )
    if consent is None:
        raise PaymentConsentNotFound("No such payment consent for this client and customer.")
    if consent.status != Consent.Status.AUTHORISED:
        code = _STATUS_CODES.get(consent.status, "consent_not_authorised")  # type: ignore[call-overload]
        raise PaymentConsentNotUsable(f"The payment consent is {consent.status}.", code=code)
    if not consent.is_usable():
        raise PaymentConsentNotUsable("The payment consent has expired.", code="consent_expired")
    return consent


def payment_consent_consume(*, consent: Consent) -> Consent:
    """Mark a consent locked by `payment_consent_lock` as consumed (same transaction)."""
    now = timezone.now()
    updated = Consent.objects.filter(pk=consent.pk, status=Consent.Status.AUTHORISED).update(
        status=Consent.Status.CONSUMED, status_changed_at=now
    )
    if updated != 1:
        raise PaymentConsentNotUsable("The payment consent was used already.", code="consent_consumed")
    consent.status = Consent.Status.CONSUMED
    consent.status_changed_at = now
    checksums = list(TokenBinding.objects.filter(consent_id=consent.pk).values_list("token_checksum", flat=True))
    # Cached validations of the consent's tokens must learn the new status once it is committed.
    transaction.on_commit(lambda: forget_tokens(checksums))
    return consent
