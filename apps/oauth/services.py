"""Writes for consents: create, authorise, reject, revoke, expire.

Every status change stamps `status_changed_at`. Ending a consent (revoked, expired)
revokes every access and refresh token bound to it (through `TokenBinding`, by checksum)
with django-oauth-toolkit's own `revoke()`, and drops their cached validations once the change commits, so the
tokens stop at once; a late request with one of them is told why (`consent_revoked`,
`consent_expired`) because the binding outlives the token.

Every write takes a keyword `actor` (apps.core.actors): the app (client) that asks, the
customer who answers, staff, or the system (expiry): it is logged with the change and a
revocation records who ended the consent.
"""
from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from apps.core.actors import Actor
from apps.core.errors import Conflict, NotFound, ValidationFailed, field_error
from apps.core.money import CurrencyMismatch, Money
from apps.customers.models import Customer

from .authentication import forget_tokens
from .models import ClientProfile, CodeRedemption, Consent, TokenBinding
from .selectors import consentable_accounts

logger = logging.getLogger(__name__)
MAX_CONSENT_LIFETIME = timedelta(days=366)  # "at most one year" (a leap year has 366 days)
DEFAULT_PAYMENT_CONSENT_LIFETIME = timedelta(days=1)
ACCOUNT_PERMISSIONS = frozenset(
    {Consent.Permission.READ_ACCOUNTS, Consent.Permission.READ_BALANCES, Consent.Permission.READ_TRANSACTIONS}
)
CREDIT_PERMISSIONS = frozenset({Consent.Permission.READ_CREDIT, Consent.Permission.MANAGE_CREDIT})
# Who may end a consent (an actor's kind; the system expires consents instead).
REVOKED_BY = ("customer", "client", "staff")


class ConsentNotAwaitingAuthorisation(Conflict):
    code = "consent_not_awaiting_authorisation"
    title = "The consent is not awaiting authorisation"


class ConsentNotActive(Conflict):
    code = "consent_not_active"
    title = "The consent has already ended"


class ConsentExpired(Conflict):
    code = "consent_expired"
    title = "The consent has expired"


class InvalidAccountSelection(ValidationFailed):
    code = "invalid_account_selection"
    title = "The chosen accounts cannot be shared"


def _invalid(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, errors=[field_error(field, code, message)])


def _check_expiry(expires_at: datetime, *, now: datetime) -> None:
    if expires_at <= now:
        raise _invalid("expires_at", "expires_at_in_past", "expires_at must be in the future.")
    if expires_at > now + MAX_CONSENT_LIFETIME:
        raise _invalid("expires_at", "expires_at_too_far", "A consent may last at most one year.")


@transaction.atomic
def consent_create(
    *,
    actor: Actor,
    application: Any,
    kind: str,
    expires_at: datetime | None = None,
    permissions: list[str] | None = None,
    amount: Money | None = None,
    creditor_account_number: str = "",
    creditor_name: str = "",
    reference: str = "",
) -> Consent:
    """A consent the customer will be asked to authorise on the bank's consent page."""
    now = timezone.now()
    profile = ClientProfile.objects.filter(application=application).first()
    if profile is None or profile.kind != ClientProfile.Kind.THIRD_PARTY:
        raise ValidationFailed("Only third-party apps ask customers for consents.", code="client_kind_not_allowed")
    if kind == Consent.Kind.ACCOUNT_ACCESS:
        wanted = list(dict.fromkeys(permissions or []))
        if not wanted:
            raise _invalid("permissions", "required", "Name at least one permission.")
        unknown = [p for p in wanted if p not in Consent.Permission.values]
        if unknown:
            raise _invalid("permissions", "invalid_choice", f"Unknown permissions: {', '.join(unknown)}.")
        if expires_at is None:
            raise _invalid("expires_at", "required", "Account-access consents need an expiry (at most one year).")
        _check_expiry(expires_at, now=now)
        consent = Consent.objects.create(
            application=application,
            kind=kind,
            permissions=wanted,
            expires_at=expires_at,
            status_changed_at=now,
        )
        logger.info("consent %s created by %s", consent.pk, actor)
        return consent
    if kind == Consent.Kind.PAYMENT:
        if amount is None:
            raise _invalid("amount", "required", "A payment consent names the amount.")
        if not creditor_account_number.strip():
            raise _invalid("creditor_account_number", "required", "Name the account to pay.")
        if not creditor_name.strip():
            raise _invalid("creditor_name", "required", "Name whom to pay.")
        expires_at = expires_at or now + DEFAULT_PAYMENT_CONSENT_LIFETIME
        _check_expiry(expires_at, now=now)
        consent = Consent.objects.create(
            application=application,
            kind=kind,
            permissions=[],
            expires_at=expires_at,
            amount_minor=amount.minor,
            currency=amount.currency,
            creditor_account_number=creditor_account_number.strip(),
            creditor_name=creditor_name.strip(),
            reference=reference.strip(),
            status_changed_at=now,
        )
        logger.info("consent %s created by %s", consent.pk, actor)
        return consent
    raise _invalid("kind", "invalid_choice", f"kind must be one of: {', '.join(Consent.Kind.values)}.")


def consent_needs_accounts(consent: Consent) -> bool:
    """Whether the customer must pick accounts to share (payments: exactly one debtor account).

    `manage_credit` needs one too: a drawdown is paid into a shared deposit account and an
    installment is taken from it, so without one every drawdown would be refused
    (`deposit_account_not_in_consent`)."""
    if consent.kind == Consent.Kind.PAYMENT:
        return True
    return bool(set(consent.permissions) & (ACCOUNT_PERMISSIONS | {Consent.Permission.MANAGE_CREDIT}))


def _lock_awaiting(consent: Consent) -> Consent:
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.status != Consent.Status.AWAITING_AUTHORISATION:
        raise ConsentNotAwaitingAuthorisation(f"The consent is {locked.status}.")
    if locked.expires_at <= timezone.now():
        raise ConsentExpired("The consent expired before it was authorised; the app must ask again.")
    return locked


@transaction.atomic
def consent_authorise(
    *,
    actor: Actor,
    consent: Consent,
    customer: Customer,
    account_ids: list[str],
    debtor_account_id: str = "",
) -> Consent:
    """The customer allows the consent, sharing only accounts they own (checked here, not trusted from the form)."""
    locked = _lock_awaiting(consent)
    available = {a["id"]: a for a in consentable_accounts(customer_id=customer.pk)}
    chosen = list(dict.fromkeys(a for a in account_ids if a))
    if locked.kind == Consent.Kind.PAYMENT:
        debtor = debtor_account_id or (chosen[0] if len(chosen) == 1 else "")
        if not debtor or debtor not in available:
            raise InvalidAccountSelection(
                "Choose one of your accounts to pay from.",
                errors=[field_error("debtor_account_id", "invalid_choice", "Choose one of your accounts.")],
            )
        if available[debtor]["currency"] != locked.currency:
            raise CurrencyMismatch(
                f"The payment is in {locked.currency}; choose an account in that currency.",
                errors=[field_error("debtor_account_id", "currency_mismatch", "Choose an account in the payment's currency.")],
            )
        chosen = [debtor]
    else:
        debtor = ""
        foreign = [a for a in chosen if a not in available]
        if foreign:
            raise InvalidAccountSelection(
                "Some of the chosen accounts are not yours to share.",
                errors=[field_error("account_ids", "invalid_choice", "Choose among your own accounts.")],
            )
        if consent_needs_accounts(locked) and not chosen:
            raise InvalidAccountSelection(
                "Choose at least one account to share.",
                errors=[field_error("account_ids", "required", "Choose at least one account.")],
            )
    now = timezone.now()
    locked.customer = customer
    locked.account_ids = chosen
    locked.debtor_account_id = debtor
    locked.status = Consent.Status.AUTHORISED
    locked.authorised_at = now
    locked.status_changed_at = now
    locked.save(
        update_fields=["customer", "account_ids", "debtor_account_id", "status", "authorised_at", "status_changed_at"]
    )
    logger.info("consent %s authorised by %s", locked.pk, actor)
    return locked


@transaction.atomic
def consent_reject(*, actor: Actor, consent: Consent, customer: Customer | None = None) -> Consent:
    """The customer refused on the consent page."""
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.status != Consent.Status.AWAITING_AUTHORISATION:
        raise ConsentNotAwaitingAuthorisation(f"The consent is {locked.status}.")
    locked.status = Consent.Status.REJECTED
    locked.status_changed_at = timezone.now()
    if customer is not None:
        locked.customer = customer
    locked.save(update_fields=["status", "status_changed_at", "customer"])
    logger.info("consent %s rejected by %s", locked.pk, actor)
    return locked


def _revoke_bound_tokens(consent_ids: list[str]) -> int:
    """Revoke (DOT's revoke()) every access and refresh token bound to these consents."""
    checksums = list(TokenBinding.objects.filter(consent_id__in=consent_ids).values_list("token_checksum", flat=True))
    if not checksums:
        return 0
    revoked = 0
    RefreshToken = get_refresh_token_model()
    AccessToken = get_access_token_model()
    for refresh_token in RefreshToken.objects.filter(token_checksum__in=checksums, revoked__isnull=True):
        refresh_token.revoke()  # also deletes its access token
        revoked += 1
    for access_token in AccessToken.objects.filter(token_checksum__in=checksums):
        access_token.revoke()
        revoked += 1
    # After commit, not now: until then other requests still read the tokens as live and
    # would cache them again for TOKEN_CACHE_SECONDS.
    transaction.on_commit(functools.partial(forget_tokens, checksums))
    return revoked


@transaction.atomic
def consent_revoke(*, actor: Actor, consent: Consent) -> Consent:
    """End a consent (by the customer, the app or staff) and stop every token issued under it."""
    if actor.kind not in REVOKED_BY:
        raise ValueError(f"a consent is revoked by one of {REVOKED_BY}, not {actor.kind}")
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.status not in (Consent.Status.AUTHORISED, Consent.Status.AWAITING_AUTHORISATION):
        raise ConsentNotActive(f"The consent is already {locked.status}.")
    locked.status = Consent.Status.REVOKED
    locked.revoked_by = actor.kind
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "revoked_by", "status_changed_at"])
    _revoke_bound_tokens([locked.pk])
    logger.info("consent %s revoked by %s", locked.pk, actor)
    return locked


def consent_expire_due(*, actor: Actor, batch_size: int = 500, now: datetime | None = None) -> int:
    """Mark authorised/awaiting consents past their expiry as expired, revoking their tokens. Returns how many."""
    moment = now or timezone.now()
    expired = 0
    live = (Consent.Status.AUTHORISED, Consent.Status.AWAITING_AUTHORISATION)
    while True:
        with transaction.atomic():
            ids = list(
                Consent.objects.select_for_update(skip_locked=True)
                .filter(status__in=live, expires_at__lte=moment)
                .order_by("expires_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return expired
            Consent.objects.filter(pk__in=ids, status__in=live).update(
                status=Consent.Status.EXPIRED, status_changed_at=timezone.now()
            )
            _revoke_bound_tokens(ids)
            logger.info("%d consent(s) expired by %s", len(ids), actor)
            expired += len(ids)


def consent_get_for_client(*, consent_id: str, application_id: int) -> Consent:
    """The consent if this app created it; another app's consent does not exist for it."""
    consent = Consent.objects.filter(pk=consent_id, application_id=application_id).first()
    if consent is None:
        raise NotFound("No such consent.")
    return consent


def token_bindings_purge(*, actor: Actor, older_than: timedelta = timedelta(days=2), batch_size: int = 5000) -> int:
    """Delete bindings older than `older_than` whose token (access or refresh) no longer exists."""
    AccessToken = get_access_token_model()
    RefreshToken = get_refresh_token_model()
    cutoff = timezone.now() - older_than
    deleted = 0
    last_pk = 0
    while True:
        rows = list(
            TokenBinding.objects.filter(created_at__lt=cutoff, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "token_checksum")[:batch_size]
        )
        if not rows:
            logger.info("%d token binding(s) purged by %s", deleted, actor)
            return deleted
        last_pk = rows[-1][0]
        checksums = [c for _, c in rows]
        alive = set(AccessToken.objects.filter(token_checksum__in=checksums).values_list("token_checksum", flat=True))
        alive |= set(
            RefreshToken.objects.filter(token_checksum__in=checksums).values_list("token_checksum", flat=True)
        )
        dead = [pk for pk, checksum in rows if checksum not in alive]
        if dead:
            deleted += TokenBinding.objects.filter(pk__in=dead).delete()[0]


def code_redemptions_purge(*, actor: Actor, older_than: timedelta = timedelta(days=2)) -> int:
    """Forget exchanged codes older than `older_than` whose token family has no live refresh
    token left (a replay then has nothing to revoke). Returns how many."""
    RefreshToken = get_refresh_token_model()
    live_families = RefreshToken.objects.filter(revoked__isnull=True, token_family__isnull=False).values("token_family")
    stale = CodeRedemption.objects.filter(created_at__lt=timezone.now() - older_than).exclude(
        token_family__in=live_families
    )
    deleted = stale.delete()[0]
    logger.info("%d code redemption(s) purged by %s", deleted, actor)
    return deleted
