"""Contains all the data models used in inputs/outputs"""

from .account import Account
from .account_balances import AccountBalances
from .account_list import AccountList
from .account_status import AccountStatus
from .consent import Consent
from .consent_create_request import ConsentCreateRequest
from .consent_kind import ConsentKind
from .consent_list import ConsentList
from .consent_payment import ConsentPayment
from .consent_permission import ConsentPermission
from .consent_status import ConsentStatus
from .credit_application import CreditApplication
from .credit_application_create_request import CreditApplicationCreateRequest
from .credit_application_status import CreditApplicationStatus
from .credit_debit_indicator import CreditDebitIndicator
from .credit_decision_reason import CreditDecisionReason
from .credit_line import CreditLine
from .credit_line_list import CreditLineList
from .credit_product_kind import CreditProductKind
from .delinquency_bucket import DelinquencyBucket
from .deposit_account_kind import DepositAccountKind
from .drawdown_create_request import DrawdownCreateRequest
from .drawdown_create_request_vehicle_type_0 import DrawdownCreateRequestVehicleType0
from .installment import Installment
from .installment_status import InstallmentStatus
from .loan import Loan
from .loan_list import LoanList
from .loan_schedule import LoanSchedule
from .loan_status import LoanStatus
from .loan_status_change import LoanStatusChange
from .loan_vehicle_type_0 import LoanVehicleType0
from .money import Money
from .money_request import MoneyRequest
from .payment import Payment
from .payment_create_request import PaymentCreateRequest
from .payment_status import PaymentStatus
from .payoff_quote import PayoffQuote
from .problem import Problem
from .problem_field_error import ProblemFieldError
from .repayment import Repayment
from .repayment_allocation import RepaymentAllocation
from .repayment_create_request import RepaymentCreateRequest
from .repayment_method import RepaymentMethod
from .transaction import Transaction
from .transaction_entry import TransactionEntry
from .transaction_list import TransactionList

__all__ = (
    "Account",
    "AccountBalances",
    "AccountList",
    "AccountStatus",
    "Consent",
    "ConsentCreateRequest",
    "ConsentKind",
    "ConsentList",
    "ConsentPayment",
    "ConsentPermission",
    "ConsentStatus",
    "CreditApplication",
    "CreditApplicationCreateRequest",
    "CreditApplicationStatus",
    "CreditDebitIndicator",
    "CreditDecisionReason",
    "CreditLine",
    "CreditLineList",
    "CreditProductKind",
    "DelinquencyBucket",
    "DepositAccountKind",
    "DrawdownCreateRequest",
    "DrawdownCreateRequestVehicleType0",
    "Installment",
    "InstallmentStatus",
    "Loan",
    "LoanList",
    "LoanSchedule",
    "LoanStatus",
    "LoanStatusChange",
    "LoanVehicleType0",
    "Money",
    "MoneyRequest",
    "Payment",
    "PaymentCreateRequest",
    "PaymentStatus",
    "PayoffQuote",
    "Problem",
    "ProblemFieldError",
    "Repayment",
    "RepaymentAllocation",
    "RepaymentCreateRequest",
    "RepaymentMethod",
    "Transaction",
    "TransactionEntry",
    "TransactionList",
)
