"""Reads of the audit log, including verification of the hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from lexcase.audit.models import AuditEvent
from lexcase.audit.services import GENESIS, event_digest, event_fields


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    bad_id: int | None = None
    reason: str = ""


def audit_chain_verify() -> ChainReport:
    """Walk the chain in insertion order; the first row that does not fit is named."""
    expected_prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, checked, event.id, "previous hash does not match: a row was removed"
            )
        if event_digest(prev_hash=event.prev_hash, fields=event_fields(event)) != event.hash:
            return ChainReport(False, checked, event.id, "content does not match its hash")
        expected_prev = event.hash
        checked += 1
    return ChainReport(True, checked)


def audit_sign_ins(*, username: str, limit: int = 5) -> QuerySet[AuditEvent]:
    """A user's own recent sign-ins and failed attempts, so they can spot misuse."""
    return AuditEvent.objects.filter(
        actor_username=username, action__in=("login.success", "login.failure")
    ).order_by("-id")[:limit]
