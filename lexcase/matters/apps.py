from __future__ import annotations

from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "lexcase.matters"
    label = "matters"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once apps
        # are ready.
        from django.db.models.signals import post_migrate, pre_migrate

        from lexcase.matters import archive, archive_views, party_links, retention_views, selectors
        from lexcase.matters.extensions import agenda_source_register, matter_section_register
        from lexcase.notifications.gate import MatterGate, gate_install

        # Notifications sit below the gate and cannot import it: hand it to them.
        gate_install(
            MatterGate(
                visible_to=selectors.matters_visible_to,
                is_visible=selectors.matter_is_visible,
                walled_for=selectors.matters_walled_for,
            )
        )
        matter_section_register(archive_views.matter_section, order=10)
        matter_section_register(retention_views.matter_section, order=11)
        agenda_source_register(archive.agenda_source, order=30)
        # SQLite rebuilds a table to alter it: the party-link triggers step aside meanwhile.
        pre_migrate.connect(party_links.lift_for_migrate, sender=self)
        post_migrate.connect(party_links.restore_after_migrate, sender=self)
