from __future__ import annotations

from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "lexcase.matters"
    label = "matters"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once apps
        # are ready.
        from lexcase.matters import archive, archive_views, selectors
        from lexcase.matters.extensions import agenda_source_register, matter_section_register
        from lexcase.notifications.gate import MatterGate, gate_install

        # Notifications sit below the gate and cannot import it: hand it to them.
        gate_install(
            MatterGate(
                visible_to=selectors.matters_visible_to, is_visible=selectors.matter_is_visible
            )
        )
        matter_section_register(archive_views.matter_section, order=10)
        agenda_source_register(archive.agenda_source, order=30)
