"""Writes to the audit log. Every event is chained to the previous one by SHA-256."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from lexcase.audit.models import AuditEvent
from lexcase.core.middleware import current_ip

GENESIS = "0" * 64


def event_digest(*, prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def event_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "matter_id": event.matter_id,
        "ip": event.ip,
        "data": event.data,
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    matter_id: int | None = None,
    data: dict[str, Any] | None = None,
    username: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. Runs inside the caller's transaction, so it lands with the change."""
    actor_obj = actor if getattr(actor, "pk", None) else None
    event = AuditEvent(
        at=timezone.now(),
        actor=actor_obj,
        actor_username=actor_obj.get_username() if actor_obj else username,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        matter_id=matter_id,
        ip=ip or current_ip(),
        data=data or {},
    )
    # The JSON round trip makes the stored value and the hashed value identical.
    event.data = json.loads(json.dumps(event.data, ensure_ascii=False, default=str))
    for _attempt in range(20):
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS
        event.hash = event_digest(prev_hash=event.prev_hash, fields=event_fields(event))
        try:
            with transaction.atomic():
                event.save(force_insert=True)
            return event
        except IntegrityError:
            # Another writer appended first; chain onto its event instead.
            event.pk = None
            continue
    raise RuntimeError("could not append to the audit log")
