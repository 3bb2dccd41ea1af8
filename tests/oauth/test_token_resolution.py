import pytest
from django.test import override_settings

from apps.core.errors import InvalidToken
from apps.oauth.authentication import resolve_token
from apps.oauth.models import Consent
from tests.factories import customer_token, make_account, make_customer

pytestmark = pytest.mark.django_db


def test_customer_token_resolves_with_its_consent() -> None:
    customer = make_customer()
    account = make_account(customer)
    token = customer_token(customer, accounts=[account])
    info = resolve_token(token.raw)
    assert info.customer_id == customer.id
    assert info.consent_account_ids == (account.id,)
    assert info.allow_scopes(["accounts"])


def test_revoked_consent_stops_the_token_with_a_clear_code() -> None:
    customer = make_customer()
    token = customer_token(customer)
    Consent.objects.filter(pk=token.consent.pk).update(status=Consent.Status.REVOKED)
    with pytest.raises(InvalidToken) as caught:
        resolve_token(token.raw)
    assert caught.value.code == "consent_revoked"


@override_settings(TOKEN_CACHE_SECONDS=60)
def test_cached_token_costs_no_query(django_assert_num_queries) -> None:
    customer = make_customer()
    token = customer_token(customer)
    resolve_token(token.raw)
    with django_assert_num_queries(0):
        resolve_token(token.raw)


def test_unknown_token_is_rejected() -> None:
    with pytest.raises(InvalidToken):
        resolve_token("not-a-token")
