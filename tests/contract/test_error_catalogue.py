"""One truth for error codes: the /developers catalogue lists every code the code can
raise, with every status it is answered with and a description.

The raise sites are found here independently of apps.developers.catalog: the runtime
PlatformError subclasses, and an ast walk over apps/ for literal `code="..."` given to an
error class (or a problem builder with a literal `status=`).
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import apps
from apps.core.errors import PlatformError
from apps.developers import catalog

APPS = Path(apps.__file__).resolve().parent
SKIP = {"migrations", "tests", "templates", "__pycache__"}


def _subclasses(cls: type) -> list[type]:
    return [c for sub in cls.__subclasses__() for c in (sub, *_subclasses(sub))]


def _classes() -> dict[str, type[PlatformError]]:
    catalog.error_codes()  # imports every app module, so every subclass exists
    return {c.__name__: c for c in _subclasses(PlatformError) if c.__module__.startswith("apps.")} | {
        "PlatformError": PlatformError}


def _raise_sites() -> list[tuple[str, int, str]]:
    """(code, status, where) for each literal `code=` given to a PlatformError class."""
    classes = _classes()
    found = []
    for path in sorted(APPS.rglob("*.py")):
        if SKIP & set(path.relative_to(APPS).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            literal = {kw.arg: kw.value.value for kw in node.keywords if isinstance(kw.value, ast.Constant)}
            code = literal.get("code")
            if not isinstance(code, str):
                continue
            where = f"{path.relative_to(APPS.parent)}:{node.lineno}"
            if name in classes:
                found.append((code, classes[name].status, where))
            elif name in {"problem_json_response", "problem_body"} and isinstance(literal.get("status"), int):
                found.append((code, int(literal["status"]), where))
    return found


@pytest.fixture(scope="module")
def entries() -> dict[str, Any]:
    return {e.code: e for e in catalog.error_codes()}


def test_every_error_class_is_in_the_catalogue_with_its_status(entries: dict[str, Any]) -> None:
    for cls in _classes().values():
        assert cls.code in entries, f"{cls.__module__}.{cls.__name__}: `{cls.code}` is not in the catalogue"
        assert cls.status in entries[cls.code].statuses, (cls, entries[cls.code].statuses)


def test_every_code_raised_in_the_source_is_in_the_catalogue_with_its_status(entries: dict[str, Any]) -> None:
    sites = _raise_sites()
    assert len(sites) > 30, "the walk should find the raise sites"
    for code, status, where in sites:
        assert code in entries, f"{where}: `{code}` is not in the catalogue"
        assert status in entries[code].statuses, f"{where}: `{code}` is raised as {status}, catalogue says {entries[code].statuses}"


def test_every_code_has_a_description(entries: dict[str, Any]) -> None:
    missing = [code for code, e in entries.items() if not e.description.strip()]
    assert not missing, f"describe these in apps/developers/catalog.py DESCRIPTIONS: {missing}"


def test_the_codes_the_issue_named(entries: dict[str, Any]) -> None:
    assert entries["currency_mismatch"].statuses == {422}
    assert entries["consent_consumed"].statuses == {401, 422}
    assert entries["consent_expired"].statuses == {401, 409, 422}
    assert entries["not_found"].statuses == {404}
    assert entries["rate_limited"].statuses == {429}
    assert entries["empty_query_parameter"].statuses == {400}
    for code in ("amount_too_precise", "unsupported_currency", "error", "kyc_not_verified",
                 "business_date_before_last_accrual", "quote_date_in_past", "loan_not_active"):
        assert entries[code].description, code
    assert "out_of_range" in {f.code for f in catalog.field_codes()}


@pytest.mark.django_db
def test_the_developer_page_shows_every_code_with_its_statuses(client: Any, entries: dict[str, Any]) -> None:
    page = client.get("/developers").content.decode()
    for code in entries:
        assert f'id="error-{code}"' in page, code
    assert "HTTP 401 / 409 / 422" in page  # consent_expired
