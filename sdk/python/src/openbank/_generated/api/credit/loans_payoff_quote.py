import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.payoff_quote import PayoffQuote
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    loan_id: str,
    *,
    date: datetime.date | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_date: str | Unset = UNSET
    if not isinstance(date, Unset):
        json_date = date.isoformat()
    params["date"] = json_date

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/loans/{loan_id}/payoff-quote".format(
            loan_id=quote(str(loan_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PayoffQuote | Problem | None:
    if response.status_code == 200:
        response_200 = PayoffQuote.from_dict(response.json())

        return response_200

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
) -> Response[PayoffQuote | Problem]:
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
    date: datetime.date | Unset = UNSET,
) -> Response[PayoffQuote | Problem]:
    """What it costs to repay the loan in full on a date (interest to the day, no fee)

    Args:
        loan_id (str):
        date (datetime.date | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PayoffQuote | Problem]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        date=date,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    loan_id: str,
    *,
    client: AuthenticatedClient,
    date: datetime.date | Unset = UNSET,
) -> PayoffQuote | Problem | None:
    """What it costs to repay the loan in full on a date (interest to the day, no fee)

    Args:
        loan_id (str):
        date (datetime.date | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PayoffQuote | Problem
    """

    return sync_detailed(
        loan_id=loan_id,
        client=client,
        date=date,
    ).parsed


async def asyncio_detailed(
    loan_id: str,
    *,
    client: AuthenticatedClient,
    date: datetime.date | Unset = UNSET,
) -> Response[PayoffQuote | Problem]:
    """What it costs to repay the loan in full on a date (interest to the day, no fee)

    Args:
        loan_id (str):
        date (datetime.date | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PayoffQuote | Problem]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        date=date,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    loan_id: str,
    *,
    client: AuthenticatedClient,
    date: datetime.date | Unset = UNSET,
) -> PayoffQuote | Problem | None:
    """What it costs to repay the loan in full on a date (interest to the day, no fee)

    Args:
        loan_id (str):
        date (datetime.date | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PayoffQuote | Problem
    """

    return (
        await asyncio_detailed(
            loan_id=loan_id,
            client=client,
            date=date,
        )
    ).parsed
