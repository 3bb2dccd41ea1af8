"""A customer, on a phone, in a real browser: sign in, read the consent, share one account,
allow; the app gets a code. The same page in Simplified Chinese. Connected apps: revoke."""
from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.utils import timezone

from apps.oauth.models import Consent
from tests.e2e.conftest import REDIRECT_URI, LiveBank
from tests.factories import make_consent

pytestmark = [pytest.mark.browser, pytest.mark.live]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _authorize_url(bank: LiveBank, client_id: str, consent_id: str, scope: str = "accounts") -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(12)
    query = urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI, "scope": scope,
        "state": state, "code_challenge": challenge, "code_challenge_method": "S256", "consent_id": consent_id,
    })
    return f"{bank.url}/oauth/authorize/?{query}", state


def _awaiting_consent(app: Any) -> Consent:
    consent = make_consent(app.application, None, status=Consent.Status.AWAITING_AUTHORISATION,  # type: ignore[arg-type]
                           permissions=["read_accounts", "read_balances", "read_transactions"])
    consent.expires_at = timezone.now() + timezone.timedelta(days=30)
    consent.save()
    return consent


def _capture_redirect(page: Any) -> dict[str, str]:
    captured: dict[str, str] = {}

    def handle(route: Any) -> None:
        captured["url"] = route.request.url
        route.fulfill(status=200, content_type="text/html", body="<p>back in the app</p>")

    page.route("http://127.0.0.1:8765/**", handle)
    return captured


def _sign_in(page: Any, customer: Any) -> None:
    page.fill("input[name=username]", customer.user.username)
    page.fill("input[name=password]", customer.test_password)
    page.click("button[type=submit]")


def test_customer_allows_sharing_one_account_on_a_phone(live_bank: LiveBank, phone: Any) -> None:
    app = live_bank.third_party_app(name="Moneywise Budgeting")
    customer = live_bank.customer()
    everyday, savings = customer.test_accounts
    consent = _awaiting_consent(app)
    url, state = _authorize_url(live_bank, app.client_id, consent.pk)

    page = phone.new_page()
    captured = _capture_redirect(page)
    page.goto(url)
    assert "/bank/login/" in page.url
    _sign_in(page, customer)
    page.wait_for_selector("button[value=allow]")
    text = page.inner_text("body")
    assert "Moneywise Budgeting" in text
    assert "See your account balances" in text and "See your transactions" in text
    assert everyday.masked_number in text and savings.masked_number in text
    # Nothing overflows sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "consent-en.png"), full_page=True)

    page.check(f"input[name=account_ids][value={everyday.id}]")
    page.click("button[value=allow]")
    page.wait_for_function("() => document.body.innerText.includes('back in the app')")
    params = parse_qs(urlparse(captured["url"]).query)
    assert params["state"] == [state] and params["code"] and params["iss"] == [live_bank.url]
    consent.refresh_from_db()
    assert consent.status == Consent.Status.AUTHORISED and consent.account_ids == [everyday.id]


def test_consent_page_in_simplified_chinese_and_refusal(live_bank: LiveBank, chromium: Any) -> None:
    app = live_bank.third_party_app(name="理财助手")
    customer = live_bank.customer()
    consent = _awaiting_consent(app)
    url, state = _authorize_url(live_bank, app.client_id, consent.pk)
    context = chromium.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = context.new_page()
    captured = _capture_redirect(page)
    page.goto(url)
    _sign_in(page, customer)
    page.wait_for_selector("button[value=refuse]")
    assert "理财助手" in page.inner_text("body")
    assert page.inner_text("button[value=allow]") != "Allow"  # translated
    page.screenshot(path=str(SCREENSHOTS / "consent-zh-hans.png"), full_page=True)
    page.click("button[value=refuse]")
    page.wait_for_function("() => document.body.innerText.includes('back in the app')")
    params = parse_qs(urlparse(captured["url"]).query)
    assert params["error"] == ["access_denied"] and params["state"] == [state]
    consent.refresh_from_db()
    assert consent.status == Consent.Status.REJECTED
    context.close()


def test_customer_revokes_one_of_two_connections_after_confirming(live_bank: LiveBank, chromium: Any) -> None:
    """Two consents of one app, told apart; Revoke opens a confirmation page (JavaScript off,
    so it cannot lean on confirm()); Keep it changes nothing; Yes, revoke ends only that one."""
    app = live_bank.third_party_app(name="Moneywise Budgeting")
    customer = live_bank.customer()
    everyday, savings = customer.test_accounts
    balances = make_consent(app.application, customer, accounts=[everyday], permissions=["read_balances"])
    history = make_consent(app.application, customer, accounts=[savings], permissions=["read_transactions"])
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_bank.url}/bank/connected-apps/")
    _sign_in(page, customer)
    page.wait_for_selector("text=Moneywise Budgeting")
    cards = page.locator("article.consent")
    assert cards.count() == 2
    texts = [cards.nth(i).inner_text() for i in range(2)]
    assert any("See your account balances" in t and everyday.masked_number in t for t in texts)
    assert any("See your transactions" in t and savings.masked_number in t for t in texts)
    assert all("Connected since" in t for t in texts)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "connected-apps.png"), full_page=True)

    card = page.locator(f"#consent-{balances.pk}")
    card.locator("button", has_text="Revoke").click()
    page.wait_for_selector("text=Revoke this connection?")
    assert "See your account balances" in page.inner_text("body")
    page.screenshot(path=str(SCREENSHOTS / "connected-apps-confirm.png"), full_page=True)
    page.click("text=Keep it")
    page.wait_for_selector("article.consent")
    balances.refresh_from_db()
    assert balances.status == Consent.Status.AUTHORISED

    page.locator(f"#consent-{balances.pk}").locator("button", has_text="Revoke").click()
    page.click("button[value=yes]")
    page.wait_for_selector("[role=status]")
    assert page.locator("article.consent").count() == 1
    balances.refresh_from_db()
    history.refresh_from_db()
    assert balances.status == Consent.Status.REVOKED and balances.revoked_by == "customer"
    assert history.status == Consent.Status.AUTHORISED
    context.close()
