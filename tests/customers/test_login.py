"""The bank's login page: signs customers in, and stops password guessing."""
from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_customer

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.make_customer's password


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1", next_url: str = "") -> Any:
    data = {"username": username, "password": password}
    url = "/bank/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data, REMOTE_ADDR=ip)


def test_login_page_is_mobile_first_and_has_no_script() -> None:
    html = Client().get("/bank/login/").content.decode()
    assert 'name="viewport"' in html and "<script" not in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_customer_signs_in_and_goes_back_where_they_were() -> None:
    make_customer("li.na")
    response = _login(Client(), "li.na", PASSWORD, next_url="/bank/connected-apps/")
    assert response.status_code == 302
    assert response["Location"] == "/bank/connected-apps/"


def test_login_refuses_offsite_next() -> None:
    make_customer("li.na")
    response = _login(Client(), "li.na", PASSWORD, next_url="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/bank/connected-apps/"


def test_wrong_password_is_refused() -> None:
    make_customer("li.na")
    response = _login(Client(), "li.na", "wrong")
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_username_locks_after_too_many_failures_even_with_the_right_password(settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    make_customer("li.na")
    for attempt in range(3):
        _login(Client(), "li.na", f"guess-{attempt}", ip=f"10.0.0.{attempt}")
    locked = _login(Client(), "li.na", PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 200
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session
    # another customer is not affected
    make_customer("wei.zhang")
    assert _login(Client(), "wei.zhang", PASSWORD, ip="10.9.9.9").status_code == 302


def test_ip_locks_after_too_many_failures_across_usernames(settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    make_customer("li.na")
    for name in ("a", "b", "c"):
        _login(Client(), name, "guess", ip="10.0.0.7")
    locked = _login(Client(), "li.na", PASSWORD, ip="10.0.0.7")
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert _login(Client(), "li.na", PASSWORD, ip="10.0.0.8").status_code == 302


def test_locked_attempt_does_not_check_the_password(settings: Any, monkeypatch: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 1
    make_customer("li.na")
    _login(Client(), "li.na", "guess")
    calls: list[str] = []
    import django.contrib.auth.forms as auth_forms

    monkeypatch.setattr(auth_forms, "authenticate", lambda *a, **k: calls.append("checked"))
    _login(Client(), "li.na", PASSWORD, ip="10.1.1.1")
    assert calls == []


def test_lockout_ends_after_the_window(settings: Any) -> None:
    # The real expiry, not cache.clear(): on Redis that would empty the database that the
    # other test workers are counting in.
    settings.LOGIN_FAILURE_LIMIT = 1
    settings.LOGIN_LOCKOUT_SECONDS = 1
    make_customer("li.na")
    _login(Client(), "li.na", "guess")
    assert "Too many" in _login(Client(), "li.na", PASSWORD, ip="10.2.2.2").content.decode()
    time.sleep(1.2)
    assert _login(Client(), "li.na", PASSWORD, ip="10.2.2.2").status_code == 302


def test_logout_needs_post_and_ends_the_session() -> None:
    customer = make_customer("li.na")
    client = Client()
    client.force_login(customer.user)
    assert client.post("/bank/logout/").status_code == 200
    assert client.get("/bank/connected-apps/").status_code == 302


def test_login_page_in_simplified_chinese_by_accept_language() -> None:
    html = Client().get("/bank/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html
