from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lexcase.documents.services import orphan_files, orphan_files_delete


class Command(BaseCommand):
    help = (
        "List stored document files that no version refers to (left by a crash between "
        "storing and committing); --delete removes them. Files younger than the grace "
        "period are left alone: their upload may still be committing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="remove the orphaned files")
        parser.add_argument("--grace-hours", type=float, default=24.0)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["grace_hours"] < 0:
            raise CommandError("--grace-hours must not be negative")
        names = orphan_files(grace_hours=opts["grace_hours"])
        for name in names:
            self.stdout.write(name)
        if opts["delete"]:
            deleted = orphan_files_delete(names=names)
            self.stdout.write(f"orphans: {len(names)}, deleted: {deleted}")
        else:
            self.stdout.write(f"orphans: {len(names)} (use --delete to remove them)")
