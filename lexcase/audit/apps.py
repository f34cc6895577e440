from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lexcase.audit"
    label = "audit"

    def ready(self) -> None:
        from lexcase.audit import checks, signals  # noqa: F401
