from django.apps import AppConfig


class OauthConfig(AppConfig):
    name = "apps.oauth"
    label = "oauth"
    verbose_name = "OAuth and consents"

    def ready(self) -> None:
        from . import schema, signals  # noqa: F401  (register the schema extension and signal handlers)
