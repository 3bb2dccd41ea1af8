"""A consent with only credit permissions: the consent page offers the deposit account that
receives drawdowns and pays installments, so the app can draw down with it."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.lending.helpers import borrower, clock, products  # noqa: F401  (fixtures)

from .test_authorize import account_consent, authorize_url, exchange, pkce, redirect_params

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(borrower: Any) -> Client:  # noqa: F811
    c = Client()
    c.force_login(borrower.customer.user)
    return c


def test_a_credit_only_consent_offers_the_account_for_drawdowns_and_the_app_can_draw(
    signed_in: Client, app: Any, borrower: Any  # noqa: F811
) -> None:
    consent = account_consent(app, permissions=["read_credit", "manage_credit"])
    verifier, challenge = pkce()
    url = authorize_url(app, consent=consent, scope="credit", challenge=challenge)
    page = signed_in.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Account for drawdowns and repayments" in html
    assert f'name="account_ids" value="{borrower.account.id}"' in html
    params = redirect_params(signed_in.post(url, {"decision": "allow", "account_ids": [borrower.account.id]}))
    consent.refresh_from_db()
    assert consent.account_ids == [borrower.account.id]
    tokens = exchange(app, params["code"], verifier).json()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    drawdown = api.post(
        f"/api/v1/credit-lines/{borrower.line.id}/drawdowns",
        {"amount": {"amount": "1000.00", "currency": "CNY"}, "term_months": 5,
         "repayment_method": "equal_installment", "deposit_account_id": borrower.account.id},
        format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert drawdown.status_code == 201, drawdown.json()


def test_allowing_a_drawdown_consent_without_an_account_asks_again(signed_in: Client, app: Any, borrower: Any) -> None:  # noqa: F811
    consent = account_consent(app, permissions=["manage_credit"])
    url = authorize_url(app, consent=consent, scope="credit")
    page = signed_in.post(url, {"decision": "allow"})
    assert page.status_code == 400 and "Choose at least one account" in page.content.decode()


def test_a_read_only_credit_consent_needs_no_account(signed_in: Client, app: Any, borrower: Any) -> None:  # noqa: F811
    consent = account_consent(app, permissions=["read_credit"])
    url = authorize_url(app, consent=consent, scope="credit")
    assert "account_ids" not in signed_in.get(url).content.decode()
    assert "code" in redirect_params(signed_in.post(url, {"decision": "allow"}))
