from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lexcase.documents.services import temp_files_clean


class Command(BaseCommand):
    help = (
        "Remove upload temp files (FILE_UPLOAD_TEMP_DIR) and text-extraction work dirs "
        "left behind by killed workers, when older than --older-than-hours (default 6)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=float, default=6.0)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["older_than_hours"] < 0:
            raise CommandError("--older-than-hours must not be negative")
        removed = temp_files_clean(older_than_hours=opts["older_than_hours"])
        self.stdout.write(f"removed: {removed}")
