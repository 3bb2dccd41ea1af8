"""Two answers to one consent at the same moment (a double-tapped Allow, or Allow racing a
revocation): exactly one wins, on PostgreSQL's row locks."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from apps.core.actors import Actor
from apps.core.errors import PlatformError
from apps.oauth.models import Consent
from apps.oauth.services import consent_authorise, consent_create, consent_reject
from tests.factories import make_account, make_client, make_customer

CLIENT = Actor.client("test-app")
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls: Any) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Any) -> None:
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except PlatformError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(outcomes)


def test_authorise_and_reject_race_has_one_winner() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    customer = make_customer()
    account = make_account(customer)
    consent = consent_create(actor=CLIENT, application=make_client(), kind=Consent.Kind.ACCOUNT_ACCESS, permissions=["read_accounts"],
                             expires_at=timezone.now() + timedelta(days=1))
    outcomes = _race(
        lambda: consent_authorise(actor=Actor.customer(customer.pk), consent=consent, customer=customer, account_ids=[account.id]),
        lambda: consent_reject(actor=Actor.customer(customer.pk), consent=consent, customer=customer),
        lambda: consent_authorise(actor=Actor.customer(customer.pk), consent=consent, customer=customer, account_ids=[account.id]),
    )
    assert outcomes.count("ok") == 1
    assert outcomes.count("consent_not_awaiting_authorisation") == 2
    consent.refresh_from_db()
    assert consent.status in (Consent.Status.AUTHORISED, Consent.Status.REJECTED)
