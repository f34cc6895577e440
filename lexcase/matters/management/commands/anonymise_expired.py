"""`python -m lexcase anonymise_expired [--dry-run] [--date YYYY-MM-DD]`: anonymise the personal
fields of parties (a person's particulars; an organisation's phone, e-mail, notes and portal
contacts) whose every matter is archived and past retention, unless a legal hold is set
(lexcase/matters/retention.py). Idempotent: run it daily from cron."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lexcase.core.validators import CIVIL_DATE_MAX, CIVIL_DATE_MIN, civil_day
from lexcase.matters.retention import personal_data_anonymise_run


class Command(BaseCommand):
    help = "Anonymise parties past retention (no legal hold): [--dry-run] [--date YYYY-MM-DD]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, write nothing")
        parser.add_argument("--date", help="the day to run for (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
            if civil_day(day) is None:
                raise CommandError(f"--date must lie between {CIVIL_DATE_MIN} and {CIVIL_DATE_MAX}")
            # Anonymisation cannot be undone: a later day would take people before their
            # retention ends (9999-12-31: every archived party). A later day only lists.
            if day > timezone.localdate() and not options["dry_run"]:
                raise CommandError("--date after today only with --dry-run")
        report = personal_data_anonymise_run(day=day, dry_run=options["dry_run"])
        verb = "due" if report.dry_run else "anonymised"
        self.stdout.write(
            f"{report.day.isoformat()}: {len(report.parties)} parties {verb}, "
            f"{len(report.held)} held back by a legal hold"
        )
        for party_id in report.parties:
            self.stdout.write(f"  party {party_id}")
