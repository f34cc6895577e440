from __future__ import annotations

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "lexcase.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from lexcase.billing.selectors.receivables import fees_settled_read, overdue_bills_agenda
        from lexcase.billing.views import work
        from lexcase.matters.archive import checklist_reader_register
        from lexcase.matters.extensions import agenda_source_register, matter_section_register

        matter_section_register(work.matter_section, order=55)
        # Overdue bills on the responsible partner's agenda; the closing checklist's "fees
        # settled" is read from the matter's bills, not ticked.
        agenda_source_register(overdue_bills_agenda, order=60)
        checklist_reader_register("fees_settled", fees_settled_read)
