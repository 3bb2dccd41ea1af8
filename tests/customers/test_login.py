"""The bank's login page: signs customers in, and stops password guessing."""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_customer

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.make_customer's password


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1", next_url: str = "", **meta: str) -> Any:
    data = {"username": username, "password": password}
    url = "/bank/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data, REMOTE_ADDR=ip, **meta)


def _locked(response: Any) -> bool:
    return "Too many failed sign-in attempts" in response.content.decode()


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
    settings.AXES_FAILURE_LIMIT = 3
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
    settings.AXES_FAILURE_LIMIT = 3
    make_customer("li.na")
    for name in ("a", "b", "c"):
        _login(Client(), name, "guess", ip="10.0.0.7")
    locked = _login(Client(), "li.na", PASSWORD, ip="10.0.0.7")
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert _login(Client(), "li.na", PASSWORD, ip="10.0.0.8").status_code == 302


def test_failures_from_many_addresses_lock_that_username_only(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    make_customer("li.na")
    make_customer("wei.zhang")
    for n in range(3):
        _login(Client(), "Li.Na " if n == 1 else "li.na", "guess", ip=f"198.51.100.{n}")  # case and spaces do not escape
    assert _locked(_login(Client(), "li.na", PASSWORD, ip="198.51.100.77"))
    # The addresses used are not locked: another customer signs in from them.
    for n in range(3):
        assert _login(Client(), "wei.zhang", PASSWORD, ip=f"198.51.100.{n}").status_code == 302


def test_the_attempt_that_reaches_the_limit_is_told_at_once(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    make_customer("li.na")
    first = _login(Client(), "li.na", "guess-1")
    assert "enter a correct username and password" in first.content.decode()
    second = _login(Client(), "li.na", "guess-2")
    assert second.status_code == 200 and _locked(second)
    assert 'name="csrfmiddlewaretoken"' in second.content.decode()  # the sign-in page itself


def _behind_one_proxy(settings: Any) -> None:
    # What TRUSTED_PROXY_COUNT=1 sets (platform/config/settings.py).
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")


LOAD_BALANCER = "10.8.0.2"


def test_behind_the_load_balancer_clients_are_counted_apart(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    _behind_one_proxy(settings)
    make_customer("li.na")
    for name in ("a", "b", "c"):
        _login(Client(), name, "guess", ip=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert _locked(_login(Client(), "li.na", PASSWORD, ip=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.5"))
    # Another client behind the same balancer is not locked out.
    assert _login(Client(), "li.na", PASSWORD, ip=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 302


def test_behind_the_load_balancer_a_forged_forwarded_for_does_not_change_the_address(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    _behind_one_proxy(settings)
    make_customer("li.na")
    # The guesser writes a new address each time; the balancer appends the real one.
    for n, name in enumerate(("a", "b", "c")):
        _login(Client(), name, "guess", ip=LOAD_BALANCER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5")
    assert _locked(_login(Client(), "li.na", PASSWORD, ip=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5"))
    assert _login(Client(), "li.na", PASSWORD, ip=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 302


def test_without_trusted_proxies_forwarded_for_is_ignored(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    make_customer("li.na")
    for n, name in enumerate(("a", "b", "c")):
        _login(Client(), name, "guess", ip="10.0.0.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert _locked(_login(Client(), "li.na", PASSWORD, ip="10.0.0.7", HTTP_X_FORWARDED_FOR="192.0.2.50"))


def test_admin_login_is_locked_too_without_checking_the_password(settings: Any, monkeypatch: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.backends import ModelBackend

    settings.AXES_FAILURE_LIMIT = 2
    get_user_model().objects.create_superuser("ops", "ops@example.test", PASSWORD)
    for attempt in range(2):
        Client().post("/admin/login/", {"username": "ops", "password": f"guess-{attempt}"}, REMOTE_ADDR=f"10.3.3.{attempt}")
    checked: list[str] = []
    real = ModelBackend.authenticate
    monkeypatch.setattr(ModelBackend, "authenticate", lambda *a, **k: checked.append("x") or real(*a, **k))
    locked = Client().post("/admin/login/", {"username": "ops", "password": PASSWORD}, REMOTE_ADDR="10.3.3.9")
    assert _locked(locked) and checked == []
    assert "_auth_user_id" not in locked.wsgi_request.session


def test_locked_attempt_does_not_check_the_password(settings: Any, monkeypatch: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 1
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
    settings.AXES_FAILURE_LIMIT = 1
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
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
