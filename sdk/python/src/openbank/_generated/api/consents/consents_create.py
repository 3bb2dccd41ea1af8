from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.account_access_consent_create_request import AccountAccessConsentCreateRequest
from ...models.consent import Consent
from ...models.payment_consent_create_request import PaymentConsentCreateRequest
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: AccountAccessConsentCreateRequest | PaymentConsentCreateRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/consents",
    }

    if isinstance(body, AccountAccessConsentCreateRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Consent | Problem | None:
    if response.status_code == 201:
        response_201 = Consent.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Consent | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: AccountAccessConsentCreateRequest | PaymentConsentCreateRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Consent | Problem]:
    """Ask for a consent (account access or one payment)

     Needs a client-credentials token with scope `accounts` (account access) or `payments` (payment).
    Then send the customer to `/oauth/authorize/` with `consent_id`, PKCE (S256) and the matching scope.

    Args:
        idempotency_key (str | Unset):
        body (AccountAccessConsentCreateRequest | PaymentConsentCreateRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Consent | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: AccountAccessConsentCreateRequest | PaymentConsentCreateRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Consent | Problem | None:
    """Ask for a consent (account access or one payment)

     Needs a client-credentials token with scope `accounts` (account access) or `payments` (payment).
    Then send the customer to `/oauth/authorize/` with `consent_id`, PKCE (S256) and the matching scope.

    Args:
        idempotency_key (str | Unset):
        body (AccountAccessConsentCreateRequest | PaymentConsentCreateRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Consent | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: AccountAccessConsentCreateRequest | PaymentConsentCreateRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Consent | Problem]:
    """Ask for a consent (account access or one payment)

     Needs a client-credentials token with scope `accounts` (account access) or `payments` (payment).
    Then send the customer to `/oauth/authorize/` with `consent_id`, PKCE (S256) and the matching scope.

    Args:
        idempotency_key (str | Unset):
        body (AccountAccessConsentCreateRequest | PaymentConsentCreateRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Consent | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: AccountAccessConsentCreateRequest | PaymentConsentCreateRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Consent | Problem | None:
    """Ask for a consent (account access or one payment)

     Needs a client-credentials token with scope `accounts` (account access) or `payments` (payment).
    Then send the customer to `/oauth/authorize/` with `consent_id`, PKCE (S256) and the matching scope.

    Args:
        idempotency_key (str | Unset):
        body (AccountAccessConsentCreateRequest | PaymentConsentCreateRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Consent | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
