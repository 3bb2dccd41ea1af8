from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.payment import Payment
from ...models.payment_create_request import PaymentCreateRequest
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: PaymentCreateRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/payments",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Payment | Problem | None:
    if response.status_code == 201:
        response_201 = Payment.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Payment | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PaymentCreateRequest,
    idempotency_key: str,
) -> Response[Payment | Problem]:
    """Make the payment a payment consent authorises

     The token must be bound to an authorised payment consent, and the body must match it exactly
    (`payment_does_not_match_consent`). The consent is consumed by the payment. Only customers whose
    identity check is verified may pay (`kyc_not_verified`). Refusals (`insufficient_funds`,
    `account_frozen`, `creditor_account_not_found`, …) write nothing.

    Args:
        idempotency_key (str):
        body (PaymentCreateRequest): The one payment a payment consent authorises, exactly as
            consented.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Payment | Problem]
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
    body: PaymentCreateRequest,
    idempotency_key: str,
) -> Payment | Problem | None:
    """Make the payment a payment consent authorises

     The token must be bound to an authorised payment consent, and the body must match it exactly
    (`payment_does_not_match_consent`). The consent is consumed by the payment. Only customers whose
    identity check is verified may pay (`kyc_not_verified`). Refusals (`insufficient_funds`,
    `account_frozen`, `creditor_account_not_found`, …) write nothing.

    Args:
        idempotency_key (str):
        body (PaymentCreateRequest): The one payment a payment consent authorises, exactly as
            consented.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Payment | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PaymentCreateRequest,
    idempotency_key: str,
) -> Response[Payment | Problem]:
    """Make the payment a payment consent authorises

     The token must be bound to an authorised payment consent, and the body must match it exactly
    (`payment_does_not_match_consent`). The consent is consumed by the payment. Only customers whose
    identity check is verified may pay (`kyc_not_verified`). Refusals (`insufficient_funds`,
    `account_frozen`, `creditor_account_not_found`, …) write nothing.

    Args:
        idempotency_key (str):
        body (PaymentCreateRequest): The one payment a payment consent authorises, exactly as
            consented.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Payment | Problem]
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
    body: PaymentCreateRequest,
    idempotency_key: str,
) -> Payment | Problem | None:
    """Make the payment a payment consent authorises

     The token must be bound to an authorised payment consent, and the body must match it exactly
    (`payment_does_not_match_consent`). The consent is consumed by the payment. Only customers whose
    identity check is verified may pay (`kyc_not_verified`). Refusals (`insufficient_funds`,
    `account_frozen`, `creditor_account_not_found`, …) write nothing.

    Args:
        idempotency_key (str):
        body (PaymentCreateRequest): The one payment a payment consent authorises, exactly as
            consented.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Payment | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
