"""The books in the admin: the bank's own accounts show their balance, summed from postings."""
from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.ledger.bank_books import bank_account
from apps.ledger.services import Leg, ledger_account_open, ledger_post

pytestmark = pytest.mark.django_db


def test_the_account_list_shows_the_banks_balance_from_its_postings(admin_client: Any) -> None:
    cash = bank_account("cash")
    customer = ledger_account_open(code="deposit:acc_x", name="Alice", type="liability", currency="CNY")
    ledger_post(external_ref="in", kind="cash_deposit", legs=[Leg(cash.pk, 123_456), Leg(customer.pk, -123_456)])
    ledger_post(external_ref="out", kind="cash_withdrawal", legs=[Leg(customer.pk, 23_456), Leg(cash.pk, -23_456)])
    page = admin_client.get(reverse("admin:ledger_ledgeraccount_changelist")).content.decode()
    assert "1,000.00 CNY (from postings)" in page  # bank:cash, whose row keeps no balance
    assert "1,000.00 CNY" in page.replace("1,000.00 CNY (from postings)", "")  # Alice's, stored


def test_an_entry_shows_no_balance_after_on_the_banks_leg(admin_client: Any) -> None:
    cash = bank_account("cash")
    customer = ledger_account_open(code="deposit:acc_y", name="Bob", type="liability", currency="CNY")
    entry = ledger_post(external_ref="in", kind="cash_deposit", legs=[Leg(cash.pk, 500), Leg(customer.pk, -500)])
    response = admin_client.get(reverse("admin:ledger_journalentry_change", args=[entry.pk]))
    assert response.status_code == 200
    assert "5.00 CNY" in response.content.decode()
