from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lexcase.calendar.services import reminders_run


class Command(BaseCommand):
    help = "Mark missed deadlines and send the morning agenda digest (idempotent; run from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default: today in Asia/Shanghai)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            today = date.fromisoformat(opts["date"]) if opts["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        result = reminders_run(today=today)
        self.stdout.write(f"missed: {result['missed']}, digests sent: {result['digests']}")
