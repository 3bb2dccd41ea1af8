from django.urls import path

from . import api

urlpatterns = [
    path("credit-lines", api.CreditLineListApi.as_view(), name="credit-lines-list"),
    path("credit-lines/<str:line_id>", api.CreditLineDetailApi.as_view(), name="credit-lines-detail"),
    path("credit-lines/<str:line_id>/drawdowns", api.CreditLineDrawdownApi.as_view(), name="credit-lines-drawdown"),
    path("loans", api.LoanListApi.as_view(), name="loans-list"),
    path("loans/<str:loan_id>", api.LoanDetailApi.as_view(), name="loans-detail"),
    path("loans/<str:loan_id>/schedule", api.LoanScheduleApi.as_view(), name="loans-schedule"),
    path("loans/<str:loan_id>/payoff-quote", api.LoanPayoffQuoteApi.as_view(), name="loans-payoff-quote"),
    path("loans/<str:loan_id>/repayments", api.LoanRepaymentApi.as_view(), name="loans-repay"),
    path("credit-applications", api.CreditApplicationCreateApi.as_view(), name="credit-applications-create"),
    path("credit-applications/<str:application_id>", api.CreditApplicationDetailApi.as_view(), name="credit-applications-detail"),
]
