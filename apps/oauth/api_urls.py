from django.urls import path

from . import api

urlpatterns = [
    path("consents", api.ConsentListCreateApi.as_view(), name="consents"),
    path("consents/<str:consent_id>", api.ConsentDetailApi.as_view(), name="consent-detail"),
]
