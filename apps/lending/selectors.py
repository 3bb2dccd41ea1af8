"""Reads of the lending capability, as a customer (or an app under the customer's consent) sees them."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.core.errors import NotFound

from .models import CreditApplication, CreditLine, Installment, Loan, Product, WhiteListEntry


def credit_lines_of(*, customer_id: str) -> QuerySet[CreditLine]:
    return CreditLine.objects.filter(customer_id=customer_id).select_related("product")


def credit_line_get(*, customer_id: str, line_id: str) -> CreditLine:
    line = credit_lines_of(customer_id=customer_id).filter(pk=line_id).first()
    if line is None:
        raise NotFound("No such credit line.")
    return line


def loans_of(*, customer_id: str) -> QuerySet[Loan]:
    """The customer's loans with their status history (one query for a page's histories, not one per loan)."""
    return Loan.objects.filter(customer_id=customer_id).select_related("product").prefetch_related("status_changes")


def loan_get(*, customer_id: str, loan_id: str) -> Loan:
    loan = loans_of(customer_id=customer_id).filter(pk=loan_id).first()
    if loan is None:
        raise NotFound("No such loan.")
    return loan


def loan_schedule(*, loan: Loan) -> list[Installment]:
    return list(Installment.objects.filter(loan=loan).order_by("number"))


def credit_application_get(*, customer_id: str, application_id: str) -> CreditApplication:
    application = (
        CreditApplication.objects.filter(customer_id=customer_id, pk=application_id)
        .select_related("decision", "product")
        .first()
    )
    if application is None:
        raise NotFound("No such credit application.")
    return application


# --------------------------------------------------------------------------- credit products


def credit_products_visible(*, customer_id: str) -> QuerySet[Product]:
    """The products a customer may see: the active ones open to everyone or that invite them
    (an invitation-only product is invisible to the uninvited, as the risk engine's
    `not_invited` says), and every product the customer holds a line of, active or not: its
    terms still govern their drawdowns and loans."""
    invited = WhiteListEntry.objects.filter(customer_id=customer_id).values("product_id")
    held = CreditLine.objects.filter(customer_id=customer_id).values("product_id")
    offered = Q(active=True) & (Q(invitation_only=False) | Q(pk__in=invited))
    return Product.objects.filter(offered | Q(pk__in=held))


def credit_product_get(*, customer_id: str, product_id: str) -> Product:
    product = credit_products_visible(customer_id=customer_id).filter(pk=product_id).first()
    if product is None:
        raise NotFound("No such credit product.")
    return product
