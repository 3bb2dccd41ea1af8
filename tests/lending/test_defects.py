"""The lending defects of issue #10, each with the test that failed before its fix."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.core.clock import pin_business_date
from apps.customers.models import Customer
from apps.ledger.models import LedgerAccount
from apps.ledger.selectors import ledger_balances_match_postings, ledger_trial_balance
from apps.lending.errors import CreditLimitExceeded, RepaymentExceedsOutstanding
from apps.lending.lists import blacklist_export_csv, csv_cell, whitelist_export_csv
from apps.lending.models import BlackListEntry, CreditLine, Loan, LoanStatusChange, Repayment, WhiteListEntry
from apps.lending.origination import loan_drawdown
from apps.lending.servicing import eod_run_inline, loan_repay
from tests.factories import customer_token, make_account, make_customer
from tests.lending.helpers import START, TEST_ACTOR, book_balance, make_borrower, product_in

pytestmark = pytest.mark.django_db


def api(token) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(**token.header)
    return client


def post(client: APIClient, url: str, body: dict):  # type: ignore[no-untyped-def]
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def money(amount: str, currency: str = "CNY") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def draw_body(account_id: str, amount: str = "10000.00", currency: str = "CNY") -> dict:
    return {"amount": money(amount, currency), "term_months": 5, "repayment_method": "equal_installment",
            "deposit_account_id": account_id}


def balance(account) -> int:  # type: ignore[no-untyped-def]
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance_minor


# --------------------------------------------------------------------------- debug cursor


def test_repayment_on_a_later_business_day_with_the_debug_cursor_on(borrower):  # type: ignore[no-untyped-def]
    """The `make run` sandbox (DEBUG) answered 500: the nightly SQL had a bare `%`."""
    client = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))
    loan = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", draw_body(borrower.account.id)).json()
    pin_business_date(START + timedelta(days=3))
    connection.force_debug_cursor = True  # as DEBUG=True does (the lending conftest sets it for every test too)
    response = post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("100.00")})
    assert response.status_code == 201, response.json()
    assert Loan.objects.get(pk=loan["id"]).last_accrual_date == START + timedelta(days=3)


# --------------------------------------------------------------------------- currencies at end of day


def test_end_of_day_books_each_loans_interest_in_its_own_currency(products, clock):  # type: ignore[no-untyped-def]
    cny = make_borrower(products)
    usd = make_borrower(products, currency="USD")
    jpy = make_borrower(products, currency="JPY", balance_minor=10_000_000, limit_minor=5_000_000)
    loans = {}
    for b, amount in ((cny, 1_000_000), (usd, 2_000_000), (jpy, 3_000_000)):
        loans[b.line.currency] = loan_drawdown(
            actor=TEST_ACTOR, line_id=b.line.id, customer_id=b.customer.id, amount_minor=amount, term_months=5,
            method="equal_installment", deposit_account=b.account,
        )
    for offset in range(1, 11):
        pin_business_date(START + timedelta(days=offset))
        eod_run_inline(actor=TEST_ACTOR, business_date=START + timedelta(days=offset))
    for currency, loan in loans.items():
        loan.refresh_from_db()
        assert loan.accrued_interest_minor > 0
        # each currency's books hold exactly its own loan's recognised interest
        assert book_balance("interest_receivable", currency) == loan.accrued_interest_minor, currency
        assert book_balance("interest_income", currency) == loan.accrued_interest_minor, currency
    assert set(ledger_trial_balance().values()) <= {0}
    assert ledger_balances_match_postings()


# --------------------------------------------------------------------------- consent of the debited account


def test_repayment_refuses_a_deposit_account_outside_the_consent(borrower):  # type: ignore[no-untyped-def]
    drawn = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))
    loan = post(drawn, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", draw_body(borrower.account.id)).json()
    other_account = make_account(borrower.customer, name="Savings")
    # a third party the customer shared another account with, but not the loan's
    outsider = api(customer_token(borrower.customer, accounts=[other_account], scope="credit"))
    before = balance(borrower.account)
    response = post(outsider, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("100.00")})
    assert response.status_code == 422 and response.json()["code"] == "deposit_account_not_in_consent"
    assert balance(borrower.account) == before and not Repayment.objects.exists()
    assert post(drawn, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("100.00")}).status_code == 201


# --------------------------------------------------------------------------- business date moved backwards


def test_business_date_before_the_last_accrual_is_refused_clearly(borrower):  # type: ignore[no-untyped-def]
    client = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))
    loan = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", draw_body(borrower.account.id)).json()
    pin_business_date(START + timedelta(days=5))
    assert post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("10.00")}).status_code == 201
    pin_business_date(START + timedelta(days=2))  # an operator moves the pinned date back
    before = balance(borrower.account)
    response = post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("10.00")})
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "business_date_before_last_accrual"
    response = client.get(f"/api/v1/loans/{loan['id']}/payoff-quote")
    assert response.status_code == 409 and response.json()["code"] == "business_date_before_last_accrual"
    assert balance(borrower.account) == before and Repayment.objects.count() == 1


# --------------------------------------------------------------------------- KYC


def test_only_verified_customers_may_apply_draw_or_repay(borrower):  # type: ignore[no-untyped-def]
    client = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))
    loan = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", draw_body(borrower.account.id)).json()
    Customer.objects.filter(pk=borrower.customer.pk).update(kyc_status=Customer.KycStatus.PENDING)
    response = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", draw_body(borrower.account.id))
    assert response.status_code == 422 and response.json()["code"] == "kyc_not_verified"
    response = post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("10.00")})
    assert response.status_code == 422 and response.json()["code"] == "kyc_not_verified"
    assert Loan.objects.count() == 1 and not Repayment.objects.exists()
    business = make_customer(kind=Customer.Kind.BUSINESS)
    Customer.objects.filter(pk=business.pk).update(kyc_status=Customer.KycStatus.PENDING)
    business_client = api(customer_token(business, accounts=[make_account(business)], scope="credit"))
    body = {"requested_amount": money("400000.00"), "annual_revenue": money("8000000.00"), "years_in_business": 6}
    response = post(business_client, "/api/v1/credit-applications", body)
    assert response.status_code == 422 and response.json()["code"] == "kyc_not_verified"


def test_a_repayment_in_another_currency_is_the_platforms_422(borrower):  # type: ignore[no-untyped-def]
    client = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))
    loan = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", draw_body(borrower.account.id)).json()
    response = post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("10.00", "USD")})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "currency_mismatch"
    assert problem["errors"] == [{"field": "amount.currency", "code": "currency_mismatch", "message": "Use CNY."}]


# --------------------------------------------------------------------------- money in messages and CSV


def test_error_messages_format_money_in_the_currencys_own_exponent(products, clock):  # type: ignore[no-untyped-def]
    jpy = make_borrower(products, currency="JPY", limit_minor=5_000_000)
    with pytest.raises(CreditLimitExceeded) as exc:
        loan_drawdown(actor=TEST_ACTOR, line_id=jpy.line.id, customer_id=jpy.customer.id, amount_minor=5_000_001,
                      term_months=5, method="equal_installment", deposit_account=jpy.account)
    assert exc.value.detail == "Available 5000000 JPY; requested 5000001."
    loan = loan_drawdown(actor=TEST_ACTOR, line_id=jpy.line.id, customer_id=jpy.customer.id, amount_minor=100_000,
                         term_months=5, method="equal_installment", deposit_account=jpy.account)
    with pytest.raises(RepaymentExceedsOutstanding) as owed:
        loan_repay(actor=TEST_ACTOR, loan_id=loan.id, amount_minor=100_001, reference="too-much")
    assert owed.value.detail == "Everything owed today is 100000 JPY; 100001 was offered."


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(text: str) -> None:
    assert csv_cell(text) == "'" + text
    assert csv_cell("plain note") == "plain note" and csv_cell(None) == ""


def test_list_exports_escape_formulas_and_write_amounts_per_currency(products, clock):  # type: ignore[no-untyped-def]
    person = make_customer()
    yen = product_in(products["consumer-revolving"], "JPY")
    WhiteListEntry.objects.create(customer=person, product=yen, pre_approved_limit_minor=500_000, note="=cmd|' /C calc'!A0")
    BlackListEntry.objects.create(customer=person, reason="@fraud")
    white = whitelist_export_csv(queryset=WhiteListEntry.objects.all()).splitlines()
    assert white[1] == f"{person.id},{yen.code},500000,'=cmd|' /C calc'!A0"
    black = blacklist_export_csv(queryset=BlackListEntry.objects.all()).splitlines()
    assert black[1].endswith(",'@fraud")


# --------------------------------------------------------------------------- N+1 on the loan list


def test_the_loan_list_reads_status_histories_in_one_query(borrower, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    CreditLine.objects.filter(pk=borrower.line.pk).update(limit_minor=100_000_000)
    for _ in range(30):
        loan_drawdown(actor=TEST_ACTOR, line_id=borrower.line.id, customer_id=borrower.customer.id, amount_minor=100_000,
                      term_months=5, method="equal_installment", deposit_account=borrower.account)
    assert LoanStatusChange.objects.count() == 60
    client = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))
    client.get("/api/v1/loans?limit=1")  # warm the token and the per-process caches
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/loans?limit=30").json()
    assert len(page["data"]) == 30 and all(len(row["status_history"]) == 2 for row in page["data"])

