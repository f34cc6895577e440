from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "lexcase.portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        # Here, not at the top: the texts import models, loaded only once apps are ready.
        from lexcase.portal import timeline

        timeline.register()
