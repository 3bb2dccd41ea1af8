from django.urls import path

from .api import applications, credit_lines, loans, products

urlpatterns = [
    path("credit-products", products.CreditProductListApi.as_view(), name="credit-products-list"),
    path("credit-products/<str:product_id>", products.CreditProductDetailApi.as_view(), name="credit-products-detail"),
    path("credit-lines", credit_lines.CreditLineListApi.as_view(), name="credit-lines-list"),
    path("credit-lines/<str:line_id>", credit_lines.CreditLineDetailApi.as_view(), name="credit-lines-detail"),
    path("credit-lines/<str:line_id>/drawdowns", credit_lines.CreditLineDrawdownApi.as_view(), name="credit-lines-drawdown"),
    path("loans", loans.LoanListApi.as_view(), name="loans-list"),
    path("loans/<str:loan_id>", loans.LoanDetailApi.as_view(), name="loans-detail"),
    path("loans/<str:loan_id>/schedule", loans.LoanScheduleApi.as_view(), name="loans-schedule"),
    path("loans/<str:loan_id>/payoff-quote", loans.LoanPayoffQuoteApi.as_view(), name="loans-payoff-quote"),
    path("loans/<str:loan_id>/repayments", loans.LoanRepaymentApi.as_view(), name="loans-repay"),
    path("credit-applications", applications.CreditApplicationCreateApi.as_view(), name="credit-applications-create"),
    path("credit-applications/<str:application_id>", applications.CreditApplicationDetailApi.as_view(), name="credit-applications-detail"),
]
