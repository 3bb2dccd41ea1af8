"""`manage.py seed --json`: idempotent demo data, and everything a client needs to try it.

Each installed app may have a `demo.py` with `seed(output: dict) -> None`; they run in
INSTALLED_APPS order and fill one JSON object whose shape is stable (tests, docs and the
SDK quickstarts rely on it). Re-running keeps every id and prints working secrets: the
demo secrets are derived from SECRET_KEY, so the hashed copies can be reset to them. User
passwords are set only when the user is created: resetting them on every run (every
`make run`) would end every signed-in session. The printed demo password therefore stays
right unless someone changed it since.

Demo data has no place in production: under DJANGO_ENV=production the command refuses.
"""
from __future__ import annotations

import importlib
import json
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Create or refresh the demo data and print the demo credentials."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print the credentials as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError(
                "Refusing to seed demo data under production settings (DJANGO_ENV=production): it creates "
                "users and OAuth clients with passwords and secrets derived from SECRET_KEY."
            )
        output: dict[str, Any] = {
            "admin": {},
            "customers": [],
            "clients": {"third_party": {}, "public_app": {}, "partners": [], "funders": []},
        }
        with transaction.atomic():
            for config in apps.get_app_configs():
                if not config.name.startswith("apps."):
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(output)
        if options["json"]:
            self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data is in place. Run with --json to see credentials."))
