"""The customer's Connected apps page: what each app may do, until when, and Revoke."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.oauth.models import Consent
from tests.factories import customer_token, make_account, make_client, make_consent, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> Any:
    return make_customer("zhang.wei")


@pytest.fixture
def browser(customer: Any) -> Client:
    c = Client(enforce_csrf_checks=True)
    c.force_login(customer.user)
    return c


def test_login_required() -> None:
    response = Client().get("/bank/connected-apps/")
    assert response.status_code == 302 and response["Location"].startswith("/bank/login/")


def test_lists_authorised_consents_grouped_by_app(browser: Client, customer: Any) -> None:
    account = make_account(customer, name="Everyday")
    budget = make_client(name="Moneywise")
    make_consent(budget, customer, accounts=[account], permissions=["read_balances"])
    make_consent(budget, customer, accounts=[account], permissions=["read_transactions"])
    make_consent(make_client(name="Pocket"), customer, accounts=[account], permissions=["read_accounts"])
    make_consent(make_client(name="Old"), customer, status=Consent.Status.REVOKED)
    make_consent(make_client(name="Elsewhere"), make_customer("other"))
    html = browser.get("/bank/connected-apps/").content.decode()
    assert html.count("<h2>Moneywise</h2>") == 1 and html.count("<h2>Pocket</h2>") == 1
    assert "Old" not in html and "Elsewhere" not in html
    assert "See your account balances" in html and "See your transactions" in html
    assert account.masked_number in html
    assert html.count(">Revoke</button>") == 3


def test_revoke_needs_csrf(browser: Client, customer: Any) -> None:
    consent = make_consent(make_client(), customer)
    response = browser.post(f"/bank/connected-apps/{consent.pk}/revoke/")
    assert response.status_code == 403
    assert Consent.objects.get(pk=consent.pk).status == Consent.Status.AUTHORISED


def test_revoke_ends_the_consent_and_its_token(browser: Client, customer: Any) -> None:
    token = customer_token(customer, scope="accounts")
    page = browser.get("/bank/connected-apps/")
    csrf = page.cookies["csrftoken"].value
    response = browser.post(f"/bank/connected-apps/{token.consent.pk}/revoke/", {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
    assert "Revoked" in browser.get(response["Location"]).content.decode()
    consent = Consent.objects.get(pk=token.consent.pk)
    assert consent.status == Consent.Status.REVOKED and consent.revoked_by == "customer"
    api = Client().get("/api/v1/consents", **token.header)
    assert api.status_code == 401 and api.json()["code"] == "consent_revoked"


def test_cannot_revoke_another_customers_consent(browser: Client) -> None:
    consent = make_consent(make_client(), make_customer("other"))
    page = browser.get("/bank/connected-apps/")
    response = browser.post(f"/bank/connected-apps/{consent.pk}/revoke/", {"csrfmiddlewaretoken": page.cookies["csrftoken"].value})
    assert response.status_code == 404
    assert Consent.objects.get(pk=consent.pk).status == Consent.Status.AUTHORISED


def test_expired_consent_is_not_listed(browser: Client, customer: Any) -> None:
    consent = make_consent(make_client(name="Lapsed"), customer)
    Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "Lapsed" not in browser.get("/bank/connected-apps/").content.decode()
