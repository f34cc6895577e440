from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "lexcase.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from lexcase.documents import views
        from lexcase.matters.extensions import matter_section_register

        matter_section_register(views.matter_section, order=30)
        # Here too: services import models, loaded only once apps are ready.
        from lexcase.documents.services import documents_anonymise
        from lexcase.matters.events import scrub_on_anonymised

        scrub_on_anonymised(documents_anonymise, uid="documents.party_anonymised")
