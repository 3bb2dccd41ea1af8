from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.drawdown_create_request import DrawdownCreateRequest
from ...models.loan import Loan
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    line_id: str,
    *,
    body: DrawdownCreateRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/credit-lines/{line_id}/drawdowns".format(
            line_id=quote(str(line_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Loan | Problem | None:
    if response.status_code == 201:
        response_201 = Loan.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Loan | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    line_id: str,
    *,
    client: AuthenticatedClient,
    body: DrawdownCreateRequest,
    idempotency_key: str,
) -> Response[Loan | Problem]:
    """Draw on a credit line

     Creates a loan with its schedule and pays it into the deposit account. Errors: 422
    `credit_limit_exceeded`, `term_not_allowed`, `method_not_allowed_for_product`,
    `amount_out_of_range`, `customer_blacklisted`, `currency_mismatch`,
    `deposit_account_not_in_consent`, `kyc_not_verified`; 409 `credit_line_not_active`.

    Args:
        line_id (str):
        idempotency_key (str):
        body (DrawdownCreateRequest): A drawdown: a new loan on the line, paid into a deposit
            account the consent shares.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Loan | Problem]
    """

    kwargs = _get_kwargs(
        line_id=line_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    line_id: str,
    *,
    client: AuthenticatedClient,
    body: DrawdownCreateRequest,
    idempotency_key: str,
) -> Loan | Problem | None:
    """Draw on a credit line

     Creates a loan with its schedule and pays it into the deposit account. Errors: 422
    `credit_limit_exceeded`, `term_not_allowed`, `method_not_allowed_for_product`,
    `amount_out_of_range`, `customer_blacklisted`, `currency_mismatch`,
    `deposit_account_not_in_consent`, `kyc_not_verified`; 409 `credit_line_not_active`.

    Args:
        line_id (str):
        idempotency_key (str):
        body (DrawdownCreateRequest): A drawdown: a new loan on the line, paid into a deposit
            account the consent shares.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Loan | Problem
    """

    return sync_detailed(
        line_id=line_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    line_id: str,
    *,
    client: AuthenticatedClient,
    body: DrawdownCreateRequest,
    idempotency_key: str,
) -> Response[Loan | Problem]:
    """Draw on a credit line

     Creates a loan with its schedule and pays it into the deposit account. Errors: 422
    `credit_limit_exceeded`, `term_not_allowed`, `method_not_allowed_for_product`,
    `amount_out_of_range`, `customer_blacklisted`, `currency_mismatch`,
    `deposit_account_not_in_consent`, `kyc_not_verified`; 409 `credit_line_not_active`.

    Args:
        line_id (str):
        idempotency_key (str):
        body (DrawdownCreateRequest): A drawdown: a new loan on the line, paid into a deposit
            account the consent shares.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Loan | Problem]
    """

    kwargs = _get_kwargs(
        line_id=line_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    line_id: str,
    *,
    client: AuthenticatedClient,
    body: DrawdownCreateRequest,
    idempotency_key: str,
) -> Loan | Problem | None:
    """Draw on a credit line

     Creates a loan with its schedule and pays it into the deposit account. Errors: 422
    `credit_limit_exceeded`, `term_not_allowed`, `method_not_allowed_for_product`,
    `amount_out_of_range`, `customer_blacklisted`, `currency_mismatch`,
    `deposit_account_not_in_consent`, `kyc_not_verified`; 409 `credit_line_not_active`.

    Args:
        line_id (str):
        idempotency_key (str):
        body (DrawdownCreateRequest): A drawdown: a new loan on the line, paid into a deposit
            account the consent shares.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Loan | Problem
    """

    return (
        await asyncio_detailed(
            line_id=line_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
