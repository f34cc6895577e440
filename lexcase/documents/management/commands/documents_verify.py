from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lexcase.documents.services import versions_verify


class Command(BaseCommand):
    help = "Recompute the SHA-256 of every stored document version; fail on any mismatch."

    def handle(self, *args: Any, **opts: Any) -> None:
        report = versions_verify()
        for problem in ("missing", "altered"):
            for pk in report[problem]:
                self.stdout.write(f"{problem}: version {pk}")
        self.stdout.write(
            f"ok: {len(report['ok'])}, missing: {len(report['missing'])}, "
            f"altered: {len(report['altered'])}"
        )
        if report["missing"] or report["altered"]:
            raise CommandError("some stored files do not match their recorded SHA-256")
