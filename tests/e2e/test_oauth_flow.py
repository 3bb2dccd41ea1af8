"""The open-banking consent flow over real HTTP, as a third-party app and a customer live it.

The app uses Authlib's OAuth 2 client (client credentials, PKCE S256, code exchange,
refresh, RFC 7009 revocation, RFC 7662 introspection); the customer uses a plain cookie
browser (httpx) that submits the bank's HTML forms, CSRF token included, no JavaScript.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from django.utils import timezone

from tests.e2e.conftest import App, LiveBank, parse_forms

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _metadata(bank: LiveBank) -> dict[str, Any]:
    response = httpx.get(f"{bank.url}/.well-known/oauth-authorization-server", timeout=10)
    assert response.status_code == 200
    return response.json()


def _app_session(app: App, **kwargs: Any) -> OAuth2Client:
    return OAuth2Client(
        client_id=app.client_id,
        client_secret=app.client_secret,
        redirect_uri=app.redirect_uri,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106
        timeout=10,
        **kwargs,
    )


def _create_consent(bank: LiveBank, app: App, meta: dict[str, Any]) -> tuple[OAuth2Client, dict[str, Any]]:
    server = _app_session(app, scope="accounts")
    server.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
    response = server.post(
        f"{bank.url}/api/v1/consents",
        json={
            "kind": "account_access",
            "permissions": ["read_accounts", "read_balances", "read_transactions"],
            "expires_at": (timezone.now() + timedelta(days=90)).isoformat(),
        },
        headers={"Idempotency-Key": generate_token(20)},
    )
    assert response.status_code == 201, response.text
    consent = response.json()
    assert consent["status"] == "awaiting_authorisation"
    return server, consent


def _authorise(bank: LiveBank, app: App, meta: dict[str, Any], customer: Any, consent_id: str,
               share: list[str]) -> tuple[OAuth2Client, dict[str, Any]]:
    """The customer's side: log in, read the consent page, tick accounts, Allow; then the code exchange."""
    user_session = _app_session(app, scope="accounts", code_challenge_method="S256")
    verifier = generate_token(64)
    authorize_url, state = user_session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, consent_id=consent_id
    )
    assert "code_challenge_method=S256" in authorize_url and "code_challenge=" in authorize_url

    browser = bank.browser()
    first = browser.get(authorize_url)
    assert first.status_code == 302 and first.headers["location"].startswith("/bank/login/")
    login = bank.login(browser, customer.user.username, customer.test_password,
                       next_url=parse_qs(urlparse(first.headers["location"]).query)["next"][0])
    assert login.status_code == 302, login.text[:500]
    page = browser.get(bank.absolute(login.headers["location"]))
    assert page.status_code == 200, page.text[:500]
    assert "Moneywise Budgeting" in page.text
    assert "See your account balances" in page.text
    form = next(f for f in parse_forms(page.text) if f.method == "post" and ("decision", "allow") in f.buttons)
    offered = form.checkboxes["account_ids"]
    assert sorted(offered) == sorted(a.id for a in customer.test_accounts)
    data: dict[str, Any] = dict(form.fields)
    data["account_ids"] = share
    data["decision"] = "allow"
    decided = browser.post(bank.absolute(form.action), data=data)
    assert decided.status_code == 302, decided.text[:500]
    callback = decided.headers["location"]
    assert callback.startswith(app.redirect_uri)
    params = {k: v[0] for k, v in parse_qs(urlparse(callback).query).items()}
    assert params["state"] == state
    assert params["iss"] == meta["issuer"]  # RFC 9207 mix-up defence

    token = user_session.fetch_token(
        meta["token_endpoint"], authorization_response=callback, code_verifier=verifier, state=state
    )
    assert token["scope"] == "accounts" and token["token_type"] == "Bearer"
    user_session.browser = browser  # type: ignore[attr-defined]
    return user_session, token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_metadata_advertises_what_the_flow_needs(live_bank: LiveBank) -> None:
    meta = _metadata(live_bank)
    assert meta["issuer"] == live_bank.url
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    for key in ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "introspection_endpoint"):
        assert meta[key].startswith(live_bank.url)


def test_consent_flow_refresh_and_customer_revocation(live_bank: LiveBank) -> None:
    meta = _metadata(live_bank)
    app = live_bank.third_party_app()
    customer = live_bank.customer("zhang.wei")
    server, consent = _create_consent(live_bank, app, meta)
    shared = customer.test_accounts[0].id
    user_session, token = _authorise(live_bank, app, meta, customer, consent["id"], [shared])

    # the app sees the consent authorised, with exactly the shared account
    seen = server.get(f"{live_bank.url}/api/v1/consents/{consent['id']}")
    assert seen.status_code == 200
    assert seen.json()["status"] == "authorised" and seen.json()["account_ids"] == [shared]
    # the customer's token authenticates (it reaches the permission check, which wants a client token here)
    as_customer = httpx.get(f"{live_bank.url}/api/v1/consents/{consent['id']}", headers=_bearer(token["access_token"]), timeout=10)
    assert as_customer.status_code == 403 and as_customer.json()["code"] == "client_token_required"

    # the customer's token reads exactly the account the customer chose to share
    shared_accounts = httpx.get(f"{live_bank.url}/api/v1/accounts", headers=_bearer(token["access_token"]), timeout=10)
    assert shared_accounts.status_code == 200, shared_accounts.text
    assert [a["id"] for a in shared_accounts.json()["data"]] == [shared]
    hidden = customer.test_accounts[1].id
    assert httpx.get(f"{live_bank.url}/api/v1/accounts/{hidden}", headers=_bearer(token["access_token"]), timeout=10).status_code == 404

    # refresh rotates: a new pair; the old access token stops at once
    refreshed = user_session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"] and refreshed["refresh_token"] != token["refresh_token"]
    old = httpx.get(f"{live_bank.url}/api/v1/consents", headers=_bearer(token["access_token"]), timeout=10)
    assert old.status_code == 401 and old.json()["code"] == "invalid_token"

    introspected = user_session.introspect_token(meta["introspection_endpoint"], token=refreshed["access_token"])
    assert introspected.json()["active"] is True and introspected.json()["consent_id"] == consent["id"]

    # the refreshed token works
    assert httpx.get(f"{live_bank.url}/api/v1/accounts", headers=_bearer(refreshed["access_token"]), timeout=10).status_code == 200

    # the customer revokes the app on Connected apps
    browser: httpx.Client = user_session.browser  # type: ignore[attr-defined]
    page = browser.get("/bank/connected-apps/")
    assert "Moneywise Budgeting" in page.text
    form = next(f for f in parse_forms(page.text) if consent["id"] in f.action)
    assert form.method == "get"  # Revoke first asks: a confirmation page, then a POST
    confirm_page = browser.get(live_bank.absolute(form.action))
    assert "Revoke this connection?" in confirm_page.text
    confirm = next(f for f in parse_forms(confirm_page.text) if f.method == "post" and consent["id"] in f.action)
    revoked = browser.post(live_bank.absolute(confirm.action), data={**confirm.fields, "confirm": "yes"})
    assert revoked.status_code == 302
    assert "Moneywise Budgeting" not in browser.get(revoked.headers["location"]).text

    stopped = httpx.get(f"{live_bank.url}/api/v1/accounts", headers=_bearer(refreshed["access_token"]), timeout=10)
    assert stopped.status_code == 401
    assert stopped.headers["content-type"].startswith("application/problem+json")
    assert stopped.json()["code"] == "consent_revoked"
    no_refresh = httpx.post(meta["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]},
                            auth=(app.client_id, app.client_secret), timeout=10)
    assert no_refresh.status_code == 400 and no_refresh.json()["error"] == "invalid_grant"
    assert user_session.introspect_token(meta["introspection_endpoint"], token=refreshed["access_token"]).json() == {"active": False}
    assert server.get(f"{live_bank.url}/api/v1/consents/{consent['id']}").json()["revoked_by"] == "customer"


def test_rfc7009_revocation_stops_the_access_token(live_bank: LiveBank) -> None:
    meta = _metadata(live_bank)
    app = live_bank.third_party_app()
    customer = live_bank.customer("li.na")
    _server, consent = _create_consent(live_bank, app, meta)
    user_session, token = _authorise(live_bank, app, meta, customer, consent["id"], [a.id for a in customer.test_accounts])
    access = token["access_token"]
    works = httpx.get(f"{live_bank.url}/api/v1/consents", headers=_bearer(access), timeout=10)
    # a customer token reaches the API's permission check (it is not a client token): authenticated, not 401
    assert works.status_code == 403 and works.json()["code"] == "client_token_required"

    revoke = user_session.revoke_token(meta["revocation_endpoint"], token=access, token_type_hint="access_token")
    assert revoke.status_code == 200
    after = httpx.get(f"{live_bank.url}/api/v1/consents", headers=_bearer(access), timeout=10)
    assert after.status_code == 401 and after.json()["code"] == "invalid_token"
    assert user_session.introspect_token(meta["introspection_endpoint"], token=access).json() == {"active": False}
    # DOT revokes the refresh token bound to a revoked access token (RFC 7009 2.1)
    refresh = httpx.post(meta["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
                         auth=(app.client_id, app.client_secret), timeout=10)
    assert refresh.status_code == 400


def test_customer_refuses_and_the_app_is_told(live_bank: LiveBank) -> None:
    meta = _metadata(live_bank)
    app = live_bank.third_party_app()
    customer = live_bank.customer("wang.fang")
    server, consent = _create_consent(live_bank, app, meta)
    session = _app_session(app, scope="accounts", code_challenge_method="S256")
    url, state = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=generate_token(64),
                                                  consent_id=consent["id"])
    browser = live_bank.browser()
    next_url = parse_qs(urlparse(browser.get(url).headers["location"]).query)["next"][0]
    page = browser.get(live_bank.absolute(live_bank.login(browser, customer.user.username, customer.test_password,
                                                          next_url).headers["location"]))
    form = next(f for f in parse_forms(page.text) if ("decision", "refuse") in f.buttons)
    decided = browser.post(live_bank.absolute(form.action), data={**form.fields, "decision": "refuse"})
    params = {k: v[0] for k, v in parse_qs(urlparse(decided.headers["location"]).query).items()}
    assert params == {"error": "access_denied", "error_description": "The customer refused.", "state": state,
                      "iss": meta["issuer"]}
    assert server.get(f"{live_bank.url}/api/v1/consents/{consent['id']}").json()["status"] == "rejected"


def test_reusing_a_rotated_refresh_token_kills_the_whole_family(live_bank: LiveBank, settings: Any) -> None:
    """RFC 9700 4.14: a rotated refresh token presented again means it leaked; every token of the grant stops."""
    # Without the 30 s retry grace, so that reuse is detected at once.
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0}
    meta = _metadata(live_bank)
    app = live_bank.third_party_app()
    customer = live_bank.customer("chen.jie")
    _server, consent = _create_consent(live_bank, app, meta)
    user_session, token = _authorise(live_bank, app, meta, customer, consent["id"], [customer.test_accounts[1].id])
    refreshed = user_session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert user_session.introspect_token(meta["introspection_endpoint"], token=refreshed["access_token"]).json()["active"] is True
    reuse = httpx.post(meta["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
                       auth=(app.client_id, app.client_secret), timeout=10)
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    assert user_session.introspect_token(meta["introspection_endpoint"], token=refreshed["access_token"]).json() == {"active": False}
    family = httpx.post(meta["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]},
                        auth=(app.client_id, app.client_secret), timeout=10)
    assert family.status_code == 400 and family.json()["error"] == "invalid_grant"


def test_a_refresh_retried_after_a_lost_answer_gets_a_fresh_pair(live_bank: LiveBank, settings: Any) -> None:
    """Within the 30 s grace the immediately previous refresh token is a retry, not a theft."""
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 30}
    meta = _metadata(live_bank)
    app = live_bank.third_party_app()
    customer = live_bank.customer("lin.yu")
    _server, consent = _create_consent(live_bank, app, meta)
    user_session, token = _authorise(live_bank, app, meta, customer, consent["id"], [customer.test_accounts[0].id])

    def refresh(refresh_token: str) -> httpx.Response:
        return httpx.post(meta["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                          auth=(app.client_id, app.client_secret), timeout=10)

    lost = refresh(token["refresh_token"])
    retry = refresh(token["refresh_token"])
    assert lost.status_code == 200 and retry.status_code == 200, retry.text
    fresh = retry.json()
    assert fresh["access_token"] != lost.json()["access_token"]
    accounts = httpx.get(f"{live_bank.url}/api/v1/accounts", headers=_bearer(fresh["access_token"]), timeout=10)
    assert accounts.status_code == 200
    assert user_session.introspect_token(meta["introspection_endpoint"], token=lost.json()["access_token"]).json() == {"active": False}
    assert refresh(fresh["refresh_token"]).status_code == 200


def test_a_code_exchanged_twice_revokes_the_first_tokens(live_bank: LiveBank) -> None:
    meta = _metadata(live_bank)
    app = live_bank.third_party_app()
    customer = live_bank.customer("zhou.min")
    _server, consent = _create_consent(live_bank, app, meta)
    user_session = _app_session(app, scope="accounts", code_challenge_method="S256")
    verifier = generate_token(64)
    authorize_url, state = user_session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, consent_id=consent["id"]
    )
    browser = live_bank.browser()
    first = browser.get(authorize_url)
    login = live_bank.login(browser, customer.user.username, customer.test_password,
                            next_url=parse_qs(urlparse(first.headers["location"]).query)["next"][0])
    page = browser.get(live_bank.absolute(login.headers["location"]))
    form = next(f for f in parse_forms(page.text) if f.method == "post" and ("decision", "allow") in f.buttons)
    data: dict[str, Any] = {**dict(form.fields), "account_ids": [customer.test_accounts[0].id], "decision": "allow"}
    decided = browser.post(live_bank.absolute(form.action), data=data)
    code = parse_qs(urlparse(decided.headers["location"]).query)["code"][0]
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": app.redirect_uri, "code_verifier": verifier}
    exchanged = httpx.post(meta["token_endpoint"], data=body, auth=(app.client_id, app.client_secret), timeout=10)
    assert exchanged.status_code == 200, exchanged.text
    access = exchanged.json()["access_token"]
    assert httpx.get(f"{live_bank.url}/api/v1/accounts", headers=_bearer(access), timeout=10).status_code == 200
    again = httpx.post(meta["token_endpoint"], data=body, auth=(app.client_id, app.client_secret), timeout=10)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert httpx.get(f"{live_bank.url}/api/v1/accounts", headers=_bearer(access), timeout=10).status_code == 401


def test_a_request_without_a_consent_is_answered_before_the_sign_in(live_bank: LiveBank) -> None:
    meta = _metadata(live_bank)
    app = live_bank.third_party_app()
    user_session = _app_session(app, scope="accounts", code_challenge_method="S256")
    authorize_url, state = user_session.create_authorization_url(meta["authorization_endpoint"], code_verifier=generate_token(64))
    answered = live_bank.browser().get(authorize_url)
    assert answered.status_code == 302 and answered.headers["location"].startswith(app.redirect_uri)
    params = parse_qs(urlparse(answered.headers["location"]).query)
    assert params["error"] == ["invalid_request"] and params["state"] == [state] and params["iss"] == [meta["issuer"]]
