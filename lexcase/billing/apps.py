from __future__ import annotations

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "lexcase.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from lexcase.billing.views import work
        from lexcase.matters.extensions import matter_section_register

        matter_section_register(work.matter_section, order=55)
