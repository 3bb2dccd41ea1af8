"""Walk every URL of the API and prove each method rejects: no token (401), a token without
the needed scope (403), and another owner's objects (404, never 403, so existence does not
leak). New endpoints are covered without anyone remembering to add them: an endpoint with
path parameters fails here until tests/contract/ownership.py says how to make its objects.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.contract.declared import undeclared
from tests.contract.ownership import ALL_SCOPES, OWNERSHIP, World, build_world

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Endpoint:
    route: str
    name: str
    view: Any
    method: str

    def __str__(self) -> str:
        return f"{self.method.upper()} /{self.route} ({self.name})"


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def api_endpoints() -> list[Endpoint]:
    endpoints = []
    for route, pattern in _walk(get_resolver()):
        if not route.startswith("api/v1/"):
            continue
        view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
        if view is None:
            continue
        for method in METHODS:
            if hasattr(view, method):
                endpoints.append(Endpoint(route, pattern.name or route, view, method))
    return endpoints


ENDPOINTS = api_endpoints()
ENDPOINT_IDS = [str(e) for e in ENDPOINTS]


def _path(route: str, kwargs: dict[str, str]) -> str:
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    return "/" + path


def _params(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def _template(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _call(client: Any, endpoint: Endpoint, path: str, token: str | None) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": "walker-key-1"}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    response = getattr(client, endpoint.method)(path, data={}, format="json", **headers)
    # Whatever the walk provokes (401, 403, 404, a 400 for the empty body...) is in the contract.
    problem = undeclared(response, _template(endpoint.route), endpoint.method)
    assert problem is None, problem
    return response


def test_the_api_has_endpoints() -> None:
    assert len(ENDPOINTS) >= 5


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_rejects_missing_token(endpoint: Endpoint, world: World, api_client: Any) -> None:
    kwargs = OWNERSHIP[endpoint.name].own(world) if _params(endpoint.route) else {}
    response = _call(api_client, endpoint, _path(endpoint.route, kwargs), None)
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "authentication_required"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_rejects_wrong_scope(endpoint: Endpoint, world: World, api_client: Any) -> None:
    required = endpoint.view.required_alternate_scopes.get(endpoint.method.upper())
    assert required, f"{endpoint} declares no scopes for {endpoint.method.upper()}"
    allowed = {scope for group in required for scope in group}
    other_scopes = sorted(ALL_SCOPES - allowed)
    kind = OWNERSHIP[endpoint.name].caller if endpoint.name in OWNERSHIP else "customer"
    token = world.token(kind, scope=" ".join(other_scopes))
    kwargs = OWNERSHIP[endpoint.name].own(world) if _params(endpoint.route) else {}
    response = _call(api_client, endpoint, _path(endpoint.route, kwargs), token)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if _params(e.route)], ids=[str(e) for e in ENDPOINTS if _params(e.route)]
)
def test_another_owners_object_is_not_found(endpoint: Endpoint, world: World, api_client: Any) -> None:
    assert endpoint.name in OWNERSHIP, f"say in tests/contract/ownership.py how to make objects for {endpoint}"
    rule = OWNERSHIP[endpoint.name]
    required = endpoint.view.required_alternate_scopes[endpoint.method.upper()]
    token = world.token(rule.caller, scope=" ".join(sorted({s for group in required for s in group})))
    own = _call(api_client, endpoint, _path(endpoint.route, rule.own(world)), token)
    assert own.status_code != 404, f"the caller's own object must be found: {own.content!r}"
    others = _call(api_client, endpoint, _path(endpoint.route, rule.other(world)), token)
    assert others.status_code == 404, others.content
    assert others.json()["code"] == "not_found"
