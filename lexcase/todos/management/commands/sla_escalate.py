from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lexcase.todos.services import sla_breaches_run


class Command(BaseCommand):
    help = "Escalate SLA tasks past due to the responsible partner, once each (run from cron)."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(f"escalated: {sla_breaches_run()}")
