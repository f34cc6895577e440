from __future__ import annotations

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "lexcase.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from lexcase.insights import views
        from lexcase.matters.extensions import matter_section_register

        matter_section_register(views.matter_section, order=70)
