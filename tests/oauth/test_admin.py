"""Staff manage clients and consents in the admin; every action is in the audit log."""
from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.test import Client

from apps.customers.models import Customer
from apps.oauth.models import Consent
from tests.factories import customer_token, make_client, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "x" * 16)
    c = Client()
    c.force_login(user)
    return c


def test_staff_revokes_consents_and_it_is_audited(staff: Client) -> None:
    token = customer_token(make_customer(), scope="accounts")
    response = staff.post(
        "/admin/oauth/consent/", {"action": "revoke_selected", "_selected_action": [token.consent.pk]}, follow=True
    )
    assert response.status_code == 200
    consent = Consent.objects.get(pk=token.consent.pk)
    assert consent.status == Consent.Status.REVOKED and consent.revoked_by == "staff"
    entry = LogEntry.objects.get(object_id=consent.pk)
    assert entry.action_flag == CHANGE and "Revoked by staff" in entry.change_message
    api = Client().get("/api/v1/consents", **token.header)
    assert api.json()["code"] == "consent_revoked"


def test_consent_admin_filters_and_is_read_only(staff: Client) -> None:
    token = customer_token(make_customer(), scope="accounts")
    listing = staff.get("/admin/oauth/consent/?status__exact=authorised&kind__exact=account_access")
    assert token.consent.pk in listing.content.decode()
    change = staff.post(f"/admin/oauth/consent/{token.consent.pk}/change/", {"status": "awaiting_authorisation"})
    assert Consent.objects.get(pk=token.consent.pk).status == Consent.Status.AUTHORISED
    assert change.status_code in (200, 302, 403)
    assert staff.get("/admin/oauth/consent/add/").status_code == 403


def test_application_admin_shows_the_client_profile_inline(staff: Client) -> None:
    app = make_client(name="Moneywise")
    page = staff.get(f"/admin/oauth2_provider/application/{app.pk}/change/").content.decode()
    assert "profile-0-display_name" in page or "profile-0-kind" in page


def test_customer_admin_search_and_kyc_action_is_audited(staff: Client) -> None:
    customer = make_customer("hangzhou.tea")
    Customer.objects.filter(pk=customer.pk).update(kyc_status="pending")
    assert customer.pk in staff.get("/admin/customers/customer/?q=hangzhou").content.decode()
    staff.post("/admin/customers/customer/", {"action": "mark_kyc_verified", "_selected_action": [customer.pk]})
    assert Customer.objects.get(pk=customer.pk).kyc_status == "verified"
    assert "KYC status pending -> verified" in LogEntry.objects.get(object_id=customer.pk).change_message


def test_audit_log_is_viewable_but_read_only(staff: Client) -> None:
    customer = make_customer()
    staff.post("/admin/customers/customer/", {"action": "mark_kyc_rejected", "_selected_action": [customer.pk]})
    entry = LogEntry.objects.get(object_id=customer.pk)
    assert staff.get("/admin/admin/logentry/").status_code == 200
    assert staff.get(f"/admin/admin/logentry/{entry.pk}/change/").status_code == 200
    staff.post(f"/admin/admin/logentry/{entry.pk}/delete/", {"post": "yes"})
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    assert staff.get("/admin/admin/logentry/add/").status_code == 403
