"""The bank's own pages, mounted at /bank/."""
from django.urls import path

from apps.customers.views import BankLoginView, BankLogoutView

from .views import ConnectedAppsView, ConsentRevokeView

urlpatterns = [
    path("login/", BankLoginView.as_view(), name="bank-login"),
    path("logout/", BankLogoutView.as_view(), name="bank-logout"),
    path("connected-apps/", ConnectedAppsView.as_view(), name="connected-apps"),
    path("connected-apps/<str:consent_id>/revoke/", ConsentRevokeView.as_view(), name="consent-revoke"),
]
