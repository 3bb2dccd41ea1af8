from django.urls import path

from .api import accounts, payments, statements

urlpatterns = [
    path("accounts", accounts.AccountListApi.as_view(), name="accounts-list"),
    path("accounts/<str:account_id>", accounts.AccountDetailApi.as_view(), name="accounts-detail"),
    path("accounts/<str:account_id>/balances", accounts.AccountBalancesApi.as_view(), name="accounts-balances"),
    path("accounts/<str:account_id>/transactions", statements.AccountTransactionsApi.as_view(),
         name="accounts-transactions"),
    path("payments", payments.PaymentCreateApi.as_view(), name="payments-create"),
    path("payments/<str:payment_id>", payments.PaymentDetailApi.as_view(), name="payments-detail"),
]
