"""The Python SDK against the live platform: real HTTP, real OAuth, the generated client.

Server to server (client credentials, consents, auto-pagination), a third-party app
(PKCE with the bank's consent page driven by a plain HTTP client, code exchange, refresh),
and typed errors carrying the platform's problem details.
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
from typing import Any

import httpx
import pytest

from tests.sdk.conftest import authorize_in_browser
from tests.sdk.live_server import LivePlatform
from tests.sdk.missing import missing

pytestmark = pytest.mark.sdk


def _op(name: str) -> Any:
    """A generated operation module by operation id, or a skip (a failure under CI=true) naming what is missing."""
    import openbank._generated.api as api_pkg

    for tag in sorted(p.name for p in importlib.resources.files(api_pkg).iterdir() if p.is_dir() and p.name != "__pycache__"):
        try:
            return importlib.import_module(f"openbank._generated.api.{tag}.{name}")
        except ModuleNotFoundError:
            continue
    missing(f"operation {name} is not in the generated client yet (make sdk after the endpoint lands)")


def _body_type(operation: Any) -> Any:
    """The generated request model an operation takes as `body` (whatever the component is called)."""
    import typing

    return typing.get_type_hints(operation.sync_detailed)["body"]


def _consent_body(**overrides: Any) -> Any:
    from openbank._generated.models import AccountAccessConsentCreateRequest, PaymentConsentCreateRequest

    body = {
        "kind": "account_access",
        "permissions": ["read_accounts", "read_balances", "read_transactions"],
        "expires_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat(),
    }
    body.update(overrides)
    body = {k: v for k, v in body.items() if v is not None}
    model = PaymentConsentCreateRequest if body["kind"] == "payment" else AccountAccessConsentCreateRequest
    return model.from_dict(body)


def _client(live: LivePlatform, scope: str = "accounts") -> Any:
    from openbank import OpenBank

    return OpenBank(live.url, live.third_party["client_id"], live.third_party["client_secret"], scope=scope)


def test_client_credentials_create_and_auto_paginate_consents(live: LivePlatform) -> None:
    from openbank import iterate_operation

    consents_create, consents_list = _op("consents_create"), _op("consents_list")
    tokens_before = live.log().count('"POST /oauth/token/')
    with _client(live) as ob:
        created = [ob.call(consents_create.sync_detailed, body=_consent_body()) for _ in range(23)]
        assert all(c.id.startswith("cns_") and c.status == "awaiting_authorisation" for c in created)

        # The default page is 20: more than one page, no cursor handling in the caller.
        first_page = ob.call(consents_list.sync_detailed)
        assert len(first_page.data) == 20 and first_page.has_more and first_page.next_cursor

        listed = list(ob.iterate(consents_list.sync_detailed))
        ids = [c.id for c in listed]
        assert set(c.id for c in created) <= set(ids)
        assert len(ids) == len(set(ids)), "a consent was listed twice across pages"

        # Small pages, the module-level helper, and the generated `.sync()` style with ob.api.
        small = list(iterate_operation(consents_list.sync_detailed, client=ob.api, limit=7))
        assert [c.id for c in small] == ids
        one = consents_list.sync(client=ob.api, limit=1)
        assert one.data[0].id == ids[0]
    # One token for all of it (27 API calls): fetched once, cached by the SDK.
    assert live.log().count('"POST /oauth/token/') - tokens_before == 1


def test_generated_calls_raise_typed_errors_with_problem_details(live: LivePlatform) -> None:
    from openbank import NotFoundError, OpenBank, ValidationError

    consents_create, consents_retrieve = _op("consents_create"), _op("consents_retrieve")
    with _client(live) as ob:
        with pytest.raises(NotFoundError) as missing:
            ob.call(consents_retrieve.sync_detailed, consent_id="cns_01M00000000000000000000000")
        assert missing.value.status == 404
        assert missing.value.code in {"consent_not_found", "not_found"}
        assert missing.value.request_id
        assert missing.value.type == f"/developers#error-{missing.value.code}"

        with pytest.raises(ValidationError) as invalid:
            ob.call(consents_create.sync_detailed, body=_consent_body(permissions=[]))
        assert invalid.value.status == 400 and invalid.value.code
        assert invalid.value.type == f"/developers#error-{invalid.value.code}"
        assert invalid.value.errors and all(e.field and e.code for e in invalid.value.errors)

    from openbank import AuthenticationError

    with OpenBank(live.url, token="not-a-real-token") as anonymous:
        with pytest.raises(AuthenticationError) as denied:
            anonymous.call(_op("consents_list").sync_detailed)
        assert denied.value.status == 401


def _authorize(live: LivePlatform, scope: str, consent_body: dict[str, Any], *,
               choose_accounts: int | None = None) -> tuple[Any, Any, str]:
    """Consent (client credentials) -> bank page (customer) -> code exchange; returns (tokens, consent, url)."""
    from openbank import create_authorization_request, exchange_code, parse_authorization_response

    third_party = live.third_party
    with _client(live, scope) as ob:
        consent = ob.call(_op("consents_create").sync_detailed, body=_consent_body(**consent_body))
    request = create_authorization_request(
        live.url, third_party["client_id"], third_party["redirect_uri"], scope.split(), consent_id=consent.id
    )
    redirect = authorize_in_browser(live, request.url, third_party["redirect_uri"], choose_accounts=choose_accounts)
    response = parse_authorization_response(redirect, expected_state=request.state, expected_issuer=live.url)
    tokens = exchange_code(live.url, third_party["client_id"], response.code, third_party["redirect_uri"],
                           request.code_verifier, client_secret=third_party["client_secret"])
    assert tokens.access_token and tokens.refresh_token
    return tokens, consent, redirect


def _user(live: LivePlatform, tokens: Any, rotated: list[str] | None = None, *, expired: bool = False,
          **options: Any) -> Any:
    from openbank import OpenBank, RefreshingUserToken

    third_party = live.third_party
    auth = RefreshingUserToken(
        live.url + "/oauth/token/", third_party["client_id"], tokens.access_token, tokens.refresh_token,
        expires_at=0 if expired else tokens.expires_at, client_secret=third_party["client_secret"],
        on_refresh=(lambda t: rotated.append(t.refresh_token or "")) if rotated is not None else None,
    )
    return OpenBank(live.url, token=auth, **options)


def test_third_party_pkce_flow_with_the_consent_page(live: LivePlatform) -> None:
    from decimal import Decimal

    from openbank import NotFoundError

    tokens, consent, _ = _authorize(live, "accounts", {}, choose_accounts=1)
    with _client(live) as ob:
        authorised = ob.call(_op("consents_retrieve").sync_detailed, consent_id=consent.id)
    assert authorised.status == "authorised"
    assert authorised.account_ids == [live.customer()["accounts"][0]]

    rotated: list[str] = []
    with _user(live, tokens, rotated, expired=True) as user:
        # The access token is treated as expired: the SDK refreshes first (refresh tokens rotate).
        accounts = list(user.iterate(_op("accounts_list").sync_detailed))
        assert rotated and rotated[0] != tokens.refresh_token
        assert [a.id for a in accounts] == authorised.account_ids
        account_id = accounts[0].id

        account = user.call(_op("accounts_retrieve").sync_detailed, account_id=account_id)
        assert account.id == account_id and account.account_number
        balances = user.call(_op("accounts_balances").sync_detailed, account_id=account_id)
        assert balances.to_dict()  # typed model of the balances
        transactions = list(user.iterate(_op("accounts_transactions").sync_detailed, account_id=account_id, limit=1))
        assert transactions, "the seeded opening deposit is a transaction"
        assert all(Decimal(t.amount.amount) != 0 for t in transactions)
        # An account the customer did not share answers 404, never 403.
        with pytest.raises(NotFoundError):
            user.call(_op("accounts_retrieve").sync_detailed, account_id=live.customer()["accounts"][1])


def test_payment_with_idempotent_replay(live: LivePlatform) -> None:
    import uuid

    from openbank import ValidationError

    # The customer's savings account number, read through an account-access consent on both accounts.
    account_tokens, _, _ = _authorize(live, "accounts", {})
    with _user(live, account_tokens) as reader:
        accounts = {a.id: a for a in reader.iterate(_op("accounts_list").sync_detailed)}
    debtor_id, savings_id = live.customer()["accounts"]
    creditor_number = accounts[savings_id].account_number

    amount = {"amount": "12.34", "currency": "CNY"}
    tokens, consent, _ = _authorize(live, "payments", {
        "kind": "payment", "permissions": None, "expires_at": None, "amount": amount,
        "creditor_account_number": creditor_number, "creditor_name": "Zhang Wei", "reference": "sdk e2e",
    })
    from openbank import OpenBank
    from openbank._generated.models import PaymentCreateRequest

    body = PaymentCreateRequest.from_dict({"consent_id": consent.id, "amount": amount,
                                           "creditor_account_number": creditor_number, "reference": "sdk e2e"})
    key = str(uuid.uuid4())
    payments_create = _op("payments_create")
    # A payment consent is used once: its access token is all the app needs (no refresh token use).
    with OpenBank(live.url, token=tokens.access_token) as user:
        first = payments_create.sync_detailed(client=user.api, body=body, idempotency_key=key)
        assert first.status_code == 201, first.content
        assert first.headers.get("Idempotent-Replayed") in (None, "false")
        payment = first.parsed
        assert payment.debtor_account_id == debtor_id and payment.amount.amount == "12.34"

        with _user(live, account_tokens) as reader:
            fetched = reader.call(_op("payments_retrieve").sync_detailed, payment_id=payment.id)
            assert fetched.id == payment.id and fetched.status == payment.status
            debits = [t for t in reader.iterate(_op("accounts_transactions").sync_detailed, account_id=debtor_id)
                      if t.amount.amount in ("12.34", "-12.34")]
            assert debits, "the payment shows in the debtor account's transactions"

        # A retry after a lost response: same key, same body -> the first response, replayed.
        replay = payments_create.sync_detailed(client=user.api, body=body, idempotency_key=key)
        assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
        assert replay.parsed.id == payment.id and json.loads(replay.content) == json.loads(first.content)

        other = PaymentCreateRequest.from_dict({**body.to_dict(), "reference": "another body"})
        with pytest.raises(ValidationError) as reused:
            user.call(payments_create.sync_detailed, body=other, idempotency_key=key)
        assert reused.value.status == 422 and reused.value.code == "idempotency_key_reused"


def test_credit_drawdown_schedule_and_repayment(live: LivePlatform) -> None:
    import uuid
    from decimal import Decimal

    if not live.customer().get("credit_lines"):
        pytest.skip("the seed gives the demo customer no credit line")
    _op("credit_lines_drawdown")
    tokens, consent, _ = _authorize(live, "accounts credit", {
        "permissions": ["read_accounts", "read_balances", "read_transactions", "read_credit", "manage_credit"],
    }, choose_accounts=1)
    with _user(live, tokens) as user:
        lines = list(user.iterate(_op("credit_lines_list").sync_detailed))
        assert [line.id for line in lines] == live.customer()["credit_lines"]
        line = lines[0]
        drawdown_op, repay_op = _op("credit_lines_drawdown"), _op("loans_repay")
        drawdown = _body_type(drawdown_op).from_dict({
            "amount": {"amount": "1000.00", "currency": line.limit.currency},
            "deposit_account_id": consent.account_ids[0] if consent.account_ids else live.customer()["accounts"][0],
            "repayment_method": str(line.allowed_methods[0]),
            "term_months": int(line.allowed_terms[0]),
        })
        loan = user.call(_op("credit_lines_drawdown").sync_detailed, line_id=line.id, body=drawdown,
                         idempotency_key=str(uuid.uuid4()))
        assert loan.principal.amount == "1000.00" and loan.credit_line_id == line.id

        schedule = user.call(_op("loans_schedule").sync_detailed, loan_id=loan.id)
        assert len(schedule.installments) == loan.term_months
        assert sum(Decimal(i.principal.amount) for i in schedule.installments) == Decimal("1000.00")

        repayment = user.call(_op("loans_repay").sync_detailed, loan_id=loan.id, idempotency_key=str(uuid.uuid4()),
                              body=_body_type(repay_op).from_dict({"amount": {"amount": "100.00",
                                                                                 "currency": line.limit.currency}}))
        assert repayment.loan_id == loan.id and repayment.amount.amount == "100.00"
        after = user.call(_op("loans_retrieve").sync_detailed, loan_id=loan.id)
        assert Decimal(after.outstanding_principal.amount) < Decimal("1000.00")


def test_async_client_calls_and_iterates(live: LivePlatform) -> None:
    import asyncio

    from openbank import AsyncOpenBank, NotFoundError

    consents_list, consents_retrieve = _op("consents_list"), _op("consents_retrieve")

    async def main() -> tuple[list[str], str]:
        async with AsyncOpenBank(live.url, live.third_party["client_id"], live.third_party["client_secret"],
                                 scope="accounts") as ob:
            ids = [c.id async for c in ob.iterate(consents_list.asyncio_detailed, limit=5)]
            one = await ob.call(consents_retrieve.asyncio_detailed, consent_id=ids[0])
            try:
                await ob.call(consents_retrieve.asyncio_detailed, consent_id="cns_01M00000000000000000000000")
            except NotFoundError as exc:
                return ids, f"{one.id}:{exc.status}"
            raise AssertionError("a missing consent must raise NotFoundError")

    with _client(live) as ob:  # at least one consent to list
        ob.call(_op("consents_create").sync_detailed, body=_consent_body())
    ids, outcome = asyncio.run(main())
    assert ids and len(ids) == len(set(ids))
    assert outcome == f"{ids[0]}:404"


class _Wire(httpx.BaseTransport):
    """The innermost transport: records what really crossed the network (status, If-None-Match)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.seen: list[tuple[str, int, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.seen.append((request.url.path, response.status_code, request.headers.get("if-none-match")))
        return response

    def close(self) -> None:
        self.inner.close()

    def to(self, path: str) -> list[tuple[int, str | None]]:
        return [(status, inm) for p, status, inm in self.seen if p == path]


def test_response_cache_revalidates_transactions_against_the_platform(live: LivePlatform) -> None:
    """With response_cache=True the second read of a statement page is a 304 on the wire and the
    same data for the caller; after a payment the page is read afresh and shows it."""
    import uuid

    from openbank import OpenBank
    from openbank._generated.models import PaymentCreateRequest

    account_tokens, _, _ = _authorize(live, "accounts", {})
    debtor_id, savings_id = live.customer()["accounts"]
    transactions = _op("accounts_transactions")
    path = f"/api/v1/accounts/{debtor_id}/transactions"
    wire = _Wire()
    with _user(live, account_tokens, transport=wire, response_cache=True) as reader:
        first = reader.call(transactions.sync_detailed, account_id=debtor_id)
        second = reader.call(transactions.sync_detailed, account_id=debtor_id)
        assert [status for status, _ in wire.to(path)] == [200, 304], wire.seen
        etag = reader.http.get(path, params={"limit": 20}).headers.get("etag")  # the generated call sends limit=20
        assert wire.to(path)[1][1] == etag and etag, "the stored ETag is what was sent"
        assert second.to_dict() == first.to_dict()
        assert reader.response_cache.revalidated == 2, wire.seen

        creditor_number = reader.call(_op("accounts_retrieve").sync_detailed, account_id=savings_id).account_number
        tokens, consent, _ = _authorize(live, "payments", {
            "kind": "payment", "permissions": None, "expires_at": None, "amount": {"amount": "7.89", "currency": "CNY"},
            "creditor_account_number": creditor_number, "creditor_name": "Zhang Wei", "reference": "sdk cache",
        })
        with OpenBank(live.url, token=tokens.access_token) as payer:
            payment = payer.call(_op("payments_create").sync_detailed, idempotency_key=str(uuid.uuid4()),
                                 body=PaymentCreateRequest.from_dict({
                                     "consent_id": consent.id, "amount": {"amount": "7.89", "currency": "CNY"},
                                     "creditor_account_number": creditor_number, "reference": "sdk cache"}))

        after = reader.call(transactions.sync_detailed, account_id=debtor_id)
        assert wire.to(path)[-1][0] == 200, "a posting moved the ETag: the page is sent again"
        assert wire.to(path)[-1][1] == etag, "... in answer to a revalidation"
        assert [t.id for t in after.data] != [t.id for t in first.data]
        assert any(t.amount.amount in ("7.89", "-7.89") for t in after.data), f"payment {payment.id} not listed"
        again = reader.call(transactions.sync_detailed, account_id=debtor_id)
        assert wire.to(path)[-1][0] == 304 and again.to_dict() == after.to_dict()
