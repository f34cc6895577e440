from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lexcase.conflicts import stats
from lexcase.conflicts.engine import index_rebuild


class Command(BaseCommand):
    help = (
        "Conflict index tools: `conflicts reindex` rebuilds the index of every party; "
        "`conflicts stats [--discover] [--wait S]` folds the pending counts of the keys "
        "many parties hold (run every few minutes) and, with --discover, promotes the keys "
        "that reached stats.HOT_KEY_MIN holders (run nightly)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reindex", "stats"])
        parser.add_argument("--discover", action="store_true")
        parser.add_argument("--wait", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["action"] == "stats":
            out = stats.refresh(discover=options["discover"], wait=options["wait"])
            done = ", ".join(f"{k} {v}" for k, v in out.items())
            self.stdout.write(f"hot key stats: {done} in {time.monotonic() - started:.1f}s")
            return
        count = index_rebuild()
        # The rebuild recounted the hot keys; promote the keys that became hot.
        stats.refresh(discover=True, wait=options["wait"])
        self.stdout.write(
            f"indexed {count} parties and relatives in {time.monotonic() - started:.1f}s"
        )
