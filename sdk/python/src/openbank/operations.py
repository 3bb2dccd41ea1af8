"""Helpers for the generated operations (``openbank._generated.api.<tag>.<operation_id>``).

Each generated operation module has ``sync_detailed(client=..., **params)`` returning a
``Response[Model | Problem]``. Two things partners should not write themselves:

* :func:`unwrap` returns the parsed model of a 2xx response and raises the typed
  :class:`~openbank.errors.APIError` subclass (with ``code``, ``request_id``, ``errors``)
  for a 4xx/5xx, instead of handing back a ``Problem`` object to check;
* :func:`iterate_operation` / :func:`aiterate_operation` walk every item of a list
  operation, following ``next_cursor`` for you, with the item type inferred from the
  operation (``Iterator[Consent]`` for ``consents_list.sync_detailed``).

::

    from openbank import OpenBank
    from openbank._generated.api.consents import consents_create, consents_list
    from openbank._generated.models import AccountAccessConsentCreateRequest

    with OpenBank(url, client_id, client_secret, scope="accounts") as ob:
        consent = ob.call(consents_create.sync_detailed, body=AccountAccessConsentCreateRequest(...))
        for c in ob.iterate(consents_list.sync_detailed, limit=100):
            print(c.id, c.status)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, AsyncIterator, Awaitable, Callable, Iterator, Protocol, Sequence, TypeVar

import httpx

from .errors import APIError, error_from_response
from .pagination import aiterate, iterate

if TYPE_CHECKING:  # the generated error model: what unwrap() turns into an exception
    from ._generated.models.problem import Problem

__all__ = ["unwrap", "iterate_operation", "aiterate_operation", "DetailedResponse", "PageLike"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class DetailedResponse(Protocol[T_co]):
    """What ``sync_detailed`` returns (``openbank._generated.types.Response``)."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    @property
    def headers(self) -> Any: ...

    @property
    def parsed(self) -> T_co | None: ...


class PageLike(Protocol[T_co]):
    @property
    def data(self) -> Sequence[T_co]: ...

    @property
    def has_more(self) -> object: ...

    @property
    def next_cursor(self) -> object: ...


def _error(response: DetailedResponse[Any]) -> APIError:
    raw = httpx.Response(int(response.status_code), headers=dict(response.headers), content=response.content)
    return error_from_response(raw)


def unwrap(response: "DetailedResponse[T | Problem]") -> T:
    """The parsed body of a 2xx response; a typed :class:`APIError` for anything else.

    The ``Problem`` model the generator declares for error statuses is never returned:
    the error is raised with the problem's ``code``, ``detail``, ``request_id`` and
    ``errors``. A 2xx without a body (e.g. 204) returns ``None``.
    """
    if int(response.status_code) >= 400:
        raise _error(response)
    if int(response.status_code) >= 300:  # never expected from the API (redirects are not followed)
        raise _error(response)
    parsed = response.parsed
    return parsed  # type: ignore[return-value]


def _unwrap_page(response: DetailedResponse[Any]) -> Any:
    page = unwrap(response)
    if page is None:
        raise _error(response)
    return page


def iterate_operation(
    operation: "Callable[..., DetailedResponse[PageLike[T] | Problem]]", /, **params: Any
) -> Iterator[T]:
    """Every item of a generated list operation across all pages (``cursor`` handled here).

    ``operation`` is a generated ``sync_detailed`` function; ``params`` are its keyword
    arguments (``client=`` included, or use :meth:`OpenBank.iterate`).
    """
    from ._generated.types import UNSET

    def fetch(cursor: str | None) -> Any:
        return _unwrap_page(operation(**params, cursor=cursor if cursor else UNSET))

    return iterate(fetch)


def aiterate_operation(
    operation: "Callable[..., Awaitable[DetailedResponse[PageLike[T] | Problem]]]", /, **params: Any
) -> AsyncIterator[T]:
    """Async twin of :func:`iterate_operation` for ``asyncio_detailed`` functions."""
    from ._generated.types import UNSET

    async def fetch(cursor: str | None) -> Any:
        return _unwrap_page(await operation(**params, cursor=cursor if cursor else UNSET))

    return aiterate(fetch)

