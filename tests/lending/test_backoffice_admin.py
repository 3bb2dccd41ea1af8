"""The back office as staff read it: money as amounts with the currency (never fen), times in
the bank's zone beside business dates, the bank's branding, readable journal kinds, only the
grants the server serves, and a seeded demo loan so the lists are not empty."""
from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import get_application_model

from apps.core.admin import bank_time, money
from apps.ledger.models import JournalEntry
from apps.lending.demo import DEMO_LOAN_MINOR
from apps.lending.models import Installment, Loan, Product

pytestmark = pytest.mark.django_db
Application = get_application_model()
# A field label with the unit in its name ("Principal minor:", "Amount minor"), as Django
# renders model fields no display method replaced.
MINOR_LABEL = re.compile(r"\b[A-Z][a-z ]*? minor\b")


def _seed() -> dict[str, Any]:
    out = io.StringIO()
    call_command("seed", "--json", stdout=out)
    return dict(json.loads(out.getvalue()))


@pytest.fixture
def seeded(admin_client: Client) -> dict[str, Any]:
    return _seed()


def test_money_is_grouped_with_its_currency() -> None:
    assert money(800_000, "CNY") == "8,000.00 CNY"
    assert money(-123_456_789, "CNY") == "-1,234,567.89 CNY"
    assert money(5, "CNY") == "0.05 CNY"
    assert money(1_500, "JPY") == "1,500 JPY"
    assert money(None, "CNY") == "—"


def test_times_are_in_the_banks_zone_and_say_so() -> None:
    assert bank_time(datetime(2026, 12, 1, 17, 30, tzinfo=UTC)) == "2026-12-02 01:30 (Asia/Shanghai)"


def test_the_seed_draws_one_demo_loan_idempotently() -> None:
    first = _seed()
    again = _seed()
    business = next(c for c in first["customers"] if c["kind"] == "business")
    assert again == first
    assert Loan.objects.count() == 1 and business["loans"] == [Loan.objects.get().id]
    loan = Loan.objects.get()
    assert loan.customer_id == business["id"] and loan.status == Loan.Status.ACTIVE
    assert loan.principal_minor == DEMO_LOAN_MINOR and Installment.objects.filter(loan=loan).count() == 12
    # Drawn through the servicing path: disbursed in the ledger into the customer's account.
    assert JournalEntry.objects.filter(kind="loan_disbursement", external_ref=f"loan:{loan.id}:disbursement").count() == 1
    assert "seed" in loan.status_changes.get(to_status="active").actor


def test_loan_pages_show_amounts_with_currency_not_fen(admin_client: Client, seeded: dict[str, Any]) -> None:
    loan = Loan.objects.get()
    listing = admin_client.get(reverse("admin:lending_loan_changelist")).content.decode()
    assert "80,000.00 CNY" in listing and ">8000000<" not in listing
    detail = admin_client.get(reverse("admin:lending_loan_change", args=[loan.pk])).content.decode()
    assert "80,000.00 CNY" in detail
    assert not MINOR_LABEL.search(detail), MINOR_LABEL.search(detail)
    first = Installment.objects.filter(loan=loan).order_by("number").first()
    assert first is not None and money(first.principal_minor, "CNY") in detail  # the schedule inline
    assert "(Asia/Shanghai)" in detail  # timestamps name the bank's zone beside the business dates


def test_no_change_page_shows_a_minor_units_field(admin_client: Client, seeded: dict[str, Any]) -> None:
    """Every registered model with a row: its change page labels no field "... minor"."""
    checked = set()
    for model in admin.site._registry:
        obj = model._default_manager.first()
        if obj is None:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        page = admin_client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert not MINOR_LABEL.search(html), (url, MINOR_LABEL.search(html))
        checked.add(model._meta.label_lower)
    assert {
        "lending.loan", "lending.product", "lending.creditline", "lending.riskdecision", "lending.whitelistentry",
        "lending.scorecard", "ledger.ledgeraccount", "ledger.journalentry", "accounts.depositaccount",
    } <= checked


def test_the_site_is_branded_as_the_banks_back_office(admin_client: Client) -> None:
    html = admin_client.get("/admin/").content.decode()
    assert "OpenBank back office" in html and "Django administration" not in html
    assert "<title>Operations | OpenBank back office</title>" in html


def test_journal_kinds_read_as_words(admin_client: Client, seeded: dict[str, Any]) -> None:
    html = admin_client.get(reverse("admin:ledger_journalentry_changelist")).content.decode()
    assert "Loan disbursement" in html and "Cash deposit" in html
    assert ">loan_disbursement<" not in html and ">cash_deposit<" not in html
    filtered = admin_client.get(reverse("admin:ledger_journalentry_changelist"), {"kind": "loan_disbursement"})
    assert filtered.status_code == 200 and "Opening deposit" not in filtered.content.decode()


def test_list_pages_fit_a_laptop(admin_client: Client) -> None:
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"core", "customers", "oauth", "ledger", "accounts", "lending"}:
            continue
        assert len(model_admin.list_display) <= 7, model
        assert model_admin.list_per_page <= 50, model
        if model._meta.model_name not in {"businessclock", "eodrun"}:
            assert model_admin.search_fields, model


def test_product_amounts_are_edited_in_major_units(admin_client: Client, seeded: dict[str, Any]) -> None:
    product = Product.objects.get(code="auto-loan")
    url = reverse("admin:lending_product_change", args=[product.pk])
    form = admin_client.get(url).content.decode()
    assert 'value="20000.00"' in form and 'value="2000000"' not in form
    data = {
        "code": product.code, "name": product.name, "kind": product.kind, "currency": "CNY",
        "min_amount_minor": "25000.50", "max_amount_minor": "500000.00", "allowed_terms": "[12, 24, 36]",
        "allowed_methods": '["equal_installment"]', "min_daily_rate": "0.00015", "max_daily_rate": "0.0004",
        "penalty_daily_rate": "0.0006", "grace_days": "3", "day_count": product.day_count,
        "rounding": product.rounding, "active": "on",
    }
    assert admin_client.post(url, data).status_code == 302
    product.refresh_from_db()
    assert (product.min_amount_minor, product.max_amount_minor) == (2_500_050, 50_000_000)
    too_precise = admin_client.post(url, {**data, "min_amount_minor": "1.001"})
    assert too_precise.status_code == 200 and "At most 2 decimal places" in too_precise.content.decode()


def _application_form(admin_client: Client, grant: str) -> dict[str, str]:
    return {
        "name": "Partner X", "client_id": "partner-x", "client_secret": "s" * 40, "client_type": "confidential",
        "authorization_grant_type": grant, "redirect_uris": "https://partner.example/cb",
        "post_logout_redirect_uris": "", "allowed_origins": "", "algorithm": "", "hash_client_secret": "on",
        "profile-TOTAL_FORMS": "0", "profile-INITIAL_FORMS": "0", "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
    }


def test_the_application_form_offers_only_the_grants_the_server_serves(admin_client: Client) -> None:
    html = admin_client.get(reverse("admin:oauth2_provider_application_add")).content.decode()
    offered = set(re.findall(r'name="authorization_grant_type"[^>]*value="([^"]+)"', html)) | set(
        re.findall(r'value="([^"]+)"[^>]*name="authorization_grant_type"', html)
    )
    assert offered == {"authorization-code", "client-credentials"}
    for refused in ("password", "implicit", "urn:ietf:params:oauth:grant-type:device_code", "openid-hybrid"):
        response = admin_client.post(reverse("admin:oauth2_provider_application_add"), _application_form(admin_client, refused))
        assert response.status_code == 200, refused
        assert not Application.objects.filter(client_id="partner-x").exists(), refused
    response = admin_client.post(
        reverse("admin:oauth2_provider_application_add"), _application_form(admin_client, "client-credentials")
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Application.objects.get(client_id="partner-x").authorization_grant_type == "client-credentials"


def test_a_payment_consent_shows_its_amount_with_currency(admin_client: Client) -> None:
    from apps.oauth.models import Consent
    from tests.factories import make_client, make_consent, make_customer

    consent = make_consent(make_client(name="ShopPay"), make_customer("pay.er"), kind=Consent.Kind.PAYMENT,
                           amount_minor=123_456, currency="CNY", creditor_name="Tea House")
    listing = admin_client.get(reverse("admin:oauth_consent_changelist")).content.decode()
    assert "1,234.56 CNY" in listing
    detail = admin_client.get(reverse("admin:oauth_consent_change", args=[consent.pk])).content.decode()
    assert "1,234.56 CNY" in detail and not MINOR_LABEL.search(detail)
    assert "(Asia/Shanghai)" in listing
