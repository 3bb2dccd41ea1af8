"""White and black lists: CSV import (all rows or none) and export for the staff screens.

Exported cells are escaped against spreadsheet formula injection: a cell a spreadsheet would
evaluate (starting with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, so
a note or reason typed by anyone is shown, never run. Amounts are written with the currency's
own exponent (`format_minor`).
"""
from __future__ import annotations

import csv
import io
import logging
from typing import Any

from django.db import transaction

from apps.core.actors import Actor
from apps.core.money import format_minor, parse_amount
from apps.customers.models import Customer

from .errors import CsvImportError
from .models import BlackListEntry, Product, WhiteListEntry

logger = logging.getLogger(__name__)

WHITELIST_CSV_HEADER = ["customer_id", "product_code", "pre_approved_limit", "note"]
BLACKLIST_CSV_HEADER = ["customer_id", "national_id_hash", "reason"]


# A spreadsheet evaluates a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell's text, with a leading apostrophe if a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv_text(header: list[str], rows: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def _csv_rows(text: str, header: list[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != header:
        raise CsvImportError(f"The header must be: {','.join(header)}")
    return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in reader]


@transaction.atomic
def whitelist_import_csv(*, text: str, actor: Actor) -> int:
    """Create or update invitations from CSV (all rows or none); returns the number of rows."""
    rows = _csv_rows(text, WHITELIST_CSV_HEADER)
    for number, row in enumerate(rows, start=2):
        customer = Customer.objects.filter(pk=row["customer_id"]).first()
        product = Product.objects.filter(code=row["product_code"]).first()
        if customer is None or product is None:
            raise CsvImportError(f"line {number}: unknown customer or product")
        limit = None
        if row["pre_approved_limit"]:
            try:
                limit = parse_amount(row["pre_approved_limit"], product.currency).minor
            except Exception:
                raise CsvImportError(f"line {number}: pre_approved_limit is not an amount") from None
        WhiteListEntry.objects.update_or_create(
            customer=customer, product=product, defaults={"pre_approved_limit_minor": limit, "note": row["note"][:200]}
        )
    logger.info("white list: %d rows imported by %s", len(rows), actor)
    return len(rows)


def whitelist_export_csv(*, queryset: Any) -> str:
    rows = (
        (e.customer_id, e.product.code,
         "" if e.pre_approved_limit_minor is None else format_minor(e.pre_approved_limit_minor, e.product.currency), e.note)
        for e in queryset.select_related("product").order_by("id")
    )
    return _csv_text(WHITELIST_CSV_HEADER, rows)


@transaction.atomic
def blacklist_import_csv(*, text: str, actor: Actor) -> int:
    """Add black-list entries from CSV (all rows or none); returns the number of rows."""
    rows = _csv_rows(text, BLACKLIST_CSV_HEADER)
    for number, row in enumerate(rows, start=2):
        customer = None
        if row["customer_id"]:
            customer = Customer.objects.filter(pk=row["customer_id"]).first()
            if customer is None:
                raise CsvImportError(f"line {number}: unknown customer")
        entry = BlackListEntry(customer=customer, national_id_hash=row["national_id_hash"].lower(), reason=row["reason"][:200])
        try:
            entry.full_clean()
        except Exception as exc:
            raise CsvImportError(f"line {number}: {exc}") from None
        if not row["reason"]:
            raise CsvImportError(f"line {number}: a reason is required")
        BlackListEntry.objects.get_or_create(
            customer=customer, national_id_hash=entry.national_id_hash, defaults={"reason": entry.reason}
        )
    logger.info("black list: %d rows imported by %s", len(rows), actor)
    return len(rows)


def blacklist_export_csv(*, queryset: Any) -> str:
    rows = ((e.customer_id or "", e.national_id_hash, e.reason) for e in queryset.order_by("id"))
    return _csv_text(BLACKLIST_CSV_HEADER, rows)

