from __future__ import annotations

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "lexcase.search"
    label = "lexcase_search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from lexcase.matters.extensions import (
            matter_section_register,
            matter_text_index_register,
        )
        from lexcase.search import receivers, selectors, views

        receivers.connect()
        matter_section_register(views.matter_section, order=40)
        matter_text_index_register(selectors.matter_text_candidates)
