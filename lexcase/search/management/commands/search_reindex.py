"""`python -m lexcase search_reindex`: rebuild the search index from the database."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lexcase.search.services import (
    search_index_optimize,
    search_matters_reindex,
    search_reindex_all,
)


class Command(BaseCommand):
    help = (
        "Rebuild the search index: every matter, then every document. --matters-only skips "
        "the documents."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--matters-only", action="store_true", help="rebuild matters only")

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        if opts["matters_only"]:
            counts = {"matter": search_matters_reindex()}
            search_index_optimize()
        else:
            counts = search_reindex_all()
        elapsed = time.monotonic() - started
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} entries")
        self.stdout.write(f"done in {elapsed:.1f} s")
