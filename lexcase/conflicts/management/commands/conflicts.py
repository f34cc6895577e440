from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lexcase.conflicts.engine import index_rebuild


class Command(BaseCommand):
    help = "Conflict index tools: `conflicts reindex` rebuilds the index of every party."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reindex"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        count = index_rebuild()
        self.stdout.write(
            f"indexed {count} parties and relatives in {time.monotonic() - started:.1f}s"
        )
