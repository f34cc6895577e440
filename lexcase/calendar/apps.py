from __future__ import annotations

from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "lexcase.calendar"
    label = "lexcase_calendar"
    verbose_name = "Calendar"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from lexcase.calendar import timeline

        timeline.register()
