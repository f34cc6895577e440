"""Background jobs; thin wrappers over services."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from lexcase.calendar.services import reminders_run


@task()
def morning_reminders() -> dict[str, int]:
    return reminders_run(today=timezone.localdate())
