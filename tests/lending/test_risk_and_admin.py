"""Risk engine decisions, white/black lists with CSV, product validation in the admin, the demo seed."""
from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from apps.customers.models import Customer
from apps.lending.errors import CsvImportError
from apps.lending.lists import blacklist_export_csv, blacklist_import_csv, whitelist_export_csv, whitelist_import_csv
from apps.lending.models import BlackListEntry, CreditLine, Product, RiskDecision, Scorecard, WhiteListEntry
from apps.lending.risk import credit_decision_make, national_id_hash
from tests.factories import make_account, make_customer
from tests.lending.helpers import TEST_ACTOR, make_borrower

pytestmark = pytest.mark.django_db


def test_not_invited_and_blacklisted_decisions_are_stored(products, clock):  # type: ignore[no-untyped-def]
    consumer = products["consumer-revolving"]
    person = make_customer()
    make_account(person, balance_minor=10_000_000)
    decision = credit_decision_make(actor=TEST_ACTOR, customer=person, product=consumer)
    assert decision.outcome == "not_invited" and decision.limit_minor == 0
    WhiteListEntry.objects.create(customer=person, product=consumer)
    BlackListEntry.objects.create(customer=person, reason="identity fraud")
    decision = credit_decision_make(actor=TEST_ACTOR, customer=person, product=consumer)
    assert decision.outcome == "decline" and decision.reasons == [{"code": "customer_blacklisted"}]
    business = make_customer(kind=Customer.Kind.BUSINESS)
    business.registration_number = "91330100MA2B7Q4K0K"
    business.save()
    BlackListEntry.objects.create(national_id_hash=national_id_hash("91330100ma2xxxxx0k "), reason="shell company")
    assert credit_decision_make(actor=TEST_ACTOR, customer=business, product=products["sme-line"]).outcome == "decline"
    assert RiskDecision.objects.count() == 3


def test_scorecard_decision_is_explainable_and_uses_bank_data(products, clock):  # type: ignore[no-untyped-def]
    consumer = products["consumer-revolving"]
    rich, poor = make_customer(), make_customer()
    make_account(rich, balance_minor=10_000_000)
    make_account(poor, balance_minor=0)
    for c in (rich, poor):
        WhiteListEntry.objects.create(customer=c, product=consumer)
    good = credit_decision_make(actor=TEST_ACTOR, customer=rich, product=consumer, declared={"income_band": "A"})
    weak = credit_decision_make(actor=TEST_ACTOR, customer=poor, product=consumer, declared={"income_band": "D"})
    assert good.outcome == "approve" and good.model_version == "consumer-2026.1"
    assert good.inputs["deposit_balance_minor"] == 10_000_000 and good.inputs["deposit_inflow_90d_minor"] == 10_000_000
    assert good.score == 40 + 30 + 25 + 10  # base + income A + balance + inflow
    assert good.limit_minor == 20_000_000 and good.daily_rate == Decimal("0.0002")
    assert weak.outcome == "decline" and weak.score == 40 and weak.limit_minor == 0
    assert {"code": "score_below_threshold", "threshold": 45} in weak.reasons
    # The weights are data: staff raise a feature's points and the same customer is approved.
    card = Scorecard.objects.get(version="consumer-2026.1")
    card.weights["features"]["income_band"]["map"]["D"] = 25
    card.save()
    assert credit_decision_make(actor=TEST_ACTOR, customer=poor, product=consumer, declared={"income_band": "D"}).outcome == "approve"


def test_exposure_is_capped_across_products(products, clock):  # type: ignore[no-untyped-def]
    b = make_borrower(products, limit_minor=20_000_000)  # the consumer line takes RMB 200,000
    auto = products["auto-loan"]
    card = Scorecard.objects.get(product_kind="auto_loan")
    card.exposure_cap_minor = 25_000_000
    card.save()
    decision = credit_decision_make(actor=TEST_ACTOR, customer=b.customer, product=auto, declared={"income_band": "A"})
    assert decision.inputs["existing_exposure_minor"] == 20_000_000
    assert decision.outcome == "approve" and decision.limit_minor == 5_000_000
    assert {"code": "limit_capped", "by": "exposure_cap", "limit_minor": 5_000_000} in decision.reasons
    card.exposure_cap_minor = 21_000_000
    card.save()
    decision = credit_decision_make(actor=TEST_ACTOR, customer=b.customer, product=auto, declared={"income_band": "A"})
    assert decision.outcome == "decline" and decision.reasons[-1]["code"] == "limit_below_product_minimum"


def test_product_validation(products):  # type: ignore[no-untyped-def]
    product = Product(code="bad", name="Bad", kind="consumer_revolving", min_amount_minor=100, max_amount_minor=50,
                      allowed_terms=[0, "x"], allowed_methods=["balloon"], min_daily_rate="0.0005",
                      max_daily_rate="0.0002", penalty_daily_rate="0.5")
    with pytest.raises(ValidationError) as excinfo:
        product.full_clean()
    assert set(excinfo.value.message_dict) >= {
        "max_amount_minor", "allowed_terms", "allowed_methods", "max_daily_rate", "penalty_daily_rate"
    }
    products["sme-line"].full_clean()


def test_staff_cannot_lower_a_limit_below_what_is_used(products, clock):  # type: ignore[no-untyped-def]
    b = make_borrower(products)
    CreditLine.objects.filter(pk=b.line.pk).update(used_minor=1_000_000)
    b.line.refresh_from_db()
    b.line.limit_minor = 999_999
    with pytest.raises(ValidationError):
        b.line.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditLine.objects.filter(pk=b.line.pk).update(limit_minor=999_999)  # the database refuses it too


def test_whitelist_and_blacklist_csv_round_trip(products):  # type: ignore[no-untyped-def]
    a, b = make_customer(), make_customer()
    text = f"customer_id,product_code,pre_approved_limit,note\n{a.id},consumer-revolving,50000.00,vip\n{b.id},auto-loan,,\n"
    assert whitelist_import_csv(actor=TEST_ACTOR, text=text) == 2
    assert WhiteListEntry.objects.get(customer=a).pre_approved_limit_minor == 5_000_000
    assert whitelist_export_csv(queryset=WhiteListEntry.objects.all()).replace("\r\n", "\n") == text
    with pytest.raises(CsvImportError, match="line 3"):
        whitelist_import_csv(actor=TEST_ACTOR, text=f"customer_id,product_code,pre_approved_limit,note\n{a.id},auto-loan,,\nnobody,auto-loan,,\n")
    assert WhiteListEntry.objects.count() == 2  # all or nothing
    digest = national_id_hash("110101199003074514")
    black = f"customer_id,national_id_hash,reason\n{a.id},,fraud\n,{digest},court order\n"
    assert blacklist_import_csv(actor=TEST_ACTOR, text=black) == 2
    assert blacklist_export_csv(queryset=BlackListEntry.objects.all()).replace("\r\n", "\n") == black
    with pytest.raises(CsvImportError):
        blacklist_import_csv(actor=TEST_ACTOR, text="customer_id,national_id_hash,reason\n,not-a-hash,x\n")
    with pytest.raises(CsvImportError, match="header"):
        blacklist_import_csv(actor=TEST_ACTOR, text="who,why\n")


def test_admin_imports_and_exports_csv(products):  # type: ignore[no-untyped-def]
    get_user_model().objects.create_superuser("risk", "risk@example.com", "pw-risk-123")
    client = Client()
    client.login(username="risk", password="pw-risk-123")
    person = make_customer()
    upload = io.BytesIO(f"customer_id,national_id_hash,reason\n{person.id},,fraud\n".encode())
    upload.name = "black.csv"
    response = client.post("/admin/lending/blacklistentry/import-csv/", {"file": upload})
    assert response.status_code == 302
    assert BlackListEntry.objects.get().customer == person
    assert "Import CSV" in client.get("/admin/lending/blacklistentry/").content.decode()
    response = client.post("/admin/lending/blacklistentry/", {
        "action": "export_csv", "_selected_action": [BlackListEntry.objects.get().pk]})
    assert response["Content-Type"].startswith("text/csv") and person.id in response.content.decode()
    bad = io.BytesIO(b"oops\n")
    bad.name = "bad.csv"
    assert "header must be" in client.post("/admin/lending/blacklistentry/import-csv/", {"file": bad}).content.decode()


def test_demo_seed_opens_lines(db):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("seed", "--json", stdout=out)
    call_command("seed", "--json", stdout=io.StringIO())  # idempotent
    data = json.loads(out.getvalue())
    individuals = [c for c in data["customers"] if c["kind"] == "individual"]
    business = next(c for c in data["customers"] if c["kind"] == "business")
    consumer_line = CreditLine.objects.get(pk=individuals[0]["credit_lines"][0])
    assert consumer_line.product.kind == "consumer_revolving" and consumer_line.limit_minor == 5_000_000
    assert consumer_line.customer_id == individuals[0]["id"]
    sme_line = CreditLine.objects.get(pk=business["credit_lines"][0])
    assert sme_line.product.kind == "sme_line" and sme_line.status == "active"
    assert CreditLine.objects.count() == 2
    assert "credit_lines" not in individuals[1]


def test_admin_write_off_records_the_staff_member(borrower):  # type: ignore[no-untyped-def]
    from apps.lending.models import Loan, LoanStatusChange
    from apps.lending.origination import loan_drawdown

    loan = loan_drawdown(actor=TEST_ACTOR, line_id=borrower.line.id, customer_id=borrower.customer.id, amount_minor=100_000,
                         term_months=5, method="equal_installment", deposit_account=borrower.account)
    officer = get_user_model().objects.create_superuser("risk.officer", "risk@example.com", "pw-risk-officer-1")
    client = Client()
    client.force_login(officer)
    response = client.post("/admin/lending/loan/", {"action": "write_off", "_selected_action": [loan.pk]})
    assert response.status_code == 302
    assert Loan.objects.get(pk=loan.pk).status == "written_off"
    change = LoanStatusChange.objects.get(loan=loan, to_status="written_off")
    assert change.actor == f"staff:{officer.pk}"
    assert CreditLine.objects.get(pk=borrower.line.pk).status == "frozen"


def test_a_list_import_names_its_actor_in_the_log(products, caplog):  # type: ignore[no-untyped-def]
    from apps.core.actors import Actor

    person = make_customer()
    with caplog.at_level("INFO", logger="apps.lending.lists"):
        blacklist_import_csv(text=f"customer_id,national_id_hash,reason\n{person.id},,fraud\n", actor=Actor.system("ops"))
    assert "1 rows imported by system:ops" in caplog.text
