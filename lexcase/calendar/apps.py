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
        from lexcase.accounts.events import credentials_reset
        from lexcase.calendar.services import calendar_anonymise, calendar_feed_revoke
        from lexcase.matters.events import scrub_on_anonymised

        scrub_on_anonymised(calendar_anonymise, uid="calendar.party_anonymised")
        # The feed's secret URL ends with the owner's credentials (a new password, a reset
        # second factor, deactivation), as their API tokens do.
        credentials_reset.connect(calendar_feed_revoke, dispatch_uid="calendar.feed_revoke")
