from django.urls import path

from . import api

urlpatterns = [
    path("accounts", api.AccountListApi.as_view(), name="accounts-list"),
    path("accounts/<str:account_id>", api.AccountDetailApi.as_view(), name="accounts-detail"),
    path("accounts/<str:account_id>/balances", api.AccountBalancesApi.as_view(), name="accounts-balances"),
    path("accounts/<str:account_id>/transactions", api.AccountTransactionsApi.as_view(), name="accounts-transactions"),
    path("payments", api.PaymentCreateApi.as_view(), name="payments-create"),
    path("payments/<str:payment_id>", api.PaymentDetailApi.as_view(), name="payments-detail"),
]
