"""Append-only, hash-chained audit log of reads, changes and logins.

Requests only INSERT `AuditEvent` rows; a single chain-linker later appends one
`AuditLink` per event (docs/architecture.md, "Audit log"). Database triggers refuse UPDATE,
DELETE and TRUNCATE on both tables (`lexcase/audit/guards.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    # No database constraint and no SET NULL: deleting a user must not UPDATE audit rows, and
    # the id of whoever acted stays on the row (the username is kept as text too).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=50, db_index=True)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    matter_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # PostgreSQL: the inserting transaction's id (pg_current_xact_id()), so the linker can
    # find every event committed since its last run without scanning the table. NULL on
    # SQLite, where ids are assigned and committed in one order (a single writer).
    txid = models.BigIntegerField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["actor", "-at"]),
            models.Index(fields=["actor_username", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"


class AuditLink(models.Model):
    """One event's place in the hash chain: written once by the linker, never changed."""

    event = models.OneToOneField(
        AuditEvent, primary_key=True, on_delete=models.DO_NOTHING, related_name="link"
    )
    # Chain position 1, 2, 3, ... in link order (which is commit order, not id order).
    seq = models.BigIntegerField(unique=True)
    # HMAC-SHA256(key, previous link's hash + this event's canonical content and seq).
    hash = models.CharField(max_length=64)
    # PostgreSQL: the oldest transaction still running when this link's batch was read; the
    # next run only needs to look at events of transactions from this one on.
    scan_xmin = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
