"""The keyed hash chain: what is hashed and how. Pure functions, no database access."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings

GENESIS = "0" * 64


def audit_key() -> bytes:
    # Read on every call (not cached at import) so tests can override the setting.
    return settings.LEXCASE_AUDIT_KEY.encode()


# The event columns that are hashed (read with .values(*EVENT_COLUMNS) for speed).
EVENT_COLUMNS = (
    "id",
    "at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "matter_id",
    "ip",
    "data",
)


def row_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed content of an event, as stored (read back from the database)."""
    return {
        "id": row["id"],
        "at": row["at"].isoformat(),
        "actor": row["actor_username"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "matter_id": row["matter_id"],
        "ip": row["ip"],
        "data": row["data"],
    }


def event_fields(event: Any) -> dict[str, Any]:
    return row_fields({name: getattr(event, name) for name in EVENT_COLUMNS})


def link_digest(*, key: bytes, prev_hash: str, seq: int, fields: dict[str, Any]) -> str:
    """HMAC-SHA256 over the previous hash, the chain position and the canonical JSON.

    Without the key nobody can produce a hash that verifies, so rewriting rows and
    recomputing the chain (with plain SHA-256 or any other key) is detected.
    """
    payload = json.dumps(
        {"seq": seq, **fields}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hmac.new(key, f"{prev_hash}\n{payload}".encode(), hashlib.sha256).hexdigest()
