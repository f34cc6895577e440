"""`python -m lexcase import FILE`: import historical matters from JSON, CSV or XLSX."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lexcase.accounts.models import User
from lexcase.matters.importing import import_file


class Command(BaseCommand):
    help = (
        "Import historical matters and their parties from a .json, .csv or .xlsx file "
        "(docs/import.md): import FILE [--dry-run] [--actor USERNAME] [--language CODE]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and count, write nothing"
        )
        parser.add_argument("--actor", help="username recorded as the importer in the audit log")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the report",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts["language"]):
            self._import(opts)

    def _import(self, opts: dict[str, Any]) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = None
        if opts["actor"]:
            actor = User.objects.filter(username=opts["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(_("No active user %(name)s.") % {"name": opts["actor"]})
        started = time.monotonic()
        report = import_file(
            path_or_file=path, filename=path.name, actor=actor, dry_run=opts["dry_run"]
        )
        elapsed = time.monotonic() - started
        if not report.ok:
            for error in report.errors:
                where = " ".join(part for part in (error.row, error.field) if part)
                self.stderr.write(f"{where}: {error.message}" if where else error.message)
            n = len(report.errors)
            raise CommandError(
                ngettext(
                    "%(n)d problem found; nothing was imported.",
                    "%(n)d problems found; nothing was imported.",
                    n,
                )
                % {"n": n}
            )
        counts = _(
            "%(matters)d matters created, %(skipped)d already there; "
            "%(parties)d parties created, %(reused)d existing parties reused"
        ) % {
            "matters": report.created_matters,
            "skipped": report.skipped_matters,
            "parties": report.created_parties,
            "reused": report.reused_parties,
        }
        if report.dry_run:
            self.stdout.write(_("Dry run, nothing written: %(counts)s.") % {"counts": counts})
        else:
            self.stdout.write(
                _("Imported in %(seconds).1f s: %(counts)s.")
                % {"seconds": elapsed, "counts": counts}
            )
