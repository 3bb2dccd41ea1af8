"""Connected apps, several consents of one app: each shown apart (what it allows, since when,
which accounts, a payment's amount and payee), and Revoke asks first, without JavaScript."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.oauth.models import Consent
from tests.factories import make_account, make_client, make_consent, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> Any:
    return make_customer("li.na")


@pytest.fixture
def browser(customer: Any) -> Client:
    c = Client(enforce_csrf_checks=True)
    c.force_login(customer.user)
    return c


def _two_consents_of_one_app(customer: Any) -> tuple[Any, Consent, Consent]:
    everyday, savings = make_account(customer, name="Everyday"), make_account(customer, name="Savings")
    app = make_client(name="Moneywise")
    balances = make_consent(app, customer, accounts=[everyday], permissions=["read_balances"])
    history = make_consent(app, customer, accounts=[savings], permissions=["read_transactions"])
    Consent.objects.filter(pk=balances.pk).update(authorised_at=timezone.now() - timedelta(days=40))
    Consent.objects.filter(pk=history.pk).update(authorised_at=timezone.now() - timedelta(days=2))
    return (everyday, savings), Consent.objects.get(pk=balances.pk), Consent.objects.get(pk=history.pk)


def _section(html: str, consent: Consent) -> str:
    start = html.index(f'id="consent-{consent.pk}"')
    end = html.find("<article", start)
    return html[start:end if end != -1 else len(html)]


def test_each_consent_of_one_app_is_shown_apart(browser: Client, customer: Any) -> None:
    (everyday, savings), balances, history = _two_consents_of_one_app(customer)
    html = browser.get("/bank/connected-apps/").content.decode()
    assert html.count("<h2>Moneywise</h2>") == 1 and "2 separate connections" in html
    first, second = _section(html, history), _section(html, balances)  # newest first
    assert "Connection 1: Account access" in first and "Connection 2: Account access" in second
    assert "See your transactions" in first and "See your account balances" not in first
    assert savings.masked_number in first and everyday.masked_number not in first
    assert "See your account balances" in second and everyday.masked_number in second
    since = timezone.localtime(balances.authorised_at, timezone.get_fixed_timezone(8 * 60))
    assert f"Connected since</dt><dd>{since:%Y-%m-%d %H:%M} (Beijing time)" in second


def test_a_payment_consent_shows_amount_payee_and_paying_account(browser: Client, customer: Any) -> None:
    everyday = make_account(customer, name="Everyday")
    consent = make_consent(make_client(name="ShopPay"), customer, status=Consent.Status.AUTHORISED)
    Consent.objects.filter(pk=consent.pk).update(
        kind=Consent.Kind.PAYMENT, permissions=[], account_ids=[], amount_minor=123_456, currency="CNY",
        creditor_name="Tea House Ltd", creditor_account_number="6222020200001234", reference="Order 77",
        debtor_account_id=everyday.pk,
    )
    html = browser.get("/bank/connected-apps/").content.decode()
    assert "One payment of 1234.56 CNY to Tea House Ltd (**** 1234)" in html
    assert "Order 77" in html and everyday.masked_number in html


def test_revoke_asks_for_confirmation_first(browser: Client, customer: Any) -> None:
    _accounts, balances, history = _two_consents_of_one_app(customer)
    listing = browser.get("/bank/connected-apps/").content.decode()
    # The list's Revoke is a plain GET form: it changes nothing by itself.
    assert f'<form method="get" action="/bank/connected-apps/{balances.pk}/revoke/">' in listing
    confirm = browser.get(f"/bank/connected-apps/{balances.pk}/revoke/")
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Revoke this connection?" in page and "Moneywise" in page and "See your account balances" in page
    assert "See your transactions" not in page  # only the consent being revoked
    assert Consent.objects.get(pk=balances.pk).status == Consent.Status.AUTHORISED
    response = browser.post(
        f"/bank/connected-apps/{balances.pk}/revoke/",
        {"csrfmiddlewaretoken": confirm.cookies["csrftoken"].value, "confirm": "yes"},
    )
    assert response.status_code == 302
    assert Consent.objects.get(pk=balances.pk).status == Consent.Status.REVOKED
    assert Consent.objects.get(pk=history.pk).status == Consent.Status.AUTHORISED  # the other one stays


def test_confirmation_page_of_someone_elses_or_ended_consent_is_404(browser: Client, customer: Any) -> None:
    theirs = make_consent(make_client(), make_customer("other"))
    ended = make_consent(make_client(), customer, status=Consent.Status.REVOKED)
    for consent in (theirs, ended):
        response = browser.get(f"/bank/connected-apps/{consent.pk}/revoke/")
        assert response.status_code == 404 and "Nothing to revoke" in response.content.decode()
