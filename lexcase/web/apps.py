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
        from lexcase.matters.extensions import matter_form_register
        from lexcase.web import dashboard_sections
        from lexcase.web.views import MATTER_FORMS

        dashboard_sections.register()
        for name, form in MATTER_FORMS.items():
            matter_form_register(name, form)
