"""The bank's pages and the developer page in Simplified Chinese: with `Accept-Language: zh-Hans`
none of each page's key English sentences is left, account names included, and the library's
error text on a broken sign-in link is translated too."""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from apps.core.actors import Actor
from apps.oauth.models import Consent
from apps.oauth.services import consent_create
from tests.factories import make_account, make_client, make_consent, make_customer

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
REDIRECT = "http://127.0.0.1:8765/callback"


@pytest.fixture
def customer() -> Any:
    return make_customer("wang.fang")


@pytest.fixture
def accounts(customer: Any) -> list[Any]:
    return [make_account(customer, name="Everyday account"), make_account(customer, name="Savings")]


@pytest.fixture
def browser(customer: Any) -> Client:
    client = Client()
    client.force_login(customer.user)
    return client


def _text(html: str) -> str:
    """The page as a reader sees it: no tags, no <style>, no <pre> code samples."""
    html = re.sub(r"(?s)<(style|pre|script)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"(?s)<[^>]+>", " ", html)))


def _untranslated(text: str, sentences: list[str]) -> list[str]:
    return [s for s in sentences if s in text]


def _authorize_url(app: Any, consent_id: str) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(secrets.token_bytes(32)).digest()).rstrip(b"=").decode()
    return "/oauth/authorize/?" + urlencode({
        "response_type": "code", "client_id": app.client_id, "redirect_uri": REDIRECT, "scope": "accounts",
        "state": "st", "code_challenge": challenge, "code_challenge_method": "S256", "consent_id": consent_id,
    })


def test_developer_page_in_zh_hans() -> None:
    response = Client().get("/developers", **ZH)
    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "基于开放银行开发" in text and "幂等性" in text
    left = _untranslated(text, [
        "Build on OpenBank", "OpenBank puts a bank inside the apps people already use",
        "Third-party apps", "with the customer's consent, read accounts", "Sandbox credentials",
        "Install an SDK", "Authentication and scopes", "Every call carries", "Retries and rate limits",
        "Same key, same body", "Keys are scoped to your client", "Lists take", "Pass next_cursor back",
        "Each client has a rate limit", "Branch on code", "Field error codes", "On this page",
        "Each operation in the API reference lists the scopes it needs", "Reads that apps poll answer",
        "comes only after the same checks as a full read", "An ETag belongs to one token's consent",
        "shared caches and proxies must not store", "The SDKs can do it for you",
    ])
    assert not left, left


def test_connected_apps_and_revoke_confirmation_in_zh_hans(browser: Client, customer: Any, accounts: list[Any]) -> None:
    app = make_client(name="理财助手")
    first = make_consent(app, customer, accounts=accounts[:1], permissions=["read_balances"])
    make_consent(app, customer, accounts=accounts[1:], permissions=["read_transactions"])
    text = _text(browser.get("/bank/connected-apps/", **ZH).content.decode())
    assert "日常账户" in text and "储蓄账户" in text and "连接时间" in text
    left = _untranslated(text, [
        "Connected apps", "separate connections", "Connection 1", "Account access", "What it allows",
        "See your account balances", "See your transactions", "Accounts", "Connected since", "Beijing time",
        "Until", "Revoke", "Everyday account", "Savings", "Sign out",
    ])
    assert not left, left
    text = _text(browser.get(f"/bank/connected-apps/{first.pk}/revoke/", **ZH).content.decode())
    left = _untranslated(text, [
        "Revoke this connection?", "will no longer be able to use this connection", "What it allows",
        "See your account balances", "Connected since", "Yes, revoke", "Keep it", "Everyday account",
    ])
    assert not left, left


def test_consent_page_names_the_accounts_in_zh_hans(browser: Client, accounts: list[Any]) -> None:
    app = make_client(name="Moneywise")
    consent = consent_create(
        actor=Actor.client("test-app"), application=app, kind=Consent.Kind.ACCOUNT_ACCESS,
        permissions=["read_accounts", "read_balances"], expires_at=timezone.now() + timedelta(days=30),
    )
    response = browser.get(_authorize_url(app, consent.pk), **ZH)
    assert response.status_code == 200, response.content[:300]
    text = _text(response.content.decode())
    assert "日常账户" in text and "储蓄账户" in text
    left = _untranslated(text, ["Everyday account", "Savings", "See your account balances", "Allow", "Refuse"])
    assert not left, left


def test_a_broken_sign_in_link_explains_itself_in_zh_hans(browser: Client) -> None:
    app = make_client(name="Moneywise")
    url = _authorize_url(app, "cns_x").replace(app.client_id, "no-such-client")
    response = browser.get(url, **ZH)
    assert response.status_code == 400
    text = _text(response.content.decode())
    assert "client_id 参数无效" in text
    left = _untranslated(text, ["Invalid client_id parameter value.", "This sign-in link is not valid"])
    assert not left, left


def test_login_page_in_zh_hans() -> None:
    text = _text(Client().get("/bank/login/", **ZH).content.decode())
    left = _untranslated(text, ["Sign in", "Username", "Password"])
    assert not left, left
    wrong = Client().post("/bank/login/", {"username": "nobody", "password": "wrong-password"}, **ZH)
    left = _untranslated(_text(wrong.content.decode()), ["Please enter a correct", "case-sensitive"])
    assert not left, left
