"""Contains all the data models used in inputs/outputs"""

from .account import Account
from .money import Money
from .paginated_account_list import PaginatedAccountList
from .payment import Payment
from .payment_create import PaymentCreate
from .problem import Problem

__all__ = (
    "Account",
    "Money",
    "PaginatedAccountList",
    "Payment",
    "PaymentCreate",
    "Problem",
)
