from __future__ import annotations

from django.apps import AppConfig


class TodosConfig(AppConfig):
    name = "lexcase.todos"
    label = "todos"
    verbose_name = "Tasks"

    def ready(self) -> None:
        # Here, not at the top: the texts import models, loaded only once apps are ready.
        from lexcase.todos import timeline

        timeline.register()
