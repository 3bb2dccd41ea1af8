"""Check a JSON response against the committed OpenAPI schema (OpenAPI 3.0 subset we emit).

Views build hot responses as plain dicts for speed; this keeps them honest to the contract:
required keys present, no undocumented keys, enum values known, basic types right.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SCHEMA = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi" / "openapi.yaml").read_text())
_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict, "number": (int, float)}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        merged = dict(_resolve(schema["allOf"][0]))
        merged.update({k: v for k, v in schema.items() if k != "allOf"})
        return merged
    return schema


def response_schema(path_template: str, method: str, status: int) -> dict[str, Any]:
    operation = SCHEMA["paths"][path_template][method]
    return operation["responses"][str(status)]["content"]["application/json"]["schema"]


def conforms(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    schema = _resolve(schema)
    if value is None:
        return [] if schema.get("nullable") else [f"{where}: null but not nullable"]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    expected = schema.get("type")
    if expected and not isinstance(value, _TYPES[expected]) or (expected == "integer" and isinstance(value, bool)):
        return [*problems, f"{where}: expected {expected}, got {type(value).__name__}"]
    if isinstance(value, dict) and "properties" in schema:
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{where}: missing required {key!r}")
        for key, item in value.items():
            if key not in schema["properties"]:
                problems.append(f"{where}: undocumented key {key!r}")
            else:
                problems += conforms(item, schema["properties"][key], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += conforms(item, schema["items"], f"{where}[{index}]")
    return problems
