from __future__ import annotations

from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "lexcase.papers"
    label = "papers"
    verbose_name = "Papers"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once apps
        # are ready.
        from lexcase.matters.extensions import matter_section_register
        from lexcase.papers import rules, views

        del rules  # registers the permissions
        matter_section_register(views.matter_section, order=75)
        # Here too: intake imports models, loaded only once apps are ready.
        from lexcase.matters.events import party_anonymised
        from lexcase.papers.intake import court_messages_anonymise

        def anonymised(
            *,
            matter_ids: list[int],
            names: list[str] | None = None,
            placeholder: str = "",
            **_kw: object,
        ) -> None:
            if names:
                court_messages_anonymise(
                    matter_ids=matter_ids, names=list(names), placeholder=placeholder
                )

        party_anonymised.connect(anonymised, dispatch_uid="papers.party_anonymised", weak=False)
