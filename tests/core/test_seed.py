"""`manage.py seed`: refuses production, keeps passwords (and so sessions) on a rerun, and
seeds customers that may borrow and pay (KYC verified)."""
from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from apps.customers.models import Customer

pytestmark = pytest.mark.django_db
User = get_user_model()


def seed() -> dict[str, Any]:
    out = io.StringIO()
    call_command("seed", "--json", stdout=out)
    return dict(json.loads(out.getvalue()))


def test_seed_refuses_production_settings(settings: Any) -> None:
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed", "--json", stdout=io.StringIO())
    assert not User.objects.exists()


def test_printed_credentials_sign_in_on_a_fresh_database() -> None:
    data = seed()
    assert User.objects.get(username="admin").check_password(data["admin"]["password"])
    for customer in data["customers"]:
        assert User.objects.get(username=customer["username"]).check_password(customer["password"])
    first = data["customers"][0]
    response = Client().post("/bank/login/", {"username": first["username"], "password": first["password"]})
    assert response.status_code == 302


def test_a_rerun_keeps_passwords_and_sessions() -> None:
    data = seed()
    customer = data["customers"][0]
    browser, admin = Client(), Client()
    assert browser.post("/bank/login/", {"username": customer["username"], "password": customer["password"]}).status_code == 302
    admin.force_login(User.objects.get(username="admin"))
    changed = User.objects.get(username=data["customers"][1]["username"])
    changed.set_password("my-own-better-passphrase")
    changed.save()

    again = seed()
    assert again == data  # same ids, same printed credentials
    assert browser.get("/bank/connected-apps/").status_code == 200  # still signed in
    assert admin.get("/admin/").status_code == 200
    assert User.objects.get(pk=changed.pk).check_password("my-own-better-passphrase")


def test_seeded_customers_are_kyc_verified_also_after_a_rerun() -> None:
    data = seed()
    Customer.objects.filter(pk=data["customers"][0]["id"]).update(kyc_status=Customer.KycStatus.PENDING)
    seed()
    statuses = set(Customer.objects.filter(pk__in=[c["id"] for c in data["customers"]]).values_list("kyc_status", flat=True))
    assert statuses == {Customer.KycStatus.VERIFIED}
