from __future__ import annotations

from django.apps import AppConfig


class TodosConfig(AppConfig):
    name = "lexcase.todos"
    label = "todos"
    verbose_name = "Tasks"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from lexcase.matters.extensions import (
            agenda_source_register,
            matter_form_register,
            matter_section_register,
        )
        from lexcase.todos import receivers, selectors, timeline, views

        receivers.connect()
        timeline.register()
        matter_section_register(views.matter_section, order=20)
        matter_form_register("task", views.TASK_FORM)
        agenda_source_register(selectors.agenda_source, order=10)
