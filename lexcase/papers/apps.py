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
        from lexcase.matters.events import scrub_on_anonymised
        from lexcase.papers.intake import court_messages_anonymise

        scrub_on_anonymised(court_messages_anonymise, uid="papers.party_anonymised")
