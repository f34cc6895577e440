"""Reads of conflict reports, through the confidentiality gate.

A check searches the whole firm, but a hit on a matter the reader cannot see shows only the
matter number, its responsible partner and the verdict: enough to go and ask, nothing of
the other client's affairs."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from lexcase.conflicts.models import ConflictCheck
from lexcase.matters.models import Matter
from lexcase.matters.selectors import matters_visible_to

REDACTED_KEYS = ("party_id", "party_name", "matched_text", "role_on_matter", "via_party_id")
REDACTED_KEYS += ("relative_id", "staff_member", "matter_closed_on")


def hits_for_user(*, user: Any, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    matter_ids = {h["matter_id"] for h in hits if h.get("matter_id")}
    visible = set(matters_visible_to(user).filter(pk__in=matter_ids).values_list("pk", flat=True))
    shown = []
    for hit in hits:
        if hit.get("matter_id") is None or hit["matter_id"] in visible:
            shown.append({**hit, "redacted": False})
            continue
        redacted = {**hit, "redacted": True}
        for key in REDACTED_KEYS:
            redacted[key] = None
        redacted["reason"] = _(
            "Conflict with a matter you cannot see; ask its responsible partner."
        )
        shown.append(redacted)
    return shown


def matter_latest_check(*, matter: Matter) -> ConflictCheck | None:
    # `matter` has passed the gate already.
    return matter.conflict_checks.select_related("review", "review__reviewer").first()


def intakes_awaiting_review(*, user: Any, limit: int = 20) -> list[Matter]:
    """The reviewer's queue: visible intakes with a conflict check nobody has decided yet,
    requested by someone else (a requester never reviews their own intake)."""
    if getattr(user, "role", None) not in ("partner", "admin"):
        return []
    pending = ConflictCheck.objects.filter(matter=OuterRef("pk"), review__isnull=True).exclude(
        requested_by=user
    )
    return list(
        matters_visible_to(user)
        .filter(Exists(pending), status="intake")
        .order_by("created_at")[:limit]
    )
