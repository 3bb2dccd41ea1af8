"""End-to-end harness: the platform on a live HTTP server, driven as outsiders drive it.

`live_bank` starts pytest-django's live server (a real HTTP server in a thread, on the test
database) and offers what every end-to-end suite needs:
- `live_bank.url`: the server's origin (also the OAuth issuer);
- `live_bank.third_party_app()`: a confidential third-party OAuth client with a known secret;
- `live_bank.customer()`: a customer with a known password and deposit accounts;
- `live_bank.browser()`: an httpx client that keeps cookies, like a browser without JavaScript;
- `live_bank.login(browser, username, password, next_url)`: signs in on /bank/login/;
- `parse_forms(html)`: the forms of a page (action, hidden fields, checkboxes, radios,
  submit buttons), so a test can submit a page exactly as the user would.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from apps.oauth.models import ClientProfile

REDIRECT_URI = "http://127.0.0.1:8765/callback"
PASSWORD = "correct-horse-battery"  # tests.factories.make_customer's password


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._current)
        elif self._current is not None and tag in {"input", "button"}:
            name, value, kind = a.get("name", ""), a.get("value", ""), a.get("type", "submit" if tag == "button" else "text")
            if not name:
                return
            if kind == "checkbox":
                self._current.checkboxes.setdefault(name, []).append(value)
            elif kind == "radio":
                self._current.radios.setdefault(name, []).append(value)
            elif kind == "submit":
                self._current.buttons.append((name, value))
            else:
                self._current.fields[name] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


@dataclass
class App:
    client_id: str
    client_secret: str
    redirect_uri: str
    application: Any


@dataclass
class LiveBank:
    url: str

    def third_party_app(self, *, name: str = "Moneywise Budgeting", scopes: str = "accounts payments credit") -> App:
        from tests.factories import make_client

        application = make_client(ClientProfile.Kind.THIRD_PARTY, scopes=scopes, name=name)
        secret = secrets.token_urlsafe(32)
        application.client_secret = secret  # hashed on save
        application.save()
        return App(application.client_id, secret, REDIRECT_URI, application)

    def customer(self, username: str | None = None, *, accounts: tuple[str, ...] = ("Everyday", "Savings")) -> Any:
        from tests.factories import make_account, make_customer

        customer = make_customer(username)
        customer.test_accounts = [make_account(customer, name=name, balance_minor=100_000) for name in accounts]
        customer.test_password = PASSWORD
        return customer

    def browser(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=10)

    def absolute(self, location: str) -> str:
        return urljoin(self.url + "/", location)

    def login(self, browser: httpx.Client, username: str, password: str, next_url: str = "") -> httpx.Response:
        """Sign in on the bank's page; returns the response to the form post (a 302 on success)."""
        page = browser.get("/bank/login/", params={"next": next_url} if next_url else None)
        assert page.status_code == 200, page.text[:300]
        form = parse_forms(page.text)[0]
        data = dict(form.fields)
        data.update({"username": username, "password": password})
        return browser.post(self.absolute(form.action or "/bank/login/"), data=data)


@pytest.fixture
def live_bank(live_server: Any, transactional_db: None) -> Iterator[LiveBank]:
    yield LiveBank(url=live_server.url)
