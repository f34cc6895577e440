from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lexcase.comms.services import client_updates_run
from lexcase.core.validators import CIVIL_DATE_MAX, CIVIL_DATE_MIN, civil_day


class Command(BaseCommand):
    help = (
        "Tell lead lawyers when a client update falls due and escalate overdue ones to the "
        "responsible partner (idempotent; run from cron, e.g. hourly)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="ISO 8601 date-time (default: now)")

    def handle(self, *args: Any, **opts: Any) -> None:
        now = timezone.now()
        if opts["at"]:
            try:
                now = datetime.fromisoformat(opts["at"])
            except ValueError:
                raise CommandError("--at must be an ISO 8601 date-time") from None
            if civil_day(now) is None:
                # 0001-01-01 or 9999-12-31 overflowed the date arithmetic (a traceback).
                raise CommandError(f"--at must lie between {CIVIL_DATE_MIN} and {CIVIL_DATE_MAX}")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = client_updates_run(now=now)
        self.stdout.write(f"due: {result['due']}, escalated: {result['escalated']}")
