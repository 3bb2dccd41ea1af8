"""Contains all the data models used in inputs/outputs"""

from .account import Account
from .account_access_consent_create_kind_enum import AccountAccessConsentCreateKindEnum
from .account_access_consent_create_request import AccountAccessConsentCreateRequest
from .account_balances import AccountBalances
from .account_list import AccountList
from .account_status import AccountStatus
from .consent import Consent
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
from .credit_product import CreditProduct
from .credit_product_amount_range import CreditProductAmountRange
from .credit_product_kind import CreditProductKind
from .credit_product_list import CreditProductList
from .credit_product_rate_band import CreditProductRateBand
from .day_count_enum import DayCountEnum
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
from .payment_consent_create_kind_enum import PaymentConsentCreateKindEnum
from .payment_consent_create_request import PaymentConsentCreateRequest
from .payment_create_request import PaymentCreateRequest
from .payment_status import PaymentStatus
from .payoff_quote import PayoffQuote
from .problem import Problem
from .problem_field_error import ProblemFieldError
from .repayment import Repayment
from .repayment_allocation import RepaymentAllocation
from .repayment_create_request import RepaymentCreateRequest
from .repayment_method import RepaymentMethod
from .rounding_enum import RoundingEnum
from .transaction import Transaction
from .transaction_entry import TransactionEntry
from .transaction_list import TransactionList

__all__ = (
    "Account",
    "AccountAccessConsentCreateKindEnum",
    "AccountAccessConsentCreateRequest",
    "AccountBalances",
    "AccountList",
    "AccountStatus",
    "Consent",
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
    "CreditProduct",
    "CreditProductAmountRange",
    "CreditProductKind",
    "CreditProductList",
    "CreditProductRateBand",
    "DayCountEnum",
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
    "PaymentConsentCreateKindEnum",
    "PaymentConsentCreateRequest",
    "PaymentCreateRequest",
    "PaymentStatus",
    "PayoffQuote",
    "Problem",
    "ProblemFieldError",
    "Repayment",
    "RepaymentAllocation",
    "RepaymentCreateRequest",
    "RepaymentMethod",
    "RoundingEnum",
    "Transaction",
    "TransactionEntry",
    "TransactionList",
)
