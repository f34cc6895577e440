"""`rotate_field_keys`: re-encrypt every encrypted identifier under the first key of
LEXCASE_FIELD_KEYS (docs/operations.md, "Field encryption keys")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lexcase.core.fieldcrypt import field_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field (ID and passport numbers, their history, the "
        "conflict index's identifier keys and checked queries) under the first key of "
        "LEXCASE_FIELD_KEYS, so the older keys can be removed afterwards."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = field_keys_rotate()
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted under the first key: {sum(counts.values())} rows. The other "
                "keys in LEXCASE_FIELD_KEYS can now be removed."
            )
        )
