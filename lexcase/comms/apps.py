from __future__ import annotations

from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "lexcase.comms"
    label = "comms"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from lexcase.comms import receivers, selectors, views
        from lexcase.matters.extensions import agenda_source_register, matter_section_register

        receivers.connect()
        matter_section_register(views.matter_section, order=50)
        agenda_source_register(selectors.agenda_source, order=20)
