"""The consent page at /oauth/authorize/ and the tokens it leads to (Django test client)."""
from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from apps.core.actors import Actor
from apps.oauth.models import Consent, TokenBinding
from apps.oauth.services import consent_create, consent_expire_due
from tests.factories import make_account, make_client, make_customer

CLIENT = Actor.client("test-app")
pytestmark = pytest.mark.django_db

SECRET = "client-secret-for-tests"
REDIRECT = "http://127.0.0.1:8765/callback"
ISSUER = "http://testserver"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@pytest.fixture
def app() -> Any:
    application = make_client(scopes="accounts payments credit", name="Moneywise")
    application.client_secret = SECRET
    application.save()
    profile = application.profile
    profile.display_name = "Moneywise Budgeting"
    profile.save()
    return application


@pytest.fixture
def customer() -> Any:
    return make_customer("zhang.wei")


@pytest.fixture
def accounts(customer: Any) -> list[Any]:
    return [make_account(customer, name="Everyday"), make_account(customer, name="Savings")]


@pytest.fixture
def browser(customer: Any) -> Client:
    c = Client()
    c.force_login(customer.user)
    return c


def account_consent(app: Any, permissions: list[str] | None = None, **kwargs: Any) -> Consent:
    return consent_create(
        actor=CLIENT, application=app,
        kind=Consent.Kind.ACCOUNT_ACCESS,
        permissions=permissions or ["read_accounts", "read_balances", "read_transactions"],
        expires_at=kwargs.pop("expires_at", timezone.now() + timedelta(days=90)),
        **kwargs,
    )


def authorize_url(app: Any, *, consent: Consent | None, scope: str = "accounts", challenge: str | None = "auto",
                  method: str | None = "S256", state: str = "st-123", **extra: str) -> str:
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": REDIRECT, "scope": scope, "state": state}
    if consent is not None:
        params["consent_id"] = consent.pk
    if challenge == "auto":
        challenge = pkce()[1]
    if challenge:
        params["code_challenge"] = challenge
    if method:
        params["code_challenge_method"] = method
    params.update(extra)
    return "/oauth/authorize/?" + urlencode(params)


def redirect_params(response: Any) -> dict[str, str]:
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    assert location.startswith(REDIRECT), location
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


def exchange(app: Any, code: str, verifier: str) -> Any:
    return Client().post(
        "/oauth/token/",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier,
         "client_id": app.client_id, "client_secret": SECRET},
    )


def authorise(browser: Client, app: Any, consent: Consent, account_ids: list[str], scope: str = "accounts") -> tuple[dict, str]:
    verifier, challenge = pkce()
    url = authorize_url(app, consent=consent, scope=scope, challenge=challenge)
    page = browser.get(url)
    assert page.status_code == 200, page.content[:500]
    params = redirect_params(browser.post(url, {"decision": "allow", "account_ids": account_ids}))
    return params, verifier


# --- the page ----------------------------------------------------------------------------

def test_anonymous_visitor_is_sent_to_the_bank_login(app: Any) -> None:
    url = authorize_url(app, consent=account_consent(app))
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/bank/login/?next=")


def test_page_shows_the_app_what_is_asked_until_when_and_the_accounts(browser: Client, app: Any, accounts: list[Any]) -> None:
    consent = account_consent(app, expires_at=timezone.now() + timedelta(days=30))
    page = browser.get(authorize_url(app, consent=consent))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Moneywise Budgeting" in html
    assert "See your account balances" in html and "See your transactions" in html
    assert "See your credit lines and loans" not in html
    assert timezone.localtime(consent.expires_at, timezone=__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d") in html
    for account in accounts:
        assert account.masked_number in html and f'value="{account.id}"' in html
    assert 'name="viewport"' in html and "<script" not in html


def test_page_in_simplified_chinese(browser: Client, app: Any, accounts: list[Any]) -> None:
    page = browser.get(authorize_url(app, consent=account_consent(app), lang="zh-hans"))
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "允许" in html and "拒绝" in html
    assert page.cookies["django_language"].value == "zh-hans"
    # the cookie keeps the choice on the next page
    assert "允许" in browser.get(authorize_url(app, consent=account_consent(app))).content.decode()


def test_payment_page_shows_amount_creditor_and_reference(browser: Client, app: Any, accounts: list[Any]) -> None:
    from apps.core.money import Money

    consent = consent_create(
        actor=CLIENT, application=app, kind=Consent.Kind.PAYMENT, amount=Money(12850, "CNY"),
        creditor_account_number="6217000011112222333", creditor_name="Hangzhou Tea", reference="Order 1234",
    )
    html = browser.get(authorize_url(app, consent=consent, scope="payments")).content.decode()
    assert "128.50 CNY" in html and "Hangzhou Tea" in html and "Order 1234" in html and "**** 2333" in html
    assert 'type="radio" name="debtor_account_id"' in html


# --- refusals before the page ------------------------------------------------------------

@pytest.mark.parametrize(
    ("case", "error", "needle"),
    [
        ("missing", "invalid_request", "consent_id is required"),
        ("other_client", "invalid_request", "not name a consent of this client"),
        ("authorised", "invalid_request", "authorised"),
        ("expired", "invalid_request", "expired"),
        ("wrong_scope", "invalid_scope", "scope(s): accounts credit"),
    ],
)
def test_consent_problems_go_back_to_the_app_with_a_clear_error(browser: Client, app: Any, case: str, error: str, needle: str) -> None:
    consent: Consent | None = account_consent(app)
    scope = "accounts"
    if case == "missing":
        consent = None
    elif case == "other_client":
        consent = account_consent(make_client())
    elif case == "authorised":
        Consent.objects.filter(pk=consent.pk).update(status=Consent.Status.AUTHORISED)
    elif case == "expired":
        Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "wrong_scope":
        scope = "payments"
    params = redirect_params(browser.get(authorize_url(app, consent=consent, scope=scope)))
    assert params["error"] == error
    assert needle in params["error_description"]
    assert params["state"] == "st-123"
    assert params["iss"] == ISSUER


def test_account_consent_cannot_be_used_for_credit_without_a_credit_permission(browser: Client, app: Any) -> None:
    params = redirect_params(browser.get(authorize_url(app, consent=account_consent(app), scope="accounts credit")))
    assert params["error"] == "invalid_scope"


def test_pkce_plain_is_refused(browser: Client, app: Any) -> None:
    params = redirect_params(browser.get(authorize_url(app, consent=account_consent(app), challenge="x" * 43, method="plain")))
    assert params["error"] == "invalid_request"
    assert "S256" in params["error_description"]


def test_pkce_missing_challenge_is_refused(browser: Client, app: Any) -> None:
    params = redirect_params(browser.get(authorize_url(app, consent=account_consent(app), challenge=None, method=None)))
    assert params["error"] == "invalid_request"
    assert "challenge" in params["error_description"].lower()


def test_unknown_client_gets_an_error_page_not_a_redirect(browser: Client, app: Any) -> None:
    url = authorize_url(app, consent=None).replace(app.client_id, "no-such-client")
    response = browser.get(url)
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_unregistered_redirect_uri_is_never_followed(browser: Client, app: Any) -> None:
    url = authorize_url(app, consent=account_consent(app)).replace("callback", "elsewhere")
    response = browser.get(url)
    assert response.status_code == 400
    assert "Location" not in response


def test_staff_without_a_customer_record_cannot_authorise(app: Any) -> None:
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user("ops", password="x" * 12, is_staff=True)
    c = Client()
    c.force_login(staff)
    response = c.get(authorize_url(app, consent=account_consent(app)))
    assert response.status_code == 403


# --- allow, refuse, tokens ---------------------------------------------------------------

def test_allow_issues_a_code_bound_to_the_consent_with_iss(browser: Client, app: Any, customer: Any, accounts: list[Any]) -> None:
    consent = account_consent(app)
    params, verifier = authorise(browser, app, consent, [accounts[0].id])
    assert params["state"] == "st-123" and params["iss"] == ISSUER and params["code"]
    consent.refresh_from_db()
    assert consent.status == Consent.Status.AUTHORISED
    assert consent.customer_id == customer.pk
    assert consent.account_ids == [accounts[0].id]
    assert consent.authorised_at is not None and consent.status_changed_at >= consent.authorised_at
    tokens = exchange(app, params["code"], verifier)
    assert tokens.status_code == 200, tokens.content
    body = tokens.json()
    assert body["scope"] == "accounts"
    from apps.oauth.authentication import resolve_token

    info = resolve_token(body["access_token"])
    assert info.customer_id == customer.pk and info.consent_id == consent.pk
    assert info.consent_account_ids == (accounts[0].id,)
    assert TokenBinding.objects.filter(consent=consent).count() == 2  # access + refresh


def test_code_exchange_needs_the_right_verifier(browser: Client, app: Any, accounts: list[Any]) -> None:
    params, _verifier = authorise(browser, app, account_consent(app), [accounts[0].id])
    response = exchange(app, params["code"], pkce()[0])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_posted_account_of_another_customer_is_refused(browser: Client, app: Any, accounts: list[Any]) -> None:
    stranger_account = make_account(make_customer("stranger"))
    consent = account_consent(app)
    url = authorize_url(app, consent=consent)
    response = browser.post(url, {"decision": "allow", "account_ids": [accounts[0].id, stranger_account.id]})
    assert response.status_code == 400
    assert "not yours" in response.content.decode()
    consent.refresh_from_db()
    assert consent.status == Consent.Status.AWAITING_AUTHORISATION and consent.account_ids == []


def test_allow_without_choosing_an_account_asks_again(browser: Client, app: Any, accounts: list[Any]) -> None:
    consent = account_consent(app)
    response = browser.post(authorize_url(app, consent=consent), {"decision": "allow"})
    assert response.status_code == 400
    assert "at least one account" in response.content.decode()


def test_form_cannot_change_the_redirect_uri_or_scope(browser: Client, app: Any, accounts: list[Any]) -> None:
    consent = account_consent(app)
    url = authorize_url(app, consent=consent)
    response = browser.post(url, {"decision": "allow", "account_ids": [accounts[0].id], "redirect_uri": "https://evil.example/",
                                  "scope": "payments", "client_id": "x"})
    params = redirect_params(response)
    assert "code" in params
    assert Consent.objects.get(pk=consent.pk).status == Consent.Status.AUTHORISED


def test_refuse_rejects_the_consent_and_answers_access_denied(browser: Client, app: Any, accounts: list[Any]) -> None:
    consent = account_consent(app)
    params = redirect_params(browser.post(authorize_url(app, consent=consent), {"decision": "refuse"}))
    assert params["error"] == "access_denied" and params["state"] == "st-123" and params["iss"] == ISSUER
    consent.refresh_from_db()
    assert consent.status == Consent.Status.REJECTED


def test_payment_consent_takes_exactly_one_debtor_account(browser: Client, app: Any, accounts: list[Any]) -> None:
    from apps.core.money import Money

    consent = consent_create(actor=CLIENT, application=app, kind=Consent.Kind.PAYMENT, amount=Money(500, "CNY"),
                             creditor_account_number="6217000011112222333", creditor_name="Tea", reference="")
    url = authorize_url(app, consent=consent, scope="payments")
    params = redirect_params(browser.post(url, {"decision": "allow", "debtor_account_id": accounts[1].id}))
    assert "code" in params
    consent.refresh_from_db()
    assert consent.debtor_account_id == accounts[1].id and consent.account_ids == [accounts[1].id]


# --- after the consent ends --------------------------------------------------------------

def _tokens(browser: Client, app: Any, consent: Consent, accounts: list[Any]) -> dict[str, Any]:
    params, verifier = authorise(browser, app, consent, [accounts[0].id])
    response = exchange(app, params["code"], verifier)
    assert response.status_code == 200, response.content
    return response.json()


def _refresh(app: Any, refresh_token: str) -> Any:
    return Client().post("/oauth/token/", {"grant_type": "refresh_token", "refresh_token": refresh_token,
                                           "client_id": app.client_id, "client_secret": SECRET})


def test_customer_revocation_stops_tokens_and_refresh(browser: Client, app: Any, accounts: list[Any]) -> None:
    consent = account_consent(app)
    tokens = _tokens(browser, app, consent, accounts)
    header = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    # any API call authenticates first: the consent state decides before the view does
    page = browser.get("/bank/connected-apps/")
    assert "Moneywise Budgeting" in page.content.decode()
    response = browser.post(f"/bank/connected-apps/{consent.pk}/revoke/")
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == Consent.Status.REVOKED and consent.revoked_by == "customer"
    stopped = Client().get("/api/v1/consents", **header)
    assert stopped.status_code == 401
    assert stopped.json()["code"] == "consent_revoked"
    refused = _refresh(app, tokens["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert not get_access_token_model().objects.filter(application=app, user__isnull=False).exists()
    assert not get_refresh_token_model().objects.filter(application=app, revoked__isnull=True).exists()


def test_expired_consent_stops_its_tokens(browser: Client, app: Any, accounts: list[Any]) -> None:
    consent = account_consent(app)
    tokens = _tokens(browser, app, consent, accounts)
    Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert consent_expire_due(actor=Actor.system("test")) == 1
    consent.refresh_from_db()
    assert consent.status == Consent.Status.EXPIRED
    response = Client().get("/api/v1/consents", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert response.status_code == 401
    assert response.json()["code"] == "consent_expired"
    assert _refresh(app, tokens["refresh_token"]).status_code == 400
    assert consent_expire_due(actor=Actor.system("test")) == 0


def test_refresh_rotates_and_keeps_the_consent(browser: Client, app: Any, accounts: list[Any], settings: Any) -> None:
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0}
    consent = account_consent(app)
    tokens = _tokens(browser, app, consent, accounts)
    refreshed = _refresh(app, tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.content
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    from apps.oauth.authentication import resolve_token

    assert resolve_token(new["access_token"]).consent_id == consent.pk
    reused = _refresh(app, tokens["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


# --- introspection and metadata ----------------------------------------------------------

def test_introspection_is_for_the_tokens_own_client(browser: Client, app: Any, accounts: list[Any]) -> None:
    consent = account_consent(app)
    tokens = _tokens(browser, app, consent, accounts)
    own = Client().post("/oauth/introspect/", {"token": tokens["access_token"]},
                        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{app.client_id}:{SECRET}".encode()).decode())
    assert own.status_code == 200
    assert own.json()["active"] is True and own.json()["consent_id"] == consent.pk
    other = make_client()
    other.client_secret = SECRET
    other.save()
    foreign = Client().post("/oauth/introspect/", {"token": tokens["access_token"]},
                            HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{other.client_id}:{SECRET}".encode()).decode())
    assert foreign.json() == {"active": False}
    anonymous = Client().post("/oauth/introspect/", {"token": tokens["access_token"]})
    assert anonymous.status_code == 401


def test_authorization_server_metadata() -> None:
    body = Client().get("/.well-known/oauth-authorization-server").json()
    assert body["issuer"] == ISSUER
    assert body["authorization_endpoint"] == f"{ISSUER}/oauth/authorize/"
    assert body["token_endpoint"] == f"{ISSUER}/oauth/token/"
    assert body["revocation_endpoint"] == f"{ISSUER}/oauth/revoke_token/"
    assert body["introspection_endpoint"] == f"{ISSUER}/oauth/introspect/"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert set(body["scopes_supported"]) == {"accounts", "payments", "credit", "partner", "funder"}
    assert set(body["grant_types_supported"]) == {"authorization_code", "client_credentials", "refresh_token"}
    assert "implicit" not in body["grant_types_supported"] and "password" not in body["grant_types_supported"]
    assert body["authorization_response_iss_parameter_supported"] is True
