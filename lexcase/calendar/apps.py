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
        # Here too: services import models, loaded only once apps are ready.
        from lexcase.calendar.services import calendar_anonymise
        from lexcase.matters.events import scrub_on_anonymised

        scrub_on_anonymised(calendar_anonymise, uid="calendar.party_anonymised")
