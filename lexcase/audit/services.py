"""Writes to the audit log.

Requests append events (`audit_record`: one INSERT, no hash, no lock). The chain-linker
(`audit_link`, run by the task worker after commits, by `audit link`/`audit verify`/`audit
anchor`) is the only writer of `AuditLink`: it chains committed events in the order it
first sees them with HMAC-SHA256. docs/architecture.md, "Audit log", explains why no
event is ever skipped.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models, transaction
from django.db.models import Max
from django.db.models.expressions import RawSQL
from django.utils import timezone

from lexcase.audit.chain import EVENT_COLUMNS, GENESIS, audit_key, link_digest, row_fields
from lexcase.audit.models import AuditEvent, AuditLink
from lexcase.core.middleware import current_ip

# PostgreSQL advisory lock key taken only by the linker: requests never wait for it.
LINK_LOCK_KEY = 0x4C43_4155_4C4E  # "LCAULN"
LINK_BATCH = 2000
# A link task is queued to start this long after a commit; commits in between ride along.
LINK_DELAY_S = 5.0
# Allowance for clocks of web and worker hosts that differ a little.
LINK_CLOCK_MARGIN_S = 1.0

_pending_lock = threading.Lock()
_pending_until = 0.0  # before this time, a link task queued by this process has not started


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    matter_id: int | None = None,
    data: dict[str, Any] | None = None,
    username: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. Runs inside the caller's transaction, so it lands with the change.

    One INSERT and nothing else — no hash, no lock, no read of other events — so
    concurrent requests never wait for each other here. The linker chains it after commit.
    """
    actor_obj = actor if getattr(actor, "pk", None) else None
    event = AuditEvent(
        at=timezone.now(),
        actor_id=actor_obj.pk if actor_obj else None,
        actor_username=actor_obj.get_username() if actor_obj else username,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        matter_id=matter_id,
        ip=ip or current_ip(),
        data=data or {},
    )
    # Stored exactly as JSON will give it back (dates, decimals as text).
    event.data = json.loads(json.dumps(event.data, ensure_ascii=False, default=str))
    if settings.LEXCASE_AUDIT_OFF_FOR_BENCHMARK:
        return event
    if connection.vendor == "postgresql":
        # The top-level transaction id, assigned here if the request has not written yet.
        event.txid = RawSQL("pg_current_xact_id()::text::bigint", [])
    event.save(force_insert=True)
    if connection.vendor == "postgresql":
        # Not read back: loaded from the database if anyone asks.
        del event.__dict__["txid"]
    transaction.on_commit(_link_soon, robust=True)
    return event


def _link_soon() -> None:
    """After a commit: make sure a link task starts later than now.

    A task queued with run_after=T cannot start before T, so every commit of this process
    before T is seen by it; only after T does the next commit queue another one. At most
    one task per process per LINK_DELAY_S, whatever the request rate.
    """
    global _pending_until
    # Here, not at the top: the task module imports this one.
    from lexcase.audit.tasks import audit_link_task

    if not audit_link_task.get_backend().supports_defer:
        audit_link_task.enqueue()  # e.g. the immediate backend: link now
        return
    with _pending_lock:
        now = time.time()
        if now < _pending_until:
            return
        run_after = datetime.fromtimestamp(now + LINK_DELAY_S, tz=UTC)
        audit_link_task.using(run_after=run_after).enqueue()
        _pending_until = now + LINK_DELAY_S - LINK_CLOCK_MARGIN_S


def audit_link(*, full: bool = False, batch_size: int = LINK_BATCH) -> int:
    """Chain committed events that are not linked yet; returns how many were linked.

    `full` looks at every event (after a restore, and in `audit verify`); otherwise only
    at events that can have committed since the last run. One linker at a time: a
    PostgreSQL advisory lock nobody else takes, SQLite's single write lock.
    """
    linked = 0
    if full or not AuditLink.objects.exists():
        linked += _link_full(batch_size)
    while True:
        count, exhausted = _link_batch(batch_size)
        linked += count
        if exhausted:
            return linked


def _lock_linker() -> None:
    # Transaction-scoped: released at commit or rollback, never left behind.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LINK_LOCK_KEY])


def _head() -> tuple[int, str, int | None]:
    head = AuditLink.objects.order_by("-seq").values_list("seq", "hash", "scan_xmin").first()
    return head if head is not None else (0, GENESIS, None)


def _append(rows: Sequence[dict[str, Any]], *, seq: int, prev: str, scan_xmin: int | None) -> None:
    key = audit_key()
    links = []
    for row in rows:
        seq += 1
        prev = link_digest(key=key, prev_hash=prev, seq=seq, fields=row_fields(row))
        links.append(AuditLink(event_id=row["id"], seq=seq, hash=prev, scan_xmin=scan_xmin))
    AuditLink.objects.bulk_create(links)


def _link_batch(batch_size: int) -> tuple[int, bool]:
    """One incremental batch: (events linked, whether nothing else was waiting)."""
    with transaction.atomic():
        _lock_linker()
        seq, prev, bound = _head()
        if connection.vendor == "postgresql":
            ids, scan_xmin = _pg_candidates(bound or 0, batch_size)
        else:
            # SQLite has one writer at a time and assigns ids under its lock, so events
            # commit in id order: everything above the highest linked id is new.
            highest = AuditLink.objects.aggregate(m=Max("event_id"))["m"] or 0
            ids = list(
                AuditEvent.objects.filter(id__gt=highest)
                .order_by("id")
                .values_list("id", flat=True)[:batch_size]
            )
            scan_xmin = None
        exhausted = len(ids) < batch_size
        if ids:
            rows = list(AuditEvent.objects.filter(id__in=ids).order_by("id").values(*EVENT_COLUMNS))
            # The scan bound may only move on once nothing below it is left waiting.
            _append(rows, seq=seq, prev=prev, scan_xmin=scan_xmin if exhausted else bound)
        return len(ids), exhausted


# A snapshot's xmin leaves out the reader's own transaction; LEAST(..., own) keeps it in
# the next window when the linker runs inside a transaction that also records events
# (tests; never the task, which has written nothing when it reads). Same in _PG_CANDIDATES.
_PG_SNAPSHOT = """
    SELECT LEAST(x.xmin, COALESCE(x.own, x.xmin)) AS xmin, x.xmax, x.own
    FROM (
        SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,
               pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax,
               pg_current_xact_id_if_assigned()::text::bigint AS own
    ) x
"""

_PG_CANDIDATES = """
SELECT s.xmin, e.id
FROM (
    SELECT LEAST(x.xmin, COALESCE(x.own, x.xmin)) AS xmin, x.xmax, x.own
    FROM (
        SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,
               pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax,
               pg_current_xact_id_if_assigned()::text::bigint AS own
    ) x
) s
LEFT JOIN LATERAL (
    SELECT e.id FROM audit_auditevent e
    WHERE e.txid >= (CASE WHEN %(bound)s > s.xmax THEN 0 ELSE %(bound)s END)
      AND (e.txid < s.xmax OR e.txid = s.own)
      AND NOT EXISTS (SELECT 1 FROM audit_auditlink l WHERE l.event_id = e.id)
    ORDER BY e.id
    LIMIT %(limit)s
) e ON true
"""


def _pg_candidates(bound: int, limit: int) -> tuple[list[int], int]:
    """Unlinked events of transactions from `bound` on, and the snapshot's xmin.

    One statement, so one snapshot: every transaction older than the returned xmin had
    finished, so its events (if it committed) are among those seen here. The next run
    can start at that xmin. `bound` beyond the snapshot's xmax can only come from another
    server (a restored dump): then every transaction id is looked at once.
    """
    with connection.cursor() as cur:
        cur.execute(_PG_CANDIDATES, {"bound": bound, "limit": limit})
        rows = cur.fetchall()
    return [event_id for _xmin, event_id in rows if event_id is not None], rows[0][0]


def _link_full(batch_size: int) -> int:
    """Link every unlinked event, oldest id first (a walk over the whole table)."""
    scan_xmin = None
    if connection.vendor == "postgresql":
        # Taken before the walk: a transaction still running now has an id >= this, so the
        # incremental runs that follow (starting here) see whatever the walk misses.
        with connection.cursor() as cur:
            cur.execute(_PG_SNAPSHOT)
            scan_xmin = cur.fetchone()[0]
    linked, after = 0, 0
    while True:
        with transaction.atomic():
            _lock_linker()
            seq, prev, bound = _head()
            rows = list(
                AuditEvent.objects.filter(id__gt=after, link__isnull=True)
                .order_by("id")
                .values(*EVENT_COLUMNS)[:batch_size]
            )
            if rows:
                low = scan_xmin if bound is None else min(bound, scan_xmin or bound)
                _append(rows, seq=seq, prev=prev, scan_xmin=low)
                after = rows[-1]["id"]
        linked += len(rows)
        if len(rows) < batch_size:
            return linked


def audit_anchor(*, path: Path) -> dict[str, Any]:
    """Link what is committed, then append the chain's head to `path` (outside the database).

    The file only grows (O_APPEND); keep it where the database's users cannot write, e.g.
    another host or an append-only (`chattr +a`) file. `audit verify --anchor` checks it.
    """
    audit_link()
    seq, head_hash, _bound = _head()
    event_id = AuditLink.objects.filter(seq=seq).values_list("event_id", flat=True).first()
    anchor = {
        "seq": seq,
        "hash": head_hash,
        "event_id": event_id,
        "anchored_at": timezone.now().isoformat(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(anchor, sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return anchor
