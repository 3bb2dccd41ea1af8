"""GET /credit-products and /credit-products/{id}: every parameter a partner needs to recompute
the money math, visible as the risk engine decides (invitations), under the credit scope and a
credit consent permission, with ETags."""
from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.lending.models import Product
from tests.factories import client_token, customer_token, make_customer

pytestmark = pytest.mark.django_db


def api(token) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(**token.header)
    return client


def codes(page: dict) -> list[str]:
    return sorted(p["code"] for p in page["data"])


@pytest.fixture
def client(borrower):  # type: ignore[no-untyped-def]
    return api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit"))


def test_a_product_says_every_parameter_of_its_money_math(client, products):  # type: ignore[no-untyped-def]
    product = products["consumer-revolving"]
    body = client.get(f"/api/v1/credit-products/{product.id}").json()
    assert body == {
        "id": product.id, "code": "consumer-revolving", "name": "Micro-loan revolving credit",
        "kind": "consumer_revolving", "currency": "CNY",
        "amount_range": {"min": {"amount": "500.00", "currency": "CNY"}, "max": {"amount": "200000.00", "currency": "CNY"}},
        "allowed_terms": [5, 10, 20], "allowed_methods": ["equal_installment", "equal_principal"],
        "daily_rate_band": {"min": "0.000200000", "max": "0.000500000"},
        "day_count": "ACTUAL_365", "rounding": "ROUND_HALF_UP", "grace_days": 3,
        "penalty_daily_rate": "0.000750000", "invitation_only": True, "active": True,
    }
    assert product.id.startswith("prd_")


def test_other_settings_and_currencies_are_shown_as_stored(client, products):  # type: ignore[no-untyped-def]
    jpy = Product.objects.create(
        code="jpy-30-360", name="Yen loan", kind=Product.Kind.SME_LINE, currency="JPY", min_amount_minor=10_000,
        max_amount_minor=5_000_000, allowed_terms=[6], allowed_methods=["interest_only"], min_daily_rate=Decimal("0.000123456"),
        max_daily_rate=Decimal("0.000654321"), penalty_daily_rate=Decimal("0.001"), grace_days=0, day_count="THIRTY_360",
        rounding="ROUND_HALF_EVEN", invitation_only=False,
    )
    body = client.get(f"/api/v1/credit-products/{jpy.id}").json()
    assert body["amount_range"] == {"min": {"amount": "10000", "currency": "JPY"}, "max": {"amount": "5000000", "currency": "JPY"}}
    assert body["daily_rate_band"] == {"min": "0.000123456", "max": "0.000654321"}
    assert (body["day_count"], body["rounding"], body["grace_days"], body["penalty_daily_rate"]) == (
        "THIRTY_360", "ROUND_HALF_EVEN", 0, "0.001000000")


def test_invitation_only_products_are_listed_to_invited_customers_only(client, products, borrower):  # type: ignore[no-untyped-def]
    # The borrower is invited to consumer credit; the other two products are open to all.
    assert codes(client.get("/api/v1/credit-products").json()) == ["auto-loan", "consumer-revolving", "sme-line"]
    stranger = make_customer()
    other = api(customer_token(stranger, scope="credit"))
    assert codes(other.get("/api/v1/credit-products").json()) == ["auto-loan", "sme-line"]
    response = other.get(f"/api/v1/credit-products/{products['consumer-revolving'].id}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json" and response.json()["code"] == "not_found"


def test_an_inactive_product_stays_visible_to_holders_of_its_lines(client, products, borrower):  # type: ignore[no-untyped-def]
    Product.objects.filter(code__in=["consumer-revolving", "auto-loan"]).update(active=False)
    assert codes(client.get("/api/v1/credit-products").json()) == ["consumer-revolving", "sme-line"]
    held = client.get(f"/api/v1/credit-products/{borrower.line.product_id}").json()
    assert held["active"] is False
    assert client.get(f"/api/v1/credit-products/{products['auto-loan'].id}").status_code == 404


def test_unknown_id_is_a_problem_404(client):  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/credit-products/prd_00000000000000000000000000")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and response.json()["detail"] == "No such credit product."


def test_the_list_pages_with_the_platforms_cursor(client, products):  # type: ignore[no-untyped-def]
    first = client.get("/api/v1/credit-products?limit=2").json()
    assert len(first["data"]) == 2 and first["has_more"] is True and first["next_cursor"]
    second = client.get("/api/v1/credit-products", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert second["has_more"] is False and second["next_cursor"] is None
    assert sorted(p["code"] for p in first["data"] + second["data"]) == ["auto-loan", "consumer-revolving", "sme-line"]
    assert client.get("/api/v1/credit-products?limit=0").status_code == 400


def test_reads_revalidate_with_an_etag(client, products):  # type: ignore[no-untyped-def]
    for url in ("/api/v1/credit-products", f"/api/v1/credit-products/{products['sme-line'].id}"):
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"].startswith('"'), url
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b"", url
    etag = client.get(f"/api/v1/credit-products/{products['sme-line'].id}")["ETag"]
    Product.objects.filter(code="sme-line").update(grace_days=7)  # new terms: a new representation
    assert client.get(f"/api/v1/credit-products/{products['sme-line'].id}", HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("permissions", [["read_credit"], ["manage_credit"]])
def test_either_credit_permission_reads_products(borrower, products, permissions):  # type: ignore[no-untyped-def]
    client = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit", permissions=permissions))
    assert client.get("/api/v1/credit-products").status_code == 200
    assert client.get(f"/api/v1/credit-products/{products['sme-line'].id}").status_code == 200


def test_scope_permission_and_token_kind_are_enforced(borrower, products):  # type: ignore[no-untyped-def]
    url = f"/api/v1/credit-products/{products['sme-line'].id}"
    for path in ("/api/v1/credit-products", url):
        wrong_scope = api(customer_token(borrower.customer, accounts=[borrower.account], scope="accounts"))
        response = wrong_scope.get(path)
        assert response.status_code == 403 and response.json()["code"] == "insufficient_scope", path
        no_credit = api(customer_token(borrower.customer, accounts=[borrower.account], scope="credit",
                                       permissions=["read_accounts"]))
        response = no_credit.get(path)
        assert response.status_code == 403 and response.json()["code"] == "consent_permission_missing", path
        server = api(client_token(scope="credit"))
        response = server.get(path)
        assert response.status_code == 403 and response.json()["code"] == "customer_token_required", path
        assert APIClient().get(path).status_code == 401


def test_a_line_and_a_loan_name_a_product_the_customer_can_read(client, borrower):  # type: ignore[no-untyped-def]
    line = client.get(f"/api/v1/credit-lines/{borrower.line.id}").json()
    product = client.get(f"/api/v1/credit-products/{line['product_id']}").json()
    assert product["allowed_terms"] == line["allowed_terms"] and product["allowed_methods"] == line["allowed_methods"]
    band = product["daily_rate_band"]
    assert Decimal(band["min"]) <= Decimal(line["daily_rate"]) <= Decimal(band["max"])
