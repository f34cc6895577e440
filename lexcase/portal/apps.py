from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "lexcase.portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from lexcase.matters.extensions import matter_section_register
        from lexcase.portal import receivers, timeline, views

        receivers.connect()
        timeline.register()
        matter_section_register(views.matter_section, order=60)
