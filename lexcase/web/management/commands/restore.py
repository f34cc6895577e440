"""`restore DIR`: a verified backup into this instance's empty database and documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lexcase.web.backup import BackupError, backup_restore, migrations_pending
from lexcase.web.management.commands.backup import summary


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR into the database of DATABASE_URL and the documents storage "
        "of LEXCASE_VAR_DIR (or S3), both empty. The backup is verified first (nothing is "
        "changed if it fails); afterwards row counts, checksums, file SHA-256s and the audit "
        "chain up to the manifest's head are checked. Needs the LEXCASE_AUDIT_KEY the backup "
        "was taken with."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", metavar="DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(source=Path(options["dir"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored and verified: {summary(manifest)}")
        pending = migrations_pending()
        if pending:
            self.stdout.write(
                f"{pending} migrations of this release are not applied yet: run `migrate`"
            )
        self.stdout.write(
            "next: `audit verify --anchor FILE` with the firm's anchor file, then open the app"
        )
