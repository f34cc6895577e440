from __future__ import annotations

from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "lexcase.comms"
    label = "comms"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from django.db.models.signals import post_migrate, pre_migrate

        from lexcase.comms import last_contact, receivers, selectors, views
        from lexcase.matters.extensions import (
            agenda_source_register,
            matter_form_register,
            matter_section_register,
        )

        receivers.connect()
        matter_section_register(views.matter_section, order=50)
        for name, form in views.MATTER_FORMS.items():
            matter_form_register(name, form)
        agenda_source_register(selectors.agenda_source, order=20)
        # SQLite rebuilds a table to alter it: the last-contact triggers step aside meanwhile.
        pre_migrate.connect(last_contact.lift_for_migrate, sender=self)
        post_migrate.connect(last_contact.restore_after_migrate, sender=self)
