from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lexcase.documents.services import version_extract_text, versions_pending
from lexcase.documents.tasks import document_extract_text


class Command(BaseCommand):
    help = (
        "Extract the text of versions still pending (e.g. when queueing failed after an "
        "upload committed). --enqueue hands them to the task worker instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        pending = versions_pending()
        if opts["enqueue"]:
            for version_id in pending:
                document_extract_text.enqueue(version_id)
            self.stdout.write(f"enqueued: {len(pending)}")
            return
        results: dict[str, int] = {}
        for version_id in pending:
            status = version_extract_text(version_id=version_id)
            results[status] = results.get(status, 0) + 1
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(results.items())) or "none")
