from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.credit_application import CreditApplication
from ...models.credit_application_create_request import CreditApplicationCreateRequest
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: CreditApplicationCreateRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/credit-applications",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreditApplication | Problem | None:
    if response.status_code == 201:
        response_201 = CreditApplication.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CreditApplication | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreditApplicationCreateRequest,
    idempotency_key: str,
) -> Response[CreditApplication | Problem]:
    """Apply for an SME credit line (business customers)

     The bank's risk engine decides at once: `approved` (a credit line is opened), `referred` (to a
    credit officer) or `declined`. Errors: 422 `business_customer_required`, `amount_out_of_range`,
    `not_invited`, `currency_mismatch`, `kyc_not_verified`; 409 `credit_line_exists`.

    Args:
        idempotency_key (str):
        body (CreditApplicationCreateRequest): An SME credit application, decided at once by the
            risk engine.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreditApplication | Problem]
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
    body: CreditApplicationCreateRequest,
    idempotency_key: str,
) -> CreditApplication | Problem | None:
    """Apply for an SME credit line (business customers)

     The bank's risk engine decides at once: `approved` (a credit line is opened), `referred` (to a
    credit officer) or `declined`. Errors: 422 `business_customer_required`, `amount_out_of_range`,
    `not_invited`, `currency_mismatch`, `kyc_not_verified`; 409 `credit_line_exists`.

    Args:
        idempotency_key (str):
        body (CreditApplicationCreateRequest): An SME credit application, decided at once by the
            risk engine.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreditApplication | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreditApplicationCreateRequest,
    idempotency_key: str,
) -> Response[CreditApplication | Problem]:
    """Apply for an SME credit line (business customers)

     The bank's risk engine decides at once: `approved` (a credit line is opened), `referred` (to a
    credit officer) or `declined`. Errors: 422 `business_customer_required`, `amount_out_of_range`,
    `not_invited`, `currency_mismatch`, `kyc_not_verified`; 409 `credit_line_exists`.

    Args:
        idempotency_key (str):
        body (CreditApplicationCreateRequest): An SME credit application, decided at once by the
            risk engine.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreditApplication | Problem]
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
    body: CreditApplicationCreateRequest,
    idempotency_key: str,
) -> CreditApplication | Problem | None:
    """Apply for an SME credit line (business customers)

     The bank's risk engine decides at once: `approved` (a credit line is opened), `referred` (to a
    credit officer) or `declined`. Errors: 422 `business_customer_required`, `amount_out_of_range`,
    `not_invited`, `currency_mismatch`, `kyc_not_verified`; 409 `credit_line_exists`.

    Args:
        idempotency_key (str):
        body (CreditApplicationCreateRequest): An SME credit application, decided at once by the
            risk engine.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreditApplication | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
