"""/developers: renders, includes the executed quickstarts verbatim, and documents every error code."""
from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from django.test import Client

from apps.core.errors import PROBLEM_TYPE_BASE, PlatformError
from apps.developers import catalog

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "apps" / "developers" / "samples"

# Literal `code=` values in apps/* that are not API problem codes, and why.
NOT_API_CODES = {
    "locked": "a Django form error on the bank's login page (forms.ValidationError), shown as text",
}


@pytest.fixture(scope="module")
def page() -> str:
    response = Client().get("/developers")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_page_has_every_section_and_links(page: str) -> None:
    for anchor in ("sandbox", "install", "quickstart-python", "quickstart-typescript", "authentication",
                   "idempotency", "pagination", "retries", "errors", "changelog"):
        assert f'id="{anchor}"' in page, anchor
    assert 'href="/api/docs/"' in page and 'href="/api/schema/"' in page
    assert "make run" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page  # mobile
    assert "<script" not in page


def test_quickstarts_are_included_verbatim(page: str) -> None:
    for name in ("quickstart.py", "quickstart.ts"):
        source = (SAMPLES / name).read_text()
        assert source.strip() and html.escape(source) in page, f"{name} is not on the page verbatim"


def test_scope_table_lists_every_scope(page: str) -> None:
    from django.conf import settings

    for scope, description in settings.OAUTH2_PROVIDER["SCOPES"].items():
        assert f'id="scope-{scope}"' in page and html.escape(description) in page


def test_changelog_is_rendered(page: str) -> None:
    assert (ROOT / "docs" / "CHANGELOG.md").exists()
    changelog = page.split('id="changelog"', 1)[1]
    assert "<h2>Unreleased</h2>" in changelog and "<li>" in changelog


def test_every_error_code_has_an_anchor(page: str) -> None:
    codes = [e.code for e in catalog.error_codes()]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert f'id="error-{code}"' in page, code
    for field_code in catalog.field_codes():
        assert f'id="field-error-{field_code.code}"' in page, field_code.code
    assert PROBLEM_TYPE_BASE == "/developers#error-"


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def test_every_platform_error_subclass_is_listed() -> None:
    listed = {e.code for e in catalog.error_codes()}
    missing = {cls.__qualname__: cls.code for cls in _subclasses(PlatformError)
               if cls.__module__.startswith("apps.") and cls.code not in listed}
    assert not missing, f"error classes missing from /developers: {missing}"


def test_every_literal_code_in_the_code_base_is_listed() -> None:
    """Independent of the catalog's own discovery: every string given as `code=` to any call, or
    assigned to `code` in a class body, anywhere in apps/*, is documented (or explained above)."""
    listed = {e.code for e in catalog.error_codes()} | {f.code for f in catalog.field_codes()}
    found: dict[str, str] = {}
    for path in (ROOT / "apps").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            values: list[ast.AST] = []
            if isinstance(node, ast.Call):
                values = [kw.value for kw in node.keywords if kw.arg == "code"]
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign):
                        for target in stmt.targets:
                            if isinstance(target, ast.Name) and target.id == "code":
                                values.append(stmt.value)
                            elif isinstance(target, ast.Tuple) and isinstance(stmt.value, ast.Tuple):
                                values += [v for t, v in zip(target.elts, stmt.value.elts, strict=False)
                                           if isinstance(t, ast.Name) and t.id == "code"]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) \
                        and re.fullmatch(r"[a-z][a-z0-9_]*", value.value):
                    found.setdefault(value.value, str(path.relative_to(ROOT)))
    undocumented = {code: where for code, where in found.items() if code not in listed and code not in NOT_API_CODES}
    assert not undocumented, f"error codes raised but not on /developers: {undocumented}"
    assert found, "the scan found no code at all: it is broken"


def test_problem_type_links_resolve_to_an_entry(api_client) -> None:  # type: ignore[no-untyped-def]
    """A real problem from the API points at an anchor that exists on the page."""
    response = api_client.get("/api/v1/consents")
    assert response.status_code == 401
    problem = response.json()
    listed = {e.code for e in catalog.error_codes()}
    assert problem["type"] == f"/developers#error-{problem['code']}" and problem["code"] in listed
