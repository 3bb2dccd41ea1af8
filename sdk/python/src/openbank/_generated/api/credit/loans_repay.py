from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.repayment import Repayment
from ...models.repayment_create_request import RepaymentCreateRequest
from ...types import Response


def _get_kwargs(
    loan_id: str,
    *,
    body: RepaymentCreateRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/loans/{loan_id}/repayments".format(
            loan_id=quote(str(loan_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Repayment | None:
    if response.status_code == 201:
        response_201 = Repayment.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | Repayment]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    loan_id: str,
    *,
    client: AuthenticatedClient,
    body: RepaymentCreateRequest,
    idempotency_key: str,
) -> Response[Problem | Repayment]:
    """Repay any amount up to everything owed

     Allocated to penalty, overdue interest, overdue principal, current interest, current principal, then
    principal not yet due (a prepayment keeps the term and lowers the remaining installments; paying
    everything closes the loan). Debits the loan's deposit account, which the consent must share.
    Errors: 422 `repayment_exceeds_outstanding`, `insufficient_funds`, `currency_mismatch`,
    `deposit_account_not_in_consent`, `kyc_not_verified`; 409 `loan_not_active`,
    `business_date_before_last_accrual`.

    Args:
        loan_id (str):
        idempotency_key (str):
        body (RepaymentCreateRequest): A repayment from the loan's deposit account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Repayment]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    loan_id: str,
    *,
    client: AuthenticatedClient,
    body: RepaymentCreateRequest,
    idempotency_key: str,
) -> Problem | Repayment | None:
    """Repay any amount up to everything owed

     Allocated to penalty, overdue interest, overdue principal, current interest, current principal, then
    principal not yet due (a prepayment keeps the term and lowers the remaining installments; paying
    everything closes the loan). Debits the loan's deposit account, which the consent must share.
    Errors: 422 `repayment_exceeds_outstanding`, `insufficient_funds`, `currency_mismatch`,
    `deposit_account_not_in_consent`, `kyc_not_verified`; 409 `loan_not_active`,
    `business_date_before_last_accrual`.

    Args:
        loan_id (str):
        idempotency_key (str):
        body (RepaymentCreateRequest): A repayment from the loan's deposit account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Repayment
    """

    return sync_detailed(
        loan_id=loan_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    loan_id: str,
    *,
    client: AuthenticatedClient,
    body: RepaymentCreateRequest,
    idempotency_key: str,
) -> Response[Problem | Repayment]:
    """Repay any amount up to everything owed

     Allocated to penalty, overdue interest, overdue principal, current interest, current principal, then
    principal not yet due (a prepayment keeps the term and lowers the remaining installments; paying
    everything closes the loan). Debits the loan's deposit account, which the consent must share.
    Errors: 422 `repayment_exceeds_outstanding`, `insufficient_funds`, `currency_mismatch`,
    `deposit_account_not_in_consent`, `kyc_not_verified`; 409 `loan_not_active`,
    `business_date_before_last_accrual`.

    Args:
        loan_id (str):
        idempotency_key (str):
        body (RepaymentCreateRequest): A repayment from the loan's deposit account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Repayment]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    loan_id: str,
    *,
    client: AuthenticatedClient,
    body: RepaymentCreateRequest,
    idempotency_key: str,
) -> Problem | Repayment | None:
    """Repay any amount up to everything owed

     Allocated to penalty, overdue interest, overdue principal, current interest, current principal, then
    principal not yet due (a prepayment keeps the term and lowers the remaining installments; paying
    everything closes the loan). Debits the loan's deposit account, which the consent must share.
    Errors: 422 `repayment_exceeds_outstanding`, `insufficient_funds`, `currency_mismatch`,
    `deposit_account_not_in_consent`, `kyc_not_verified`; 409 `loan_not_active`,
    `business_date_before_last_accrual`.

    Args:
        loan_id (str):
        idempotency_key (str):
        body (RepaymentCreateRequest): A repayment from the loan's deposit account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Repayment
    """

    return (
        await asyncio_detailed(
            loan_id=loan_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
