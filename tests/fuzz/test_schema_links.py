"""The OpenAPI links (apps/core/schema_links.py) lead somewhere real.

Checked on the committed openapi/openapi.yaml (tests/contract/test_openapi.py keeps it equal
to what the code generates): each link targets an existing operation, fills exactly that
operation's path parameters, and reads a field the source response really has.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from apps.core.schema_links import LINKS, postprocess_links

SCHEMA = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi" / "openapi.yaml").read_text())
OPERATIONS = {op["operationId"]: op for item in SCHEMA["paths"].values() for op in item.values() if "operationId" in op}


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node or "allOf" in node:
        if "$ref" in node:
            node = SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        else:
            node = node["allOf"][0]
    return node


def _field_at(schema: dict[str, Any], pointer: str) -> dict[str, Any]:
    """The schema of the value a JSON pointer reads from a body of `schema` (array indices included)."""
    node = _resolve(schema)
    for part in pointer.strip("/").split("/"):
        if part.isdigit():
            assert node.get("type") == "array", f"{pointer}: {part} indexes a non-array"
            node = _resolve(node["items"])
        else:
            assert part in node.get("properties", {}), f"{pointer}: no property {part!r}"
            node = _resolve(node["properties"][part])
    return node


def _declared_links() -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (source, status, name, link)
        for source, op in OPERATIONS.items()
        for status, response in op["responses"].items()
        for name, link in (response.get("links") or {}).items()
    ]


def test_the_brief_s_chains_are_linked() -> None:
    targets = {(source, link["operationId"]) for source, _, _, link in _declared_links()}
    for chain in [("consents_create", "consents_retrieve"), ("payments_create", "payments_retrieve"),
                  ("credit_lines_drawdown", "loans_retrieve"), ("credit_lines_drawdown", "loans_schedule"),
                  ("loans_repay", "loans_retrieve")]:
        assert chain in targets, f"no OpenAPI link {chain[0]} -> {chain[1]}"
    assert len(_declared_links()) == sum(len(v) for v in LINKS.values())


@pytest.mark.parametrize(("source", "status", "name", "link"), _declared_links(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_link_fills_the_target_s_path_parameters_from_a_real_field(source: str, status: str, name: str,
                                                                   link: dict[str, Any]) -> None:
    target = OPERATIONS[link["operationId"]]
    path_parameters = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
    assert set(link["parameters"]) == path_parameters, f"{name}: fills {set(link['parameters'])}, needs {path_parameters}"
    body = OPERATIONS[source]["responses"][status]["content"]["application/json"]["schema"]
    for expression in link["parameters"].values():
        prefix = "$response.body#"
        assert expression.startswith(prefix), expression
        assert _field_at(body, expression[len(prefix):]).get("type") == "string", f"{name}: {expression} is not an id"


def test_a_link_to_a_vanished_operation_fails_the_schema_build() -> None:
    schema = {"paths": {"/x": {"post": {"operationId": "consents_create", "responses": {"201": {}}}}}}
    with pytest.raises(ValueError, match="consents_list|consents_retrieve"):
        postprocess_links(schema, None, None, True)
