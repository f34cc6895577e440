from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lexcase.documents.services import orphan_files, orphan_files_delete

MAX_GRACE_HOURS = 24 * 366 * 100


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
        # NaN or infinity (and past a century) overflowed the cutoff's timedelta: a traceback.
        if not opts["grace_hours"] <= MAX_GRACE_HOURS:
            raise CommandError(f"--grace-hours must be at most {MAX_GRACE_HOURS}")
        names = orphan_files(grace_hours=opts["grace_hours"])
        for name in names:
            self.stdout.write(name)
        if opts["delete"]:
            deleted = orphan_files_delete(names=names)
            self.stdout.write(f"orphans: {len(names)}, deleted: {deleted}")
        else:
            self.stdout.write(f"orphans: {len(names)} (use --delete to remove them)")
