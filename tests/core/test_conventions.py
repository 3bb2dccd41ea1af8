"""The shared API conventions: problems, request ids, idempotency, money, cursors, throttling."""
from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext_lazy

import tests.problems
from apps.ledger.models import JournalEntry
from tests.factories import client_token

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.conventions_urls")]
URL = "/api/v1/test-transfers"


@pytest.fixture
def auth() -> dict[str, str]:
    return client_token(scope="accounts payments").header


def post(client: Any, auth: dict[str, str], body: Any, key: str | None = "k-1", **extra: str) -> Any:
    headers = dict(auth, **extra)
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(URL, body, format="json", **headers)


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The shared check, plus every member a problem must carry."""
    body = tests.problems.assert_problem(response, status, code)
    assert body["request_id"] == response["X-Request-ID"]
    assert set(body) >= {"type", "title", "detail", "errors"}
    return body


def test_request_id_is_echoed_when_sane_and_minted_otherwise(api_client: Any) -> None:
    assert api_client.get("/healthz", HTTP_X_REQUEST_ID="client-req-12345")["X-Request-ID"] == "client-req-12345"
    minted = api_client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"]
    assert minted.startswith("req_")


def test_unknown_api_url_and_wrong_method_are_problems(api_client: Any, auth: dict[str, str]) -> None:
    assert_problem(api_client.get("/api/v1/nope", **auth), 404, "not_found")
    assert_problem(api_client.delete(URL, **auth), 405, "method_not_allowed")


def test_missing_and_bad_tokens(api_client: Any) -> None:
    response = api_client.get(URL)
    assert_problem(response, 401, "authentication_required")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_problem(api_client.get(URL, HTTP_AUTHORIZATION="Bearer nope"), 401, "invalid_token")
    assert_problem(api_client.get(URL, HTTP_AUTHORIZATION="Basic Zm9vOmJhcg=="), 401, "invalid_token")


def test_wrong_scope(api_client: Any) -> None:
    token = client_token(scope="accounts")
    body = assert_problem(post(api_client, token.header, {"amount": {"amount": "1.00", "currency": "CNY"}, "reference": "r"}), 403, "insufficient_scope")
    assert "payments" in body["detail"]


def test_malformed_json(api_client: Any, auth: dict[str, str]) -> None:
    response = api_client.post(URL, "{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **auth)
    assert_problem(response, 400, "malformed_request")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ({"amount": "0", "currency": "CNY"}, "amount_not_positive"),
        ({"amount": "-5.00", "currency": "CNY"}, "amount_not_positive"),
        ({"amount": "1.001", "currency": "CNY"}, "amount_too_precise"),
        ({"amount": "1e3", "currency": "CNY"}, "invalid_amount"),
        ({"amount": 12.5, "currency": "CNY"}, "invalid_amount"),
        ({"amount": "99999999999999", "currency": "CNY"}, "amount_too_large"),
        ({"amount": "NaN", "currency": "CNY"}, "invalid_amount"),
    ],
)
def test_bad_amounts_write_nothing(api_client: Any, auth: dict[str, str], amount: Any, code: str) -> None:
    body = assert_problem(post(api_client, auth, {"amount": amount, "reference": "r"}), 400, code)
    assert body["errors"][0]["field"] == "amount"
    assert JournalEntry.objects.count() == 0


def test_unknown_currency(api_client: Any, auth: dict[str, str]) -> None:
    assert_problem(post(api_client, auth, {"amount": {"amount": "1.00", "currency": "XXX"}, "reference": "r"}), 400, "unsupported_currency")


def test_validation_errors_name_fields(api_client: Any, auth: dict[str, str]) -> None:
    body = assert_problem(post(api_client, auth, {"amount": {"amount": "1.00", "currency": "CNY"}}), 400, "validation_error")
    assert body["errors"] == [{"field": "reference", "code": "required", "message": "This field is required."}]


def test_idempotency_replays_refuses_other_bodies_and_requires_a_key(api_client: Any, auth: dict[str, str]) -> None:
    body = {"amount": {"amount": "10.00", "currency": "CNY"}, "reference": "once"}
    first = post(api_client, auth, body, key="same")
    assert first.status_code == 201
    again = post(api_client, auth, body, key="same")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert JournalEntry.objects.count() == 1
    assert_problem(post(api_client, auth, dict(body, reference="other"), key="same"), 422, "idempotency_key_reused")
    assert_problem(post(api_client, auth, body, key=None), 400, "idempotency_key_required")


def test_idempotency_keys_are_scoped_to_the_client(api_client: Any, auth: dict[str, str]) -> None:
    body = {"amount": {"amount": "10.00", "currency": "CNY"}, "reference": "a"}
    assert post(api_client, auth, body, key="shared").status_code == 201
    other = client_token(scope="accounts payments").header
    # Same key, same body, another client: not a replay of someone else's response.
    response = post(api_client, other, dict(body, reference="b"), key="shared")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


def test_a_failed_request_releases_its_key(api_client: Any, auth: dict[str, str]) -> None:
    bad = {"amount": {"amount": "0", "currency": "CNY"}, "reference": "x"}
    assert post(api_client, auth, bad, key="retry-me").status_code == 400
    good = {"amount": {"amount": "1.00", "currency": "CNY"}, "reference": "x"}
    assert post(api_client, auth, good, key="retry-me").status_code == 201


def test_cursor_pagination_walks_every_row_once(api_client: Any, auth: dict[str, str]) -> None:
    for i in range(45):
        post(api_client, auth, {"amount": {"amount": "1.00", "currency": "CNY"}, "reference": f"p{i}"}, key=str(uuid.uuid4()))
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        response = api_client.get(URL, {"limit": 20, **({"cursor": cursor} if cursor else {})}, **auth)
        page = response.json()
        seen += [row["id"] for row in page["data"]]
        pages += 1
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert pages == 3 and len(seen) == 45 and seen == sorted(seen, reverse=True)


def _second_page_cursor(api_client: Any, auth: dict[str, str]) -> str:
    for i in range(3):
        post(api_client, auth, {"amount": {"amount": "1.00", "currency": "CNY"}, "reference": f"c{i}"}, key=str(uuid.uuid4()))
    page = api_client.get(URL, {"limit": 1}, **auth).json()
    return str(page["next_cursor"])


def test_bad_cursor_and_limit(api_client: Any, auth: dict[str, str]) -> None:
    assert_problem(api_client.get(URL, {"cursor": "forged"}, **auth), 400, "invalid_cursor")
    assert_problem(api_client.get(URL, {"cursor": "e30.ÿ"}, **auth), 400, "invalid_cursor")
    assert_problem(api_client.get(URL, {"limit": 101}, **auth), 400, "validation_error")
    assert_problem(api_client.get(URL, {"limit": "x"}, **auth), 400, "validation_error")


@pytest.mark.parametrize("token_cache_seconds", [0, 60], ids=["token-cache-off", "token-cache-on"])
def test_rate_limit_answers_429_with_retry_after(
    api_client: Any, auth: dict[str, str], settings: Any, token_cache_seconds: int
) -> None:
    # With the token cache on, a request of a known token is counted in the token's round
    # trip; either way each request counts exactly once.
    settings.TOKEN_CACHE_SECONDS = token_cache_seconds
    with rate_limit("3/min"):
        responses = [api_client.get(URL, **auth) for _ in range(4)]
    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    assert [r["RateLimit-Remaining"] for r in responses[:3]] == ["2", "1", "0"]
    assert responses[0]["RateLimit-Limit"] == "3"
    limited = assert_problem(responses[3], 429, "rate_limited")
    assert int(responses[3]["Retry-After"]) >= 1 and "retry" in limited["detail"]


def test_a_known_token_is_counted_in_its_cache_read(
    api_client: Any, auth: dict[str, str], settings: Any, monkeypatch: Any
) -> None:
    from apps.core import throttling

    settings.TOKEN_CACHE_SECONDS = 60
    with rate_limit("100/min"):
        assert api_client.get(URL, **auth)["RateLimit-Remaining"] == "99"  # first sight: counted by the throttle

        monkeypatch.setattr(throttling, "counter_incr", _counted_twice)
        assert api_client.get(URL, **auth)["RateLimit-Remaining"] == "98"


def test_a_token_another_process_validated_is_counted_in_its_cache_read_from_the_second_request(
    api_client: Any, auth: dict[str, str], settings: Any, monkeypatch: Any
) -> None:
    from apps.core import throttling
    from apps.oauth import authentication

    settings.TOKEN_CACHE_SECONDS = 60
    with rate_limit("100/min"):
        api_client.get(URL, **auth)  # validated and cached ...
        monkeypatch.setattr(authentication, "_TOKEN_CLIENTS", {})  # ... by another process
        assert api_client.get(URL, **auth)["RateLimit-Remaining"] == "98"  # a cache hit, counted apart

        monkeypatch.setattr(throttling, "counter_incr", _counted_twice)
        assert api_client.get(URL, **auth)["RateLimit-Remaining"] == "97"


def _counted_twice(*args: Any, **kwargs: Any) -> int:
    raise AssertionError("the throttle counted a request that authentication had counted")


@contextmanager
def rate_limit(rate: str) -> Iterator[None]:
    from rest_framework.settings import api_settings

    from apps.core.throttling import ClientRateThrottle

    ClientRateThrottle.THROTTLE_RATES = dict(api_settings.DEFAULT_THROTTLE_RATES, client=rate)
    try:
        yield
    finally:
        ClientRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


@pytest.mark.parametrize(
    "data",
    [
        {"data": [{"id": "txn_1", "amount": {"amount": "1.00", "currency": "CNY"}}], "has_more": False, "next_cursor": None},
        {"text": "中文 \u2028 line \u2029 paragraph", "n": 12345678901234, "flag": True, "empty": []},
        {"text": "an ellipsis … and a dash – share the separators' first two bytes"},
        {"when": datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC), "day": date(2026, 11, 28)},
        # statement lines hand their timestamps over as they are: whole seconds and one microsecond
        {"at": [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=UTC)]},
        {"lazy": gettext_lazy("Allow"), "price": Decimal("1.50"), 7: "int key"},
    ],
)
def test_json_renderer_writes_what_drfs_renderer_writes(data: dict[str, Any]) -> None:
    from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

    from apps.core.renderers import JSONRenderer

    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)
    assert JSONRenderer().render(data, "application/json; indent=2") == DRFJSONRenderer().render(
        data, "application/json; indent=2"
    )


@pytest.mark.parametrize(
    "accept",
    ["", "*/*", "application/json", "application/json; indent=4", "application/*", "text/html, */*;q=0.1",
     "text/html", "application/problem+json"],
)
@pytest.mark.parametrize("query", ["", "format=json", "format=xml"])
def test_content_negotiation_picks_what_drfs_negotiation_picks(accept: str, query: str) -> None:
    from django.http import Http404
    from rest_framework.exceptions import APIException
    from rest_framework.negotiation import DefaultContentNegotiation
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from apps.core.renderers import ContentNegotiation, JSONRenderer

    def choose(negotiation: Any) -> Any:
        headers = {"HTTP_ACCEPT": accept} if accept else {}
        request = Request(APIRequestFactory().get(f"/api/v1/x?{query}", **headers))
        try:
            renderer, media_type = negotiation.select_renderer(request, [JSONRenderer()])
        except (APIException, Http404) as refused:
            return type(refused)
        return type(renderer), media_type

    assert choose(ContentNegotiation()) == choose(DefaultContentNegotiation())


def test_a_cursor_with_a_changed_position_or_seal_is_refused(api_client: Any, auth: dict[str, str]) -> None:
    cursor = _second_page_cursor(api_client, auth)
    assert api_client.get(URL, {"cursor": cursor}, **auth).status_code == 200
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    # AES-GCM: nonce (12 bytes), the sealed position, the tag (16 bytes); any changed byte is refused.
    for i in (0, 12, len(raw) - 17, len(raw) - 1):
        changed = bytearray(raw)
        changed[i] ^= 1
        forged = base64.urlsafe_b64encode(bytes(changed)).rstrip(b"=").decode()
        assert_problem(api_client.get(URL, {"cursor": forged}, **auth), 400, "invalid_cursor")
    assert_problem(api_client.get(URL, {"cursor": cursor[:-4]}, **auth), 400, "invalid_cursor")


def test_cursors_survive_a_secret_key_rotation_through_the_fallbacks(
    api_client: Any, auth: dict[str, str], settings: Any
) -> None:
    cursor = _second_page_cursor(api_client, auth)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "rotated-" + "k" * 40, [old_key]
    assert api_client.get(URL, {"cursor": cursor}, **auth).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert_problem(api_client.get(URL, {"cursor": cursor}, **auth), 400, "invalid_cursor")
