from django.apps import AppConfig


class LendingConfig(AppConfig):
    name = "apps.lending"
    label = "lending"
    verbose_name = "Lending"
