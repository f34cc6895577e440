"""`breach_notice INCIDENT.json [--out FILE] [--language zh-hans|en]` (PIPL Art. 57)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from lexcase.web.breach import IncidentError, breach_notice_record, breach_notice_render


class Command(BaseCommand):
    help = (
        "Render the notice of a personal-information breach from an incident file (JSON: "
        "categories, cause, harm, remedies, individual_measures; optional occurred_at, "
        "discovered_at, summary, contact, parties). Refuses a notice that lacks a field PIPL "
        "Art. 57 requires. Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("incident", metavar="INCIDENT.json")
        parser.add_argument("--out", help="write the notice here instead of printing it")
        parser.add_argument("--language", default="zh-hans")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            incident = json.loads(Path(options["incident"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the incident file: {exc}") from exc
        if not isinstance(incident, dict):
            raise CommandError("the incident file must hold one JSON object")
        with translation.override(options["language"]):
            try:
                notice = breach_notice_render(incident=incident)
            except IncidentError as exc:
                raise CommandError(str(exc)) from exc
        breach_notice_record(incident=incident)
        if options["out"]:
            Path(options["out"]).write_text(notice, encoding="utf-8")
            self.stdout.write(f"notice written to {options['out']}")
        else:
            self.stdout.write(notice)
