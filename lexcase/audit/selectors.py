"""Reads of the audit log, including verification of the hash chain."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db.models import QuerySet

from lexcase.audit.chain import EVENT_COLUMNS, GENESIS, audit_key, link_digest, row_fields
from lexcase.audit.models import AuditEvent, AuditLink


@dataclass(frozen=True)
class Anchor:
    """A copy of the chain's head kept outside the database (`audit anchor`)."""

    seq: int
    hash: str
    anchored_at: str = ""


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    bad_id: int | None = None
    reason: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS
    # Events not on the chain yet (committed after the last linker run): not covered.
    unlinked: int = 0


def audit_anchors_read(path: Path) -> list[Anchor]:
    """The anchors in an anchor file, one JSON object a line; a malformed line is an error."""
    anchors = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            anchors.append(Anchor(int(row["seq"]), str(row["hash"]), str(row["anchored_at"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not an anchor line") from exc
    return anchors


def audit_chain_verify(*, anchors: Sequence[Anchor] = ()) -> ChainReport:
    """Walk the chain in link order; the first link that does not fit is named.

    Recomputes every keyed hash (a row altered, or the chain recomputed by someone without
    the key, fails), checks the positions are 1, 2, 3, ... (links removed from the middle
    fail) and that every anchor is still on the chain with the same hash (the newest
    events removed, or the whole chain rewritten, fail).
    """
    key = audit_key()
    by_seq = {a.seq: a for a in anchors}
    prev, seq = GENESIS, 0
    # Plain rows, not model instances: verify walks every event, and building models was
    # most of its time.
    names = ("seq", "hash", *(f"event__{c}" for c in EVENT_COLUMNS))
    links = AuditLink.objects.order_by("seq").values_list(*names)
    for values in links.iterator(chunk_size=5000):
        link_seq, link_hash = values[0], values[1]
        row = dict(zip(EVENT_COLUMNS, values[2:], strict=True))
        event_id = row["id"]
        seq += 1
        if link_seq != seq:
            return ChainReport(
                False, seq - 1, event_id, f"chain position {seq} is missing: events removed"
            )
        expected = link_digest(key=key, prev_hash=prev, seq=seq, fields=row_fields(row))
        if expected != link_hash:
            return ChainReport(
                False,
                seq - 1,
                event_id,
                "content does not match its keyed hash: the event was altered, or the chain "
                "was recomputed without the key",
            )
        anchor = by_seq.get(seq)
        if anchor is not None and anchor.hash != link_hash:
            return ChainReport(
                False,
                seq - 1,
                event_id,
                f"chain position {seq} differs from the anchor taken {anchor.anchored_at}: "
                "the chain was rewritten",
            )
        prev = link_hash
    for anchor in sorted(anchors, key=lambda a: a.seq):
        if anchor.seq > seq:
            return ChainReport(
                False,
                seq,
                None,
                f"the chain ends at position {seq} but the anchor taken {anchor.anchored_at} "
                f"records position {anchor.seq}: the newest events were removed",
                head_seq=seq,
                head_hash=prev,
            )
    unlinked = AuditEvent.objects.filter(link__isnull=True).count()
    return ChainReport(True, seq, head_seq=seq, head_hash=prev, unlinked=unlinked)


def audit_sign_ins(*, username: str, limit: int = 5) -> QuerySet[AuditEvent]:
    """A user's own recent sign-ins and failed attempts, so they can spot misuse."""
    return AuditEvent.objects.filter(
        actor_username=username, action__in=("login.success", "login.failure")
    ).order_by("-id")[:limit]
