"""The credit API as a third-party app sees it: happy paths and every stable error code."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.core.clock import pin_business_date
from apps.customers.models import Customer
from apps.ledger.models import LedgerAccount
from apps.ledger.selectors import ledger_balances_match_postings, ledger_trial_balance
from apps.lending.models import BlackListEntry, CreditLine, Loan, RiskDecision
from tests.factories import customer_token, make_account, make_customer
from tests.lending.helpers import START, make_borrower

pytestmark = pytest.mark.django_db


def api(token) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(**token.header)
    return client


def post(client: APIClient, url: str, body: dict, key: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "CNY"}


def drawdown_body(account_id: str, amount: str = "10000.00", term: int = 10, method: str = "equal_installment") -> dict:
    return {"amount": money(amount), "term_months": term, "repayment_method": method, "deposit_account_id": account_id}


@pytest.fixture
def client(borrower):  # type: ignore[no-untyped-def]
    return api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))


def balance(account) -> int:  # type: ignore[no-untyped-def]
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance_minor


def test_lists_and_retrieves_own_credit_lines(client, borrower):  # type: ignore[no-untyped-def]
    page = client.get("/api/v1/credit-lines").json()
    assert [line["id"] for line in page["data"]] == [borrower.line.id]
    line = client.get(f"/api/v1/credit-lines/{borrower.line.id}").json()
    assert line["limit"] == money("50000.00")
    assert line["available"] == money("50000.00")
    assert line["allowed_terms"] == [5, 10, 20]
    assert line["product_kind"] == "consumer_revolving"


def test_other_customers_line_and_loan_are_404(client, products, borrower):  # type: ignore[no-untyped-def]
    other = make_borrower(products)
    other_client = api(customer_token(other.customer, accounts=[other.account], scope="credit"))
    loan_id = post(other_client, f"/api/v1/credit-lines/{other.line.id}/drawdowns", drawdown_body(other.account.id)).json()["id"]
    for url in (f"/api/v1/credit-lines/{other.line.id}", f"/api/v1/loans/{loan_id}", f"/api/v1/loans/{loan_id}/schedule",
                f"/api/v1/loans/{loan_id}/payoff-quote"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    assert post(client, f"/api/v1/credit-lines/{other.line.id}/drawdowns", drawdown_body(borrower.account.id)).status_code == 404
    assert post(client, f"/api/v1/loans/{loan_id}/repayments", {"amount": money("1.00")}).status_code == 404
    assert client.get("/api/v1/loans").json()["data"] == []


def test_consent_permission_and_scope_are_enforced(borrower):  # type: ignore[no-untyped-def]
    read_only = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit", permissions=["read_credit"]))
    assert read_only.get("/api/v1/credit-lines").status_code == 200
    response = post(read_only, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", drawdown_body(borrower.account.id))
    assert response.status_code == 403 and response.json()["code"] == "consent_permission_missing"
    no_credit = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit", permissions=["read_accounts"]))
    assert no_credit.get("/api/v1/loans").json()["code"] == "consent_permission_missing"
    wrong_scope = api(customer_token(borrower.customer, accounts=[borrower.account], scope="accounts"))
    response = wrong_scope.get("/api/v1/credit-lines")
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"
    assert APIClient().get("/api/v1/credit-lines").status_code == 401


def test_drawdown_disburses_with_an_exact_schedule_and_replays(client, borrower):  # type: ignore[no-untyped-def]
    before = balance(borrower.account)
    key = str(uuid.uuid4())
    response = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", drawdown_body(borrower.account.id), key)
    assert response.status_code == 201, response.json()
    loan = response.json()
    assert loan["status"] == "active"
    assert loan["principal"] == money("10000.00")
    assert loan["disbursement_date"] == START.isoformat()
    assert [(s["from_status"], s["to_status"]) for s in loan["status_history"]] == [("", "approved"), ("approved", "active")]
    assert response["Location"] == f"/api/v1/loans/{loan['id']}"
    assert balance(borrower.account) == before + 1_000_000
    line = client.get(f"/api/v1/credit-lines/{borrower.line.id}").json()
    assert line["used"] == money("10000.00") and line["available"] == money("40000.00")

    replay = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", drawdown_body(borrower.account.id), key)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == loan["id"]
    assert Loan.objects.count() == 1 and balance(borrower.account) == before + 1_000_000

    schedule = client.get(f"/api/v1/loans/{loan['id']}/schedule").json()
    rows = schedule["installments"]
    assert len(rows) == 10
    assert sum(int(r["principal"]["amount"].replace(".", "")) for r in rows) == 1_000_000
    assert rows[0]["due_date"] == "2026-02-15" and rows[-1]["due_date"] == "2026-11-15"
    totals = {r["total"]["amount"] for r in rows[:-1]}
    assert len(totals) == 1  # equal installments (the last one absorbs the rounding)
    assert all(r["status"] == "scheduled" for r in rows)
    assert ledger_trial_balance() == {"CNY": 0} and ledger_balances_match_postings()


@pytest.mark.parametrize(
    ("body_changes", "code"),
    [
        ({"amount": money("50000.01")}, "credit_limit_exceeded"),
        ({"term_months": 7}, "term_not_allowed"),
        ({"repayment_method": "interest_only"}, "method_not_allowed_for_product"),
        ({"amount": money("499.99")}, "amount_out_of_range"),
    ],
)
def test_drawdown_errors(client, borrower, body_changes, code):  # type: ignore[no-untyped-def]
    body = {**drawdown_body(borrower.account.id), **body_changes}
    response = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", body)
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == code
    assert response["Content-Type"] == "application/problem+json"
    assert Loan.objects.count() == 0
    assert CreditLine.objects.get(pk=borrower.line.pk).used_minor == 0


def test_limit_counts_earlier_drawdowns(client, borrower):  # type: ignore[no-untyped-def]
    url = f"/api/v1/credit-lines/{borrower.line.id}/drawdowns"
    assert post(client, url, drawdown_body(borrower.account.id, "30000.00")).status_code == 201
    assert post(client, url, drawdown_body(borrower.account.id, "20000.01")).json()["code"] == "credit_limit_exceeded"
    assert post(client, url, drawdown_body(borrower.account.id, "20000.00")).status_code == 201
    assert client.get(f"/api/v1/credit-lines/{borrower.line.id}").json()["available"] == money("0.00")


def test_blacklisted_customer_cannot_draw(client, borrower):  # type: ignore[no-untyped-def]
    BlackListEntry.objects.create(customer=borrower.customer, reason="fraud ring")
    response = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", drawdown_body(borrower.account.id))
    assert response.status_code == 422 and response.json()["code"] == "customer_blacklisted"


def test_deposit_account_must_be_in_the_consent(borrower):  # type: ignore[no-untyped-def]
    unshared = make_account(borrower.customer, name="Unshared")
    client = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))
    response = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns", drawdown_body(unshared.id))
    assert response.status_code == 422 and response.json()["code"] == "deposit_account_not_in_consent"


def _draw(client, borrower, amount: str = "10000.00", method: str = "equal_installment") -> dict:  # type: ignore[no-untyped-def]
    response = post(client, f"/api/v1/credit-lines/{borrower.line.id}/drawdowns",
                    drawdown_body(borrower.account.id, amount, method=method))
    assert response.status_code == 201, response.json()
    return response.json()


def test_payoff_quote_charges_interest_to_the_day_only(client, borrower):  # type: ignore[no-untyped-def]
    loan = _draw(client, borrower)
    quote = client.get(f"/api/v1/loans/{loan['id']}/payoff-quote?date=2026-01-25").json()
    # 10,000.00 x 0.0002 x 10 days = 20.00
    assert quote["principal"] == money("10000.00")
    assert quote["interest"] == money("20.00")
    assert quote["penalty"] == money("0.00")
    assert quote["total"] == money("10020.00")
    assert quote["days_accrued"] == 10
    today = client.get(f"/api/v1/loans/{loan['id']}/payoff-quote").json()
    assert today["total"] == money("10000.00") and today["date"] == START.isoformat()
    past = client.get(f"/api/v1/loans/{loan['id']}/payoff-quote?date=2026-01-01")
    assert past.status_code == 422 and past.json()["code"] == "quote_date_in_past"
    assert client.get(f"/api/v1/loans/{loan['id']}/payoff-quote?date=soon").json()["code"] == "validation_error"


def test_partial_prepayment_keeps_the_term_and_lowers_installments(client, borrower):  # type: ignore[no-untyped-def]
    loan = _draw(client, borrower)
    before = client.get(f"/api/v1/loans/{loan['id']}/schedule").json()["installments"]
    pin_business_date(START + timedelta(days=10))
    response = post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("2020.00")})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["allocation"]["current_interest"] == money("20.00")
    assert body["allocation"]["prepaid_principal"] == money("2000.00")
    assert body["outstanding_principal"] == money("8000.00")
    after = client.get(f"/api/v1/loans/{loan['id']}/schedule").json()["installments"]
    assert [r["due_date"] for r in after] == [r["due_date"] for r in before]  # same term, same dates
    cents = lambda m: int(m["amount"].replace(".", ""))  # noqa: E731
    assert sum(cents(r["principal"]) for r in after) == 1_000_000  # the schedule still adds up to the principal
    assert cents(after[0]["principal_paid"]) == 200_000 and cents(after[0]["interest_paid"]) == 2_000
    assert sum(cents(r["principal"]) - cents(r["principal_paid"]) for r in after) == 800_000
    assert all(cents(a["total"]) < cents(b["total"]) for a, b in zip(after[1:], before[1:], strict=True))  # lower installments
    line = client.get(f"/api/v1/credit-lines/{borrower.line.id}").json()
    assert line["used"] == money("8000.00")  # principal repaid restores the line
    assert ledger_trial_balance() == {"CNY": 0} and ledger_balances_match_postings()


def test_full_payoff_closes_the_loan_and_frees_the_line(client, borrower):  # type: ignore[no-untyped-def]
    loan = _draw(client, borrower, method="equal_principal")
    pin_business_date(START + timedelta(days=20))
    quote = client.get(f"/api/v1/loans/{loan['id']}/payoff-quote").json()
    assert quote["total"] == money("10040.00")
    too_much = post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("10040.01")})
    assert too_much.status_code == 422 and too_much.json()["code"] == "repayment_exceeds_outstanding"
    before = balance(borrower.account)
    response = post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": quote["total"]})
    assert response.status_code == 201, response.json()
    assert response.json()["loan_status"] == "closed"
    assert balance(borrower.account) == before - 1_004_000
    detail = client.get(f"/api/v1/loans/{loan['id']}").json()
    assert detail["status"] == "closed" and detail["outstanding_principal"] == money("0.00")
    assert detail["status_history"][-1]["to_status"] == "closed"
    assert detail["status_history"][-1]["business_date"] == (START + timedelta(days=20)).isoformat()
    assert client.get(f"/api/v1/credit-lines/{borrower.line.id}").json()["available"] == money("50000.00")
    again = post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("1.00")})
    assert again.status_code == 409 and again.json()["code"] == "loan_not_active"
    schedule = client.get(f"/api/v1/loans/{loan['id']}/schedule").json()
    assert schedule["total_interest"] == money("40.00")  # interest to the day, nothing more
    assert ledger_trial_balance() == {"CNY": 0} and ledger_balances_match_postings()


def test_repayment_needs_money_in_the_account(products, clock):  # type: ignore[no-untyped-def]
    poor = make_borrower(products, balance_minor=0)
    client = api(customer_token(poor.customer, accounts=[poor.account], scope="credit"))
    loan = _draw(client, poor, "1000.00")
    pin_business_date(START + timedelta(days=1))
    post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("1000.00")})  # spends the disbursement
    # ...which is all the account had: the interest of that day cannot be paid as well
    response = post(client, f"/api/v1/loans/{loan['id']}/repayments", {"amount": money("0.20")})
    assert response.status_code == 422 and response.json()["code"] == "insufficient_funds"


def test_lists_loans_newest_first_with_cursor(client, borrower):  # type: ignore[no-untyped-def]
    ids = [_draw(client, borrower, "1000.00")["id"] for _ in range(3)]
    first = client.get("/api/v1/loans?limit=2").json()
    assert [row["id"] for row in first["data"]] == ids[::-1][:2] and first["has_more"]
    second = client.get(f"/api/v1/loans?limit=2&cursor={first['next_cursor']}").json()
    assert [row["id"] for row in second["data"]] == [ids[0]] and not second["has_more"]


# --------------------------------------------------------------------------- SME applications


def _application_body(amount: str = "400000.00", revenue: str = "8000000.00", years: int = 6) -> dict:
    return {"requested_amount": money(amount), "annual_revenue": money(revenue), "years_in_business": years}


def test_business_customer_gets_an_sme_line(products, clock):  # type: ignore[no-untyped-def]
    business = make_customer(kind=Customer.Kind.BUSINESS)
    account = make_account(business, balance_minor=5_000_000)
    client = api(customer_token(business, accounts=[account], scope="credit"))
    response = post(client, "/api/v1/credit-applications", _application_body())
    assert response.status_code == 201, response.json()
    application = response.json()
    assert application["status"] == "approved"
    assert application["approved_limit"] == money("400000.00")
    assert application["model_version"] == "sme-2026.1"
    assert {r["feature"] for r in application["reasons"] if r["code"] == "score_feature"} >= {"annual_revenue_minor", "years_in_business"}
    line = client.get(f"/api/v1/credit-lines/{application['credit_line_id']}").json()
    assert line["product_kind"] == "sme_line" and line["limit"] == money("400000.00")
    assert client.get(f"/api/v1/credit-applications/{application['id']}").json() == application
    decision = RiskDecision.objects.get(creditapplication__id=application["id"])
    assert decision.inputs["annual_revenue_minor"] == 800_000_000 and decision.score is not None

    again = post(client, "/api/v1/credit-applications", _application_body())
    assert again.status_code == 409 and again.json()["code"] == "credit_line_exists"

    stranger = make_customer(kind=Customer.Kind.BUSINESS)
    other = api(customer_token(stranger, accounts=[make_account(stranger)], scope="credit"))
    assert other.get(f"/api/v1/credit-applications/{application['id']}").status_code == 404


def test_weak_business_is_declined_and_the_decision_kept(products, clock):  # type: ignore[no-untyped-def]
    business = make_customer(kind=Customer.Kind.BUSINESS)
    client = api(customer_token(business, accounts=[make_account(business)], scope="credit"))
    response = post(client, "/api/v1/credit-applications", _application_body("20000.00", "10000.00", 0))
    assert response.status_code == 201
    assert response.json()["status"] == "declined" and response.json()["credit_line_id"] is None
    assert "score_below_threshold" in [r["code"] for r in response.json()["reasons"]]
    assert RiskDecision.objects.filter(customer=business, outcome="decline").count() == 1


def test_application_errors(products, clock):  # type: ignore[no-untyped-def]
    person = make_customer()
    client = api(customer_token(person, accounts=[make_account(person)], scope="credit"))
    response = post(client, "/api/v1/credit-applications", _application_body())
    assert response.status_code == 422 and response.json()["code"] == "business_customer_required"
    consumer = products["consumer-revolving"]
    body = {**_application_body("10000.00"), "product_id": consumer.id}
    response = post(client, "/api/v1/credit-applications", body)
    assert response.status_code == 422 and response.json()["code"] == "not_invited"
    business = make_customer(kind=Customer.Kind.BUSINESS)
    client = api(customer_token(business, accounts=[make_account(business)], scope="credit"))
    response = post(client, "/api/v1/credit-applications", _application_body("5000000000.00"))
    assert response.status_code == 422 and response.json()["code"] == "amount_out_of_range"
