"""What the developer page lists, collected from the code so that it cannot drift.

Error codes come from three places, merged by code:
- every `PlatformError` subclass in apps/* (its `code`, `status`, `title`, docstring);
- the DRF exceptions that apps.core.errors maps to codes (`_DRF_CODES`);
- every literal code in the source of apps/* given to an error where it is built: the
  `code=` of a call to an error class or to `problem_json_response`/`problem_body`, the
  values of the mapping or `.get(..., default)` feeding such a `code=`, and the literal
  arguments of helpers that pass one of their parameters on as `code=`
  (e.g. `_invalid(field, "required", message)`).
Every problem's `type` is `/developers#error-<code>`; the page gives each code that anchor.
"""
from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

import apps
from apps.core import errors as core_errors

APPS_DIR = Path(apps.__file__).resolve().parent
ROOT = APPS_DIR.parent
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
CHANGELOG = ROOT / "docs" / "CHANGELOG.md"
_SKIP_PARTS = {"migrations", "tests", "management", "templates", "samples", "__pycache__"}
_PROBLEM_BUILDERS = {"problem_json_response", "problem_body"}


@dataclass
class ErrorCode:
    code: str
    status: int  # the first of `statuses`, for ordering
    title: str
    description: str = ""
    sources: set[str] = field(default_factory=set)
    # Every HTTP status the code is answered with. One for nearly all codes; a consent's
    # state codes (`consent_expired`, ...) are 401 on a token whose consent ended, 422 when a
    # payment finds its consent used up under its lock, 409 on the consent page.
    statuses: set[int] = field(default_factory=set)

    @property
    def anchor(self) -> str:
        return f"error-{self.code}"

    @property
    def status_text(self) -> str:
        return " / ".join(str(s) for s in sorted(self.statuses or {self.status}))


def _app_modules() -> Iterator[Path]:
    for path in sorted(APPS_DIR.rglob("*.py")):
        if not _SKIP_PARTS & set(path.relative_to(APPS_DIR).parts):
            yield path


def _import_all_app_modules() -> None:
    """Import apps.* modules so that every PlatformError subclass is defined."""
    for module in pkgutil.walk_packages([str(APPS_DIR)], prefix="apps."):
        if _SKIP_PARTS & set(module.name.split(".")) or module.name.endswith(".demo"):
            continue
        try:
            importlib.import_module(module.name)
        except Exception:  # noqa: BLE001, S112 - a module that cannot be imported here defines nothing we show
            continue


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _error_classes() -> dict[str, type[core_errors.PlatformError]]:
    _import_all_app_modules()
    found: dict[str, type[core_errors.PlatformError]] = {"PlatformError": core_errors.PlatformError}
    for cls in _subclasses(core_errors.PlatformError):
        if cls.__module__.startswith("apps."):
            found.setdefault(cls.__name__, cls)
    return found


def _drf_classes() -> dict[str, type]:
    from rest_framework import exceptions as drf_exceptions

    return {
        name: obj for name, obj in vars(drf_exceptions).items()
        if inspect.isclass(obj) and issubclass(obj, drf_exceptions.APIException)
    }


def _doc(cls: type) -> str:
    doc = cls.__dict__.get("__doc__") or ""
    return inspect.cleandoc(doc).split("\n\n")[0].replace("\n", " ") if doc else ""


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _strings(node: ast.AST | None, *, module_dicts: dict[str, ast.AST], local: dict[str, list[ast.AST]]) -> list[str]:
    """The string constants an expression used as an error code can evaluate to."""
    if node is None:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Dict):
        return [s for v in node.values for s in _strings(v, module_dicts=module_dicts, local=local)]
    if isinstance(node, ast.Name):
        values = local.get(node.id) or ([module_dicts[node.id]] if node.id in module_dicts else [])
        return [s for v in values for s in _strings(v, module_dicts=module_dicts, local=local)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        out = _strings(node.func.value, module_dicts=module_dicts, local=local)
        if len(node.args) > 1:
            out += _strings(node.args[1], module_dicts=module_dicts, local=local)
        return out
    if isinstance(node, ast.IfExp):
        return _strings(node.body, module_dicts=module_dicts, local=local) + _strings(
            node.orelse, module_dicts=module_dicts, local=local)
    return []


def _status_keyed(node: ast.AST, module_dicts: dict[str, ast.AST]) -> dict[str, int]:
    """`code=_CODES.get(response.status_code, ...)` with `_CODES = {404: "not_found", ...}`:
    each code's status is its key (the middleware names codes by the status it rewrites)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)):
        return {}
    mapping = module_dicts.get(node.func.value.id)
    if not isinstance(mapping, ast.Dict):
        return {}
    return {
        value.value: key.value for key, value in zip(mapping.keys, mapping.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(key.value, int)
        and isinstance(value, ast.Constant) and isinstance(value.value, str)
    }


def _is_form_error(node: ast.Call) -> bool:
    """`forms.ValidationError(..., code=...)` is an HTML form's error, never an API problem."""
    func = node.func
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "forms"


def _first_text(node: ast.Call) -> str:
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    for kw in node.keywords:
        if kw.arg == "detail" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
            return kw.value.value
    return ""


def _status_of(node: ast.Call) -> int | None:
    for kw in node.keywords:
        if kw.arg == "status" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, int):
            return kw.value.value
    return None


@dataclass
class _Use:
    code: str
    builder: str  # error class name or problem builder
    status: int | None
    text: str
    source: str


def scan_source(error_names: Iterable[str]) -> list[_Use]:
    """Every literal error code built in apps/* (see the module docstring)."""
    builders = set(error_names) | _PROBLEM_BUILDERS
    trees = {path: ast.parse(path.read_text(), str(path)) for path in _app_modules()}
    # Pass 1: helpers that pass one of their parameters on as an error's `code=`.
    helpers: dict[str, tuple[int, str, str]] = {}
    for tree in trees.values():
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            params = [a.arg for a in fn.args.args]
            for call in ast.walk(fn):
                if isinstance(call, ast.Call) and _callee(call) in builders:
                    for kw in call.keywords:
                        if kw.arg == "code" and isinstance(kw.value, ast.Name) and kw.value.id in params:
                            helpers[fn.name] = (params.index(kw.value.id), kw.value.id, _callee(call))
    # Pass 2: the codes.
    uses: list[_Use] = []
    for path, tree in trees.items():
        source = str(path.relative_to(ROOT))
        # Module-level mappings and string constants a `code=` may name (e.g. EMPTY_QUERY_VALUE_CODE).
        module_dicts: dict[str, ast.AST] = {
            t.id: node.value for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(t, ast.Name) and (isinstance(node.value, ast.Dict) or (
                isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)))
        }
        scopes: list[ast.AST] = [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]
        for scope in scopes:
            local: dict[str, list[ast.AST]] = {}
            body_nodes = list(ast.walk(scope)) if scope is not tree else list(ast.iter_child_nodes(tree))
            for node in body_nodes:
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            local.setdefault(t.id, []).append(node.value)
            for call in body_nodes:
                if not isinstance(call, ast.Call) or _is_form_error(call):
                    continue
                name = _callee(call)
                if name in builders:
                    for kw in call.keywords:
                        if kw.arg != "code" or (isinstance(kw.value, ast.Name) and scope is not tree
                                                and isinstance(scope, ast.FunctionDef)
                                                and kw.value.id in [a.arg for a in scope.args.args]):
                            continue
                        keyed = _status_keyed(kw.value, module_dicts) if _status_of(call) is None else {}
                        for code in _strings(kw.value, module_dicts=module_dicts, local=local):
                            uses.append(_Use(code, name, keyed.get(code) or _status_of(call), _first_text(call), source))
                elif name in helpers:
                    index, param, builder = helpers[name]
                    arg = call.args[index] if len(call.args) > index else next(
                        (kw.value for kw in call.keywords if kw.arg == param), None)
                    for code in _strings(arg, module_dicts=module_dicts, local=local):
                        following = call.args[index + 1] if len(call.args) > index + 1 else None
                        text = following.value if isinstance(following, ast.Constant) else ""
                        uses.append(_Use(code, builder, None, str(text), source))
    # ast.walk of a module also reaches calls inside functions: keep each (code, source) once.
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for use in uses:
        key = (use.code, use.source, use.text)
        if key not in seen:
            seen.add(key)
            unique.append(use)
    return unique


@functools.cache
def error_codes() -> tuple[ErrorCode, ...]:
    classes = _error_classes()
    drf = _drf_classes()
    found: dict[str, ErrorCode] = {}

    def add(code: str, status: int, title: str, description: str, source: str) -> None:
        entry = found.get(code)
        if entry is None:
            found[code] = ErrorCode(code, status, title, description, {source}, {status})
        else:
            entry.sources.add(source)
            entry.statuses.add(status)
            if not entry.description and description:
                entry.description = description

    for cls in classes.values():
        add(cls.code, cls.status, cls.title, _doc(cls) if cls is not core_errors.PlatformError else "", cls.__module__)
    for exc, (code, title) in core_errors._DRF_CODES.items():
        add(code, int(exc.status_code), title, "", "rest_framework")
    for use in scan_source([*classes, *drf]):
        builder: type | None = classes.get(use.builder) or drf.get(use.builder)
        status = use.status or int(getattr(builder, "status", None) or getattr(builder, "status_code", None) or 400)
        title = getattr(builder, "title", "") or use.text or use.code.replace("_", " ").capitalize()
        add(use.code, status, title, use.text, use.source)
    for entry in found.values():
        entry.status = min(entry.statuses)
        entry.description = DESCRIPTIONS.get(entry.code) or entry.description
    return tuple(sorted(found.values(), key=lambda e: (e.status, e.code)))


# What each code means for a client, where the code's class docstring or message does not
# say it (tests/contract/test_error_catalogue.py requires a description for every code).
DESCRIPTIONS = {
    "bad_request": "The request could not be understood (outside the API's own validation).",
    "error": "An HTTP error without a more specific code (the status says which).",
    "validation_error": "Some fields are invalid: `errors[]` names each field and its field code.",
    "malformed_request": "The body is not valid JSON.",
    "request_too_large": "The body is larger than the API accepts.",
    "empty_query_parameter": "A query parameter was sent with an empty value (`?limit=`): leave it out or give a value.",
    "invalid_cursor": "The cursor is not a `next_cursor` of this list (or was altered).",
    "invalid_amount": 'The amount is not a decimal string such as "100.00" (JSON numbers are refused).',
    "amount_too_precise": "The amount has more decimals than its currency (CNY: 2).",
    "unsupported_currency": "The currency is not one the bank keeps accounts in.",
    "idempotency_key_required": "This POST needs an `Idempotency-Key` header.",
    "idempotency_key_invalid": "The `Idempotency-Key` is empty or longer than 255 characters.",
    "invalid_account_selection": "The accounts chosen on the consent page cannot be shared (not the customer's, none, or more than one to pay from).",
    "invalid_choice": "A value is not one of the allowed choices (e.g. an unknown consent permission).",
    "required": "A value the request needs is missing (e.g. a consent's permissions or expiry).",
    "client_kind_not_allowed": "Only third-party apps ask customers for consents.",
    "authentication_required": "No access token was sent: send `Authorization: Bearer <token>`.",
    "invalid_token": "The access token is unknown, expired or revoked: get a new one.",
    "token_expired": "The access token has expired: refresh it.",
    "consent_not_authorised": "The consent behind the token is not authorised (401; 422 when a payment finds it so under its lock).",
    "consent_revoked": "The consent behind the token was revoked by the customer, the app or the bank (401; 422 for a payment racing the revocation): ask again.",
    "consent_rejected": "The customer rejected the consent behind the token (401; 422 for a payment racing it).",
    "consent_expired": (
        "The consent has expired: 401 for a token issued under it, 422 when a payment finds it expired, "
        "409 when the customer tries to authorise it. Ask the customer again."
    ),
    "consent_consumed": (
        "The payment consent was used by a payment already: 401 for its token, 422 for a payment racing "
        "the one that used it."
    ),
    "forbidden": "Not allowed for this caller.",
    "insufficient_scope": "The token lacks the scope this operation needs (the detail names it).",
    "consent_permission_missing": "The customer's consent does not include the permission this read or action needs.",
    "not_found": "No such resource visible to this token (ids of other customers answer the same).",
    "consent_not_found": "No such payment consent for this client and customer.",
    "method_not_allowed": "The path does not support this HTTP method (`Allow` lists those it does).",
    "not_acceptable": "The `Accept` header asks for a format the API does not produce (it writes JSON).",
    "unsupported_media_type": "The body is not `application/json`.",
    "conflict": "The request conflicts with the current state.",
    "consent_not_active": "The consent has already ended (revoked, expired, consumed or rejected).",
    "consent_not_awaiting_authorisation": "The consent was already answered.",
    "credit_line_exists": "The customer already has an active credit line for this product.",
    "credit_line_not_active": "The credit line is frozen or closed: no drawdowns.",
    "decision_not_approved": "The risk decision did not approve a line.",
    "idempotency_key_in_use": "A request with this `Idempotency-Key` is still running: retry after `Retry-After`.",
    "ledger_reference_reused": "A ledger reference was posted before with other amounts.",
    "loan_not_active": "The loan is closed or written off.",
    "scorecard_missing": "The bank has no active risk scorecard for this product; try later.",
    "account_frozen": "The debtor account is frozen or closed and cannot make payments.",
    "account_status_conflict": "The account cannot move to that status from its current one.",
    "amount_out_of_range": "The amount is outside the product's minimum and maximum.",
    "business_customer_required": "The product is for business customers.",
    "credit_limit_exceeded": "The drawdown exceeds the line's available credit.",
    "creditor_account_not_found": "No open account of this bank has the creditor account number.",
    "currency_mismatch": "An amount, account or line is in another currency than the operation's.",
    "customer_blacklisted": "Credit is not available to this customer.",
    "deposit_account_not_in_consent": "The deposit account is not one the customer shared in this consent.",
    "idempotency_key_reused": "This `Idempotency-Key` was used with a different request body.",
    "insufficient_funds": "The account's available balance (with any overdraft) does not cover the amount.",
    "kyc_not_verified": "The customer's identity check is not verified, so no money may move for them.",
    "method_not_allowed_for_product": "The product does not offer this repayment method.",
    "not_invited": "The product is by invitation only and this customer is not on its list.",
    "payment_does_not_match_consent": "The payment differs from its consent (amount, currency, creditor or reference): `errors[]` says where.",
    "quote_date_in_past": "A payoff quote is for today's business date or a later one.",
    "repayment_exceeds_outstanding": "The repayment is more than everything owed on the loan.",
    "same_account": "The creditor account is the debtor account.",
    "term_not_allowed": "The product does not offer this term.",
    "unprocessable": "The request is valid but cannot be carried out.",
    "rate_limited": "Too many requests from this client: retry after `Retry-After` seconds.",
    "internal_error": "The request failed on the bank's side; quote the `request_id` to support.",
}


# DRF's own field-level codes that the platform's serializers produce (after apps.core.errors'
# renames: null/blank -> required, does_not_exist -> not_found).
DRF_FIELD_CODES = {
    "required": "The field is missing or empty.",
    "invalid": "The value has the wrong format or type.",
    "invalid_choice": "The value is not one of the allowed choices.",
    "max_length": "The value is too long.",
    "min_length": "The value is too short.",
    "max_value": "The value is too large.",
    "min_value": "The value is too small.",
    "not_a_list": "A list was expected.",
    "empty": "The list may not be empty.",
    "date": "A date was expected, not a date-time.",
    "not_found": "No such object.",
}


@dataclass
class FieldCode:
    code: str
    message: str
    sources: set[str] = field(default_factory=set)

    @property
    def anchor(self) -> str:
        return f"field-error-{self.code}"


@functools.cache
def field_codes() -> tuple[FieldCode, ...]:
    """Codes of the `errors[]` entries (per field): DRF's and every literal one in apps/*."""
    found = {code: FieldCode(code, message, {"rest_framework"}) for code, message in DRF_FIELD_CODES.items()}
    for path in _app_modules():
        tree = ast.parse(path.read_text(), str(path))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name, code_node, text_node = _callee(call), None, None
            if name == "ErrorDetail":
                code_node = next((kw.value for kw in call.keywords if kw.arg == "code"), None)
                text_node = call.args[0] if call.args else None
            elif name == "field_error" and len(call.args) >= 2:
                code_node = call.args[1]
                text_node = call.args[2] if len(call.args) > 2 else None
            if isinstance(code_node, ast.Constant) and isinstance(code_node.value, str):
                text = text_node.value if isinstance(text_node, ast.Constant) and isinstance(text_node.value, str) else ""
                entry = found.setdefault(code_node.value, FieldCode(code_node.value, text))
                entry.sources.add(str(path.relative_to(ROOT)))
                entry.message = entry.message or text
    return tuple(sorted(found.values(), key=lambda f: f.code))


def scopes() -> list[tuple[str, str]]:
    configured: dict[str, Any] = settings.OAUTH2_PROVIDER
    return [(str(name), str(text)) for name, text in configured["SCOPES"].items()]


def sample(name: str) -> str:
    return (SAMPLES_DIR / name).read_text()


def changelog_html() -> str:
    from markdown_it import MarkdownIt

    if not CHANGELOG.exists():
        return ""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return md.render(CHANGELOG.read_text())


def context() -> dict[str, Any]:
    from django.apps import apps as django_apps

    return {
        "webhooks_enabled": django_apps.is_installed("apps.webhooks"),
        "sandbox_enabled": django_apps.is_installed("apps.partners"),
        "errors": error_codes(),
        "field_errors": field_codes(),
        "scopes": scopes(),
        "quickstart_py": sample("quickstart.py"),
        "quickstart_ts": sample("quickstart.ts"),
        "changelog": changelog_html(),
    }
