"""Fixtures for the SDK end-to-end tests: one live platform per session, the SDKs from the checkout.

The Python SDK is imported from sdk/python/src (put on sys.path here) rather than installed
into the platform's venv: its runtime dependencies (httpx, attrs, python-dateutil) are
already pinned in requirements*.txt at the same versions, so nothing needs building, the
tests always exercise the checkout's code (never a stale installed copy), and
requirements-dev.txt stays a list of third-party pins. `pip install sdk/python` is what a
partner runs; test_sdk_python_package.py proves that package builds.
"""
from __future__ import annotations

import html.parser
import os
import re
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.sdk.live_server import SDK_PYTHON_SRC, LivePlatform, start_platform
from tests.sdk.missing import missing

if str(SDK_PYTHON_SRC) not in sys.path:
    sys.path.insert(0, str(SDK_PYTHON_SRC))


def _sdk_selected(config: pytest.Config) -> bool:
    markexpr = config.option.markexpr or ""
    return bool(re.search(r"(?<!not )\bsdk\b", markexpr)) or os.environ.get("OPENBANK_SDK_E2E") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """SDK end-to-end tests (marked `sdk`) start gunicorn, build the TypeScript SDK and take a
    minute: they run when selected with `-m sdk` (.ci/run's SDK step) or OPENBANK_SDK_E2E=1,
    and are skipped, with that reason, in `make test` and the PostgreSQL suite."""
    selected = _sdk_selected(config)
    skip = pytest.mark.skip(reason="SDK end-to-end test: run with `pytest -m sdk -p no:xdist` (CI does)")
    for item in items:
        if item.get_closest_marker("sdk") is None:
            continue
        if not selected:
            item.add_marker(skip)
        elif config.pluginmanager.hasplugin("xdist") and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group("sdk-live"))  # one live server per worker: keep them together


@pytest.fixture(scope="session")
def live() -> Iterator[LivePlatform]:
    """The platform served by gunicorn on a free port, migrated and seeded."""
    try:
        import openbank  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the machine
        missing(f"the Python SDK cannot be imported from sdk/python/src: {exc}")
    platform = start_platform()
    try:
        yield platform
    finally:
        platform.stop()


# --- a plain HTTP "browser" for the bank's pages ---------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    checkboxes: list[tuple[str, str, bool]] = field(default_factory=list)  # name, value, checked
    radios: list[tuple[str, str, bool]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            name = a.get("name", "")
            if not name:
                return
            if kind == "checkbox":
                self.forms[-1].checkboxes.append((name, a.get("value", "on"), "checked" in a))
            elif kind == "radio":
                self.forms[-1].radios.append((name, a.get("value", "on"), "checked" in a))
            elif kind in {"submit", "button"}:
                self.forms[-1].buttons.append((name, a.get("value", "")))
            else:
                self.forms[-1].fields.append((name, a.get("value", "")))
        elif tag == "button" and a.get("name"):
            self.forms[-1].buttons.append((a["name"], a.get("value", "")))


def parse_forms(page: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(page)
    return parser.forms


class Browser:
    """What a customer's browser does on the bank's pages: cookies, forms, redirects by hand."""

    def __init__(self, base_url: str) -> None:
        import httpx

        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)

    def get(self, url: str) -> Any:
        return self.http.get(url)

    def follow(self, response: Any, *, stop_at: str) -> Any:
        """Follow redirects on the platform until one leaves it for `stop_at` (returned as the URL)."""
        for _ in range(10):
            if response.status_code not in (301, 302, 303):
                return response
            location = urllib.parse.urljoin(str(response.url), response.headers["location"])
            if location.startswith(stop_at):
                return location
            response = self.http.get(location)
        raise AssertionError("too many redirects")

    def submit(self, page: Any, data: list[tuple[str, str]]) -> Any:
        forms = [f for f in parse_forms(page.text) if f.method == "post"]
        assert forms, f"no form on {page.url}:\n{page.text[:2000]}"
        form = forms[0]
        action = urllib.parse.urljoin(str(page.url), form.action or str(page.url))
        body: dict[str, list[str]] = {}
        for name, value in form.fields + data:
            body.setdefault(name, []).append(value)
        return self.http.post(action, data=body, headers={"Referer": str(page.url)})

    def close(self) -> None:
        self.http.close()


def authorize_in_browser(live: LivePlatform, authorization_url: str, redirect_uri: str, *,
                         username: str = "wei.zhang", choose_accounts: int | None = None) -> str:
    """Log the customer in, allow the consent on the bank's page; returns the redirect to the app.

    Parses the real HTML forms (CSRF token, hidden fields, the account checkboxes/radios) like
    a browser would. `choose_accounts`: how many of the offered accounts to tick (all if None).
    """
    customer = live.customer(username)
    browser = Browser(live.url)
    try:
        login_page = browser.follow(browser.get(authorization_url), stop_at=redirect_uri)
        assert login_page.status_code == 200 and "/bank/login/" in str(login_page.url), login_page.text[:500]
        consent_page = browser.follow(
            browser.submit(login_page, [("username", customer["username"]), ("password", customer["password"])]),
            stop_at=redirect_uri,
        )
        assert consent_page.status_code == 200, consent_page.text[:2000]
        form = next(f for f in parse_forms(consent_page.text) if f.method == "post")
        choices: list[tuple[str, str]] = []
        offered = [(name, value) for name, value, _ in form.checkboxes]
        if offered:
            choices += offered[: choose_accounts or len(offered)]
        if form.radios:
            checked = [(n, v) for n, v, c in form.radios if c]
            choices += checked or [form.radios[0][:2]]
        assert ("decision", "allow") in form.buttons, form.buttons
        redirect = browser.follow(browser.submit(consent_page, [*choices, ("decision", "allow")]), stop_at=redirect_uri)
        assert isinstance(redirect, str), getattr(redirect, "text", "")[:2000]
        return redirect
    finally:
        browser.close()
