from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lexcase.reviews.services import reviews_run


class Command(BaseCommand):
    help = (
        "Schedule the matter reviews now owed and escalate overdue ones to the responsible "
        "partner, once each (run from cron)."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        scheduled, escalated = reviews_run()
        self.stdout.write(f"scheduled: {scheduled}, escalated: {escalated}")
