from __future__ import annotations

from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "lexcase.calendar"
    label = "lexcase_calendar"
    verbose_name = "Calendar"
