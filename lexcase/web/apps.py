from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The composition layer: pages and jobs that put several apps together."""

    name = "lexcase.web"
    label = "web"

    def ready(self) -> None:
        # The dashboards' review, satisfaction and fee sections: insights may not import
        # reviews or billing (independent feature apps), so the composition layer reads them
        # through their selectors and registers the sections with insights.
        from lexcase.web import dashboard_sections

        dashboard_sections.register()
