from django.urls import path

from .views import DeveloperPageView

urlpatterns = [
    path("developers", DeveloperPageView.as_view(), name="developers"),
]
