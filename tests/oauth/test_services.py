"""Consent services and the housekeeping tasks."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from apps.core.actors import Actor
from apps.core.errors import Conflict
from apps.oauth import tasks
from apps.oauth.authentication import token_checksum
from apps.oauth.models import Consent, TokenBinding
from apps.oauth.services import consent_authorise, consent_create, consent_reject, consent_revoke
from tests.factories import customer_token, make_account, make_client, make_customer

CLIENT = Actor.client("test-app")
STAFF = Actor("staff", "1", "ops")
pytestmark = pytest.mark.django_db


def _awaiting(app=None) -> Consent:  # type: ignore[no-untyped-def]
    return consent_create(
        actor=CLIENT, application=app or make_client(), kind=Consent.Kind.ACCOUNT_ACCESS, permissions=["read_accounts"],
        expires_at=timezone.now() + timedelta(days=1),
    )


def test_every_status_change_is_stamped() -> None:
    customer = make_customer()
    account = make_account(customer)
    consent = _awaiting()
    created = consent.status_changed_at
    consent = consent_authorise(actor=Actor.customer(customer.pk), consent=consent, customer=customer, account_ids=[account.id])
    assert consent.status_changed_at >= created and consent.authorised_at == consent.status_changed_at
    consent = consent_revoke(actor=STAFF, consent=consent)
    assert consent.status == Consent.Status.REVOKED and consent.revoked_by == "staff"
    assert consent.status_changed_at >= consent.authorised_at


def test_answered_consent_cannot_be_answered_again() -> None:
    customer = make_customer()
    consent = consent_reject(actor=Actor.customer(customer.pk), consent=_awaiting(), customer=customer)
    with pytest.raises(Conflict) as caught:
        consent_authorise(actor=Actor.customer(customer.pk), consent=consent, customer=customer, account_ids=[make_account(customer).id])
    assert caught.value.code == "consent_not_awaiting_authorisation"


def test_authorising_an_expired_consent_is_refused() -> None:
    customer = make_customer()
    consent = _awaiting()
    Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict) as caught:
        consent_authorise(actor=Actor.customer(customer.pk), consent=consent, customer=customer, account_ids=[make_account(customer).id])
    assert caught.value.code == "consent_expired"


def test_expire_task_expires_due_consents_and_revokes_their_tokens() -> None:
    token = customer_token(make_customer(), scope="accounts")
    fresh = customer_token(make_customer(), scope="accounts")
    Consent.objects.filter(pk=token.consent.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    awaiting = _awaiting()
    Consent.objects.filter(pk=awaiting.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.expire_consents.delay().get() == 2
    assert Consent.objects.get(pk=token.consent.pk).status == Consent.Status.EXPIRED
    assert Consent.objects.get(pk=awaiting.pk).status == Consent.Status.EXPIRED
    assert Consent.objects.get(pk=fresh.consent.pk).status == Consent.Status.AUTHORISED
    assert not get_access_token_model().objects.filter(token_checksum=token_checksum(token.raw)).exists()
    assert get_access_token_model().objects.filter(token_checksum=token_checksum(fresh.raw)).exists()
    assert tasks.expire_consents.delay().get() == 0  # idempotent


def test_clear_expired_tokens_removes_dead_tokens_and_old_orphan_bindings() -> None:
    old = customer_token(make_customer(), scope="accounts", )
    live = customer_token(make_customer(), scope="accounts")
    AccessToken = get_access_token_model()
    AccessToken.objects.filter(token_checksum=token_checksum(old.raw)).update(expires=timezone.now() - timedelta(days=3))
    TokenBinding.objects.update(created_at=timezone.now() - timedelta(days=3))
    recent_orphan = TokenBinding.objects.create(token_checksum="f" * 64, consent=live.consent)
    tasks.clear_expired_tokens.delay().get()
    assert not AccessToken.objects.filter(token_checksum=token_checksum(old.raw)).exists()
    remaining = set(TokenBinding.objects.values_list("token_checksum", flat=True))
    assert token_checksum(old.raw) not in remaining  # token gone, binding older than 2 days
    assert token_checksum(live.raw) in remaining  # token still exists
    assert recent_orphan.token_checksum in remaining  # younger than 2 days: kept to explain 401s


def test_paying_from_an_account_in_another_currency_is_the_shared_422_currency_mismatch() -> None:
    from apps.core.money import CurrencyMismatch, Money

    customer = make_customer()
    usd = make_account(customer, currency="USD")
    consent = consent_create(
        actor=CLIENT, application=make_client(), kind=Consent.Kind.PAYMENT, amount=Money(500, "CNY"),
        creditor_account_number="6222000000000001", creditor_name="Tea shop",
    )
    with pytest.raises(CurrencyMismatch) as caught:
        consent_authorise(actor=Actor.customer(customer.pk), consent=consent, customer=customer, account_ids=[usd.id])
    assert caught.value.status == 422 and caught.value.code == "currency_mismatch"
    assert caught.value.errors == [
        {"field": "debtor_account_id", "code": "currency_mismatch", "message": "Choose an account in the payment's currency."}
    ]


@pytest.mark.parametrize("actor", [Actor.client("demo-budget-app"), Actor.customer("cus_x"), STAFF])
def test_the_revoking_actor_is_recorded(actor: Actor) -> None:
    customer = make_customer()
    consent = consent_authorise(
        actor=Actor.customer(customer.pk), consent=_awaiting(), customer=customer, account_ids=[make_account(customer).id]
    )
    assert consent_revoke(actor=actor, consent=consent).revoked_by == actor.kind


def test_the_system_does_not_revoke_it_expires() -> None:
    with pytest.raises(ValueError):
        consent_revoke(actor=Actor.system("nightly"), consent=_awaiting())
