from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lexcase.audit"
    label = "audit"

    def ready(self) -> None:
        # Imported here, not at the top: connecting the receivers needs the models loaded.
        from lexcase.audit import checks, signals  # noqa: F401
