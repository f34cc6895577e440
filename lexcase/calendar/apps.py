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
        from lexcase.matters.events import party_anonymised

        def anonymised(
            *,
            matter_ids: list[int],
            names: list[str] | None = None,
            placeholder: str = "",
            **_kw: object,
        ) -> None:
            if names:
                calendar_anonymise(
                    matter_ids=matter_ids, names=list(names), placeholder=placeholder
                )

        party_anonymised.connect(anonymised, dispatch_uid="calendar.party_anonymised", weak=False)
