from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lexcase.calendar.services import reminders_run
from lexcase.core.validators import CIVIL_DATE_MAX, CIVIL_DATE_MIN, civil_day


class Command(BaseCommand):
    help = "Mark missed deadlines and send the morning agenda digest (idempotent; run from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default: today in Asia/Shanghai)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            today = date.fromisoformat(opts["date"]) if opts["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        if civil_day(today) is None:
            # 0001-01-01 or 9999-12-31 overflowed the date arithmetic (a traceback).
            raise CommandError(f"--date must lie between {CIVIL_DATE_MIN} and {CIVIL_DATE_MAX}")
        result = reminders_run(today=today)
        self.stdout.write(f"missed: {result['missed']}, digests sent: {result['digests']}")
