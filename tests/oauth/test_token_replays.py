"""Replays at the token endpoint: a retried refresh within the grace, reuse after it, and an
authorization code exchanged twice (RFC 6749 §4.1.2, RFC 9700 §4.14)."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_refresh_token_model

from apps.oauth.authentication import resolve_token
from apps.oauth.models import CodeRedemption

from .test_authorize import _refresh, _tokens, account_consent, authorise, exchange

pytestmark = pytest.mark.django_db


def works(access_token: str) -> bool:
    response = Client().get("/api/v1/accounts", HTTP_AUTHORIZATION=f"Bearer {access_token}")
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


def refused(response: Any) -> bool:
    return response.status_code == 400 and response.json()["error"] == "invalid_grant"


@pytest.fixture
def grace(settings: Any) -> int:
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 30}
    return 30


def _age_rotation(refresh_token: str, seconds: int) -> None:
    """As if `refresh_token` had been rotated `seconds` ago."""
    checksum = hashlib.sha256(refresh_token.encode()).hexdigest()
    rows = get_refresh_token_model().objects.filter(token_checksum=checksum)
    assert rows.update(revoked=timezone.now() - timedelta(seconds=seconds)) == 1


def test_the_default_grace_is_30_seconds() -> None:
    from oauth2_provider.settings import oauth2_settings

    assert oauth2_settings.REFRESH_TOKEN_GRACE_PERIOD_SECONDS == 30


def test_a_retried_refresh_within_the_grace_gets_a_fresh_pair_and_the_family_lives(
    browser: Client, app: Any, accounts: list[Any], grace: int
) -> None:
    consent = account_consent(app)
    first = _tokens(browser, app, consent, accounts)
    lost = _refresh(app, first["refresh_token"])  # the answer the client never received
    assert lost.status_code == 200
    retry = _refresh(app, first["refresh_token"])
    assert retry.status_code == 200, retry.content
    fresh = retry.json()
    assert fresh["access_token"] not in (first["access_token"], lost.json()["access_token"])
    assert fresh["refresh_token"] not in (first["refresh_token"], lost.json()["refresh_token"])
    assert works(fresh["access_token"])
    assert resolve_token(fresh["access_token"]).consent_id == consent.pk
    # the pair the retry replaced is dead; the family goes on from the fresh one
    assert not works(lost.json()["access_token"])
    onward = _refresh(app, fresh["refresh_token"])
    assert onward.status_code == 200 and works(onward.json()["access_token"])


def test_a_second_retry_within_the_grace_also_succeeds(browser: Client, app: Any, accounts: list[Any], grace: int) -> None:
    first = _tokens(browser, app, account_consent(app), accounts)
    assert _refresh(app, first["refresh_token"]).status_code == 200
    assert _refresh(app, first["refresh_token"]).status_code == 200
    third = _refresh(app, first["refresh_token"])
    assert third.status_code == 200 and works(third.json()["access_token"])
    assert get_refresh_token_model().objects.filter(application=app, revoked__isnull=True).count() == 1


def test_the_previous_token_after_the_grace_revokes_the_family(
    browser: Client, app: Any, accounts: list[Any], grace: int
) -> None:
    first = _tokens(browser, app, account_consent(app), accounts)
    new = _refresh(app, first["refresh_token"]).json()
    _age_rotation(first["refresh_token"], grace + 1)
    assert refused(_refresh(app, first["refresh_token"]))
    assert not works(new["access_token"])
    assert refused(_refresh(app, new["refresh_token"]))


def test_an_older_token_within_the_grace_revokes_the_family(browser: Client, app: Any, accounts: list[Any], grace: int) -> None:
    first = _tokens(browser, app, account_consent(app), accounts)
    second = _refresh(app, first["refresh_token"]).json()
    third = _refresh(app, second["refresh_token"]).json()
    assert refused(_refresh(app, first["refresh_token"]))  # two rotations back: not a retry
    assert not works(third["access_token"])
    assert refused(_refresh(app, third["refresh_token"]))


def test_the_pair_a_retry_replaced_cannot_be_used_and_revokes_the_family(
    browser: Client, app: Any, accounts: list[Any], grace: int
) -> None:
    first = _tokens(browser, app, account_consent(app), accounts)
    lost = _refresh(app, first["refresh_token"]).json()
    fresh = _refresh(app, first["refresh_token"]).json()
    assert refused(_refresh(app, lost["refresh_token"]))
    assert not works(fresh["access_token"])


def test_a_revoked_refresh_token_is_not_retried_even_within_the_grace(
    browser: Client, app: Any, accounts: list[Any], grace: int
) -> None:
    import base64

    first = _tokens(browser, app, account_consent(app), accounts)
    basic = "Basic " + base64.b64encode(f"{app.client_id}:client-secret-for-tests".encode()).decode()
    revoked = Client().post("/oauth/revoke_token/", {"token": first["refresh_token"], "token_type_hint": "refresh_token"},
                            HTTP_AUTHORIZATION=basic)
    assert revoked.status_code == 200
    assert refused(_refresh(app, first["refresh_token"]))


# --- authorization codes ------------------------------------------------------------------

def test_a_second_exchange_of_a_code_is_refused_and_revokes_the_first_tokens(
    browser: Client, app: Any, accounts: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    params, verifier = authorise(browser, app, account_consent(app), [accounts[0].id])
    first = exchange(app, params["code"], verifier)
    assert first.status_code == 200
    tokens = first.json()
    assert works(tokens["access_token"])  # now cached too, when the token cache is on
    with django_capture_on_commit_callbacks(execute=True):  # the cache forgets after commit
        again = exchange(app, params["code"], verifier)
    assert refused(again)
    assert not works(tokens["access_token"])
    assert refused(_refresh(app, tokens["refresh_token"]))


def test_a_replayed_code_also_revokes_the_tokens_refreshed_from_it(
    browser: Client, app: Any, accounts: list[Any], grace: int, django_capture_on_commit_callbacks: Any
) -> None:
    params, verifier = authorise(browser, app, account_consent(app), [accounts[0].id])
    tokens = exchange(app, params["code"], verifier).json()
    refreshed = _refresh(app, tokens["refresh_token"]).json()
    assert works(refreshed["access_token"])
    with django_capture_on_commit_callbacks(execute=True):
        assert refused(exchange(app, params["code"], verifier))
    assert not works(refreshed["access_token"])
    assert refused(_refresh(app, refreshed["refresh_token"]))


def test_an_exchange_records_the_code_only_as_a_checksum(browser: Client, app: Any, accounts: list[Any]) -> None:
    params, verifier = authorise(browser, app, account_consent(app), [accounts[0].id])
    assert exchange(app, params["code"], verifier).status_code == 200
    redemption = CodeRedemption.objects.get(application=app)
    assert params["code"] not in redemption.code_checksum and len(redemption.code_checksum) == 64
    assert redemption.token_family is not None


def test_an_unknown_code_is_refused_without_revoking_anything(browser: Client, app: Any, accounts: list[Any]) -> None:
    tokens = _tokens(browser, app, account_consent(app), accounts)
    assert refused(exchange(app, "never-issued", "v" * 50))
    assert works(tokens["access_token"])


def test_old_redemptions_are_purged_only_once_their_family_is_dead(browser: Client, app: Any, accounts: list[Any]) -> None:
    from apps.core.actors import Actor
    from apps.oauth.services import code_redemptions_purge

    params, verifier = authorise(browser, app, account_consent(app), [accounts[0].id])
    tokens = exchange(app, params["code"], verifier).json()
    CodeRedemption.objects.update(created_at=timezone.now() - timedelta(days=3))
    system = Actor.system("test")
    assert code_redemptions_purge(actor=system) == 0  # the family lives: a replay must still revoke it
    get_refresh_token_model().objects.get(token_checksum=hashlib.sha256(tokens["refresh_token"].encode()).hexdigest()).revoke()
    assert code_redemptions_purge(actor=system) == 1
