"""The errors lending services raise (RFC 9457 problems with stable codes; see apps/core/errors.py).

A currency that does not match is `apps.core.money.CurrencyMismatch`, the platform's one such error.
"""
from __future__ import annotations

from apps.core.errors import Conflict, Unprocessable


class CreditLimitExceeded(Unprocessable):
    code, title = "credit_limit_exceeded", "The drawdown exceeds the available credit"


class NotInvited(Unprocessable):
    code, title = "not_invited", "This product is by invitation only"


class CustomerBlacklisted(Unprocessable):
    code, title = "customer_blacklisted", "Credit is not available to this customer"


class TermNotAllowed(Unprocessable):
    code, title = "term_not_allowed", "The product does not offer this term"


class MethodNotAllowed(Unprocessable):
    code, title = "method_not_allowed_for_product", "The product does not offer this repayment method"


class AmountOutOfRange(Unprocessable):
    code, title = "amount_out_of_range", "The amount is outside the product's limits"


class RepaymentExceedsOutstanding(Unprocessable):
    code, title = "repayment_exceeds_outstanding", "The repayment exceeds everything owed"


class BusinessCustomerRequired(Unprocessable):
    code, title = "business_customer_required", "This product is for business customers"


class CreditLineNotActive(Conflict):
    code, title = "credit_line_not_active", "The credit line is not active"


class LoanNotActive(Conflict):
    code, title = "loan_not_active", "The loan is not open for repayment"


class DecisionNotApproved(Conflict):
    code, title = "decision_not_approved", "The risk decision did not approve a line"


class BusinessDateBeforeLastAccrual(Conflict):
    """The pinned business date was moved back past the loan's last accrual: the books of the
    later days exist, so nothing may be computed or booked on the earlier day."""

    code, title = "business_date_before_last_accrual", "The business date is before the loan's last accrual"


class CsvImportError(ValueError):
    """A white/black list CSV that cannot be imported (the admin shows the message)."""
