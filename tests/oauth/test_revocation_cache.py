"""A revoked token must not be served from the token cache.

Until a revocation commits, other requests still read the token as live and may cache it;
so the cache is forgotten after commit, not inside the revoking transaction.
"""
from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import override_settings
from oauth2_provider.models import get_access_token_model

from apps.core.actors import Actor
from apps.core.errors import InvalidToken
from apps.oauth.authentication import CACHE_PREFIX, resolve_token
from apps.oauth.models import ClientProfile
from apps.oauth.services import consent_revoke
from tests.factories import customer_token, make_customer

pytestmark = pytest.mark.django_db
cached = override_settings(TOKEN_CACHE_SECONDS=300)


@cached
def test_revocation_forgets_cached_tokens_after_commit_not_before(django_capture_on_commit_callbacks: Any) -> None:
    token = customer_token(make_customer())
    live = resolve_token(token.raw)
    with django_capture_on_commit_callbacks(execute=True):
        consent_revoke(actor=Actor.customer(token.consent.customer_id), consent=token.consent)
        # What a concurrent request reading the pre-commit rows does meanwhile: cache the live token.
        cache.set(CACHE_PREFIX + live.token_checksum, live.to_cache(), 300)
    # The commit ran the forgets: the next validation reads the revoked consent.
    with pytest.raises(InvalidToken) as caught:
        resolve_token(token.raw)
    assert caught.value.code == "consent_revoked"


@cached
def test_a_revoked_token_is_forgotten_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    """Token rotation, RFC 7009 revocation and an admin's delete all end in DOT's revoke()
    (a delete): the signal forgets the cache entry after commit."""
    token = customer_token(make_customer())
    live = resolve_token(token.raw)
    with django_capture_on_commit_callbacks(execute=True):
        get_access_token_model().objects.get(token_checksum=live.token_checksum).revoke()
        cache.set(CACHE_PREFIX + live.token_checksum, live.to_cache(), 300)  # a concurrent reader
    with pytest.raises(InvalidToken):
        resolve_token(token.raw)


@cached
def test_nothing_is_forgotten_before_commit(django_capture_on_commit_callbacks: Any) -> None:
    token = customer_token(make_customer())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        consent_revoke(actor=Actor.customer(token.consent.customer_id), consent=token.consent)
    assert callbacks, "the cache must be forgotten on commit"


@cached
def test_changing_the_clients_profile_forgets_its_cached_tokens(django_capture_on_commit_callbacks: Any) -> None:
    token = customer_token(make_customer())
    assert resolve_token(token.raw).client_kind == ClientProfile.Kind.THIRD_PARTY
    with django_capture_on_commit_callbacks(execute=True):
        ClientProfile.objects.filter(application=token.application).get().delete()
    assert resolve_token(token.raw).client_kind == ""


@cached
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reader_during_the_revocation_cannot_keep_the_token_alive() -> None:
    """Two connections: the revocation has run but not committed; a reader validates the token
    (it still reads as live, and is cached); after the commit the token is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    token = customer_token(make_customer())
    revoked, commit = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def revoke() -> None:
        try:
            with transaction.atomic():
                consent_revoke(actor=Actor.customer(token.consent.customer_id), consent=token.consent)
                revoked.set()
                assert commit.wait(30)
        except BaseException as error:  # reported by the main thread
            failure.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=revoke)
    thread.start()
    try:
        assert revoked.wait(30)
        during = resolve_token(token.raw)  # the revocation is not committed: still live
        assert during.consent_status == "authorised"
    finally:
        commit.set()
        thread.join(30)
    assert not failure
    with pytest.raises(InvalidToken) as caught:
        resolve_token(token.raw)
    assert caught.value.code == "consent_revoked"


@cached
def test_a_reader_that_read_before_the_commit_cannot_cache_after_the_forget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The narrow race: a request reads the token's rows (still live), the revocation commits
    and forgets, and only then does the request write its validation to the cache."""
    from apps.oauth import authentication

    token = customer_token(make_customer())
    real_load = authentication._load
    loads: list[str] = []

    def load_then_revocation_commits(checksum: str) -> Any:
        info = real_load(checksum)  # the live rows, read before the revocation committed
        if not loads:
            consent_revoke(actor=Actor.customer(token.consent.customer_id), consent=token.consent)
            authentication.forget_tokens([checksum])  # what the revocation's on_commit runs
        loads.append(checksum)
        return info

    monkeypatch.setattr(authentication, "_load", load_then_revocation_commits)
    resolve_token(token.raw)  # this request was already past its checks
    with pytest.raises(InvalidToken) as caught:
        resolve_token(token.raw)  # the next one must not find the live validation cached
    assert caught.value.code == "consent_revoked"  # read from the database, not the cache
