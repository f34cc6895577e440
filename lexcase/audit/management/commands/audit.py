from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lexcase.audit.selectors import audit_anchors_read, audit_chain_verify
from lexcase.audit.services import audit_anchor, audit_link


def default_anchor_file() -> Path:
    return Path(settings.VAR_DIR) / "audit-anchors.jsonl"


class Command(BaseCommand):
    help = (
        "Audit log tools. `audit link [--full]` chains events not linked yet; "
        "`audit anchor [FILE]` links, then appends the chain's head to FILE (outside the "
        "database; default var/audit-anchors.jsonl); `audit verify [--anchor FILE]` links "
        "every unlinked event, then checks the whole chain (and the anchors in FILE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "link", "anchor"])
        parser.add_argument("file", nargs="?", help="anchor: the anchor file")
        parser.add_argument("--anchor", dest="anchor_file", help="verify: check these anchors")
        parser.add_argument("--full", action="store_true", help="link: look at every event")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if options["file"] and action != "anchor":
            raise CommandError("a FILE argument is only for `audit anchor`")
        if action == "link":
            linked = audit_link(full=options["full"])
            self.stdout.write(f"audit events linked: {linked}")
        elif action == "anchor":
            path = Path(options["file"]) if options["file"] else default_anchor_file()
            anchor = audit_anchor(path=path)
            self.stdout.write(
                f"audit chain head anchored in {path}: position {anchor['seq']} {anchor['hash']}"
            )
        else:
            self._verify(options["anchor_file"])

    def _verify(self, anchor_file: str | None) -> None:
        anchors = []
        if anchor_file:
            try:
                anchors = audit_anchors_read(Path(anchor_file))
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read the anchors: {exc}") from exc
            if not anchors:
                raise CommandError(f"{anchor_file} holds no anchor")
        linked = audit_link(full=True)
        report = audit_chain_verify(anchors=anchors)
        if not report.ok:
            where = f"at event id {report.bad_id}" if report.bad_id else "at its end"
            raise CommandError(
                f"audit chain broken {where}: {report.reason} "
                f"({report.checked} events verified before it)"
            )
        self.stdout.write(
            f"audit chain intact: {report.checked} events verified"
            + (f", {len(anchors)} anchors matched" if anchors else "")
            + (f" ({linked} linked just now)" if linked else "")
            + (f"; {report.unlinked} committed since, not yet linked" if report.unlinked else "")
        )
