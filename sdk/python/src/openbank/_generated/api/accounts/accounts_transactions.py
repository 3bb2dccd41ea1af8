import datetime
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.transaction_list import TransactionList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    account_id: str,
    *,
    booked_from: datetime.date | Unset = UNSET,
    booked_to: datetime.date | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    json_booked_from: str | Unset = UNSET
    if not isinstance(booked_from, Unset):
        json_booked_from = booked_from.isoformat()
    params["booked_from"] = json_booked_from

    json_booked_to: str | Unset = UNSET
    if not isinstance(booked_to, Unset):
        json_booked_to = booked_to.isoformat()
    params["booked_to"] = json_booked_to

    params["cursor"] = cursor

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/accounts/{account_id}/transactions".format(
            account_id=quote(str(account_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | TransactionList | None:
    if response.status_code == 200:
        response_200 = TransactionList.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Problem | TransactionList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient,
    booked_from: datetime.date | Unset = UNSET,
    booked_to: datetime.date | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | Problem | TransactionList]:
    """List an account's transactions, newest first

     Needs the consent permission `read_transactions`. Filters are on the bank's business date,
    inclusive. Conditional: every page has its own `ETag`; `If-None-Match` answers 304 while the account
    has no new booking.

    Args:
        account_id (str):
        booked_from (datetime.date | Unset):
        booked_to (datetime.date | Unset):
        cursor (str | Unset):
        limit (int | Unset):  Default: 20.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | TransactionList]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        booked_from=booked_from,
        booked_to=booked_to,
        cursor=cursor,
        limit=limit,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    *,
    client: AuthenticatedClient,
    booked_from: datetime.date | Unset = UNSET,
    booked_to: datetime.date | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
    if_none_match: str | Unset = UNSET,
) -> Any | Problem | TransactionList | None:
    """List an account's transactions, newest first

     Needs the consent permission `read_transactions`. Filters are on the bank's business date,
    inclusive. Conditional: every page has its own `ETag`; `If-None-Match` answers 304 while the account
    has no new booking.

    Args:
        account_id (str):
        booked_from (datetime.date | Unset):
        booked_to (datetime.date | Unset):
        cursor (str | Unset):
        limit (int | Unset):  Default: 20.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | TransactionList
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        booked_from=booked_from,
        booked_to=booked_to,
        cursor=cursor,
        limit=limit,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient,
    booked_from: datetime.date | Unset = UNSET,
    booked_to: datetime.date | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | Problem | TransactionList]:
    """List an account's transactions, newest first

     Needs the consent permission `read_transactions`. Filters are on the bank's business date,
    inclusive. Conditional: every page has its own `ETag`; `If-None-Match` answers 304 while the account
    has no new booking.

    Args:
        account_id (str):
        booked_from (datetime.date | Unset):
        booked_to (datetime.date | Unset):
        cursor (str | Unset):
        limit (int | Unset):  Default: 20.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | TransactionList]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        booked_from=booked_from,
        booked_to=booked_to,
        cursor=cursor,
        limit=limit,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    *,
    client: AuthenticatedClient,
    booked_from: datetime.date | Unset = UNSET,
    booked_to: datetime.date | Unset = UNSET,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
    if_none_match: str | Unset = UNSET,
) -> Any | Problem | TransactionList | None:
    """List an account's transactions, newest first

     Needs the consent permission `read_transactions`. Filters are on the bank's business date,
    inclusive. Conditional: every page has its own `ETag`; `If-None-Match` answers 304 while the account
    has no new booking.

    Args:
        account_id (str):
        booked_from (datetime.date | Unset):
        booked_to (datetime.date | Unset):
        cursor (str | Unset):
        limit (int | Unset):  Default: 20.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | TransactionList
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            booked_from=booked_from,
            booked_to=booked_to,
            cursor=cursor,
            limit=limit,
            if_none_match=if_none_match,
        )
    ).parsed
