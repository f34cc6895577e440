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
        from lexcase.matters.events import party_anonymised

        def anonymised(
            *,
            matter_ids: list[int],
            names: list[str] | None = None,
            placeholder: str = "",
            **_kw: object,
        ) -> None:
            if names:
                documents_anonymise(
                    matter_ids=matter_ids, names=list(names), placeholder=placeholder
                )

        party_anonymised.connect(anonymised, dispatch_uid="documents.party_anonymised", weak=False)
