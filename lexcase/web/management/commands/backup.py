"""`backup DIR` writes a backup; `backup verify DIR` checks one (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lexcase.web.backup import BackupError, backup_create, backup_verify


def summary(manifest: dict[str, Any]) -> str:
    rows = sum(t["rows"] for t in manifest["tables"].values())
    size = sum(f["size"] for f in manifest["documents"].values())
    audit = manifest["audit"]
    return (
        f"{manifest['vendor']} database: {len(manifest['tables'])} tables, {rows} rows; "
        f"{len(manifest['documents'])} document files ({size} bytes); audit chain head at "
        f"position {audit['head_seq']} {audit['head_hash'][:16]}…"
        + (f" ({audit['unlinked']} events not linked yet)" if audit["unlinked"] else "")
        + f"; taken {manifest['created_at']}"
    )


class Command(BaseCommand):
    help = (
        "`backup DIR`: a consistent snapshot of the database, the document files and a signed "
        "manifest (row counts, checksums, file SHA-256s, audit chain head) in the new or empty "
        "folder DIR. `backup verify DIR`: check a backup without touching any database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("args", nargs="+", metavar="[verify] DIR")

    def handle(self, *args: str, **options: Any) -> None:
        if args[0] == "verify":
            if len(args) != 2:
                raise CommandError("usage: backup verify DIR")
            action, folder = "verify", Path(args[1])
        elif len(args) == 1:
            action, folder = "backup", Path(args[0])
        else:
            raise CommandError("usage: backup DIR, or backup verify DIR")
        try:
            if action == "verify":
                manifest = backup_verify(source=folder)
                self.stdout.write(f"backup {folder} verified: {summary(manifest)}")
            else:
                manifest = backup_create(target=folder)
                self.stdout.write(
                    f"backup written to {folder} in {manifest['seconds']} s: {summary(manifest)}"
                )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
