"""Reads of conflict reports, through the confidentiality gate.

A check searches the whole firm, but a hit on a matter the reader cannot see shows only the
matter number, its responsible partner and the verdict: enough to go and ask, nothing of
the other client's affairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from lexcase.accounts.models import Role, User
from lexcase.accounts.selectors import active_staff
from lexcase.conflicts.engine import Candidate, QueryParty, find_candidates
from lexcase.conflicts.models import ConflictCheck, StaffRelative
from lexcase.matters.models import Matter, PartyRole
from lexcase.matters.selectors import matters_visible_to, parties_visible_to
from lexcase.parties.models import Party, PartyKind

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


# How many candidates the suggestions look at before the gate, and how many they show.
SUGGEST_CANDIDATES = 200
SUGGEST_LIMIT = 8


@dataclass(frozen=True)
class Suggestion:
    party: Party
    matched_on: str
    matched_text: str


def party_suggestions(*, user: Any, name: str, limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
    """Existing parties that may be the one being typed at intake, best first.

    Candidates come from the conflict index (never a scan of the party table), and only
    parties the user may see in full are suggested: a party known only from matters the
    user cannot see is not even hinted at here (the conflict check reports it, redacted).
    The query is made as an organisation, whose keys (core and trade names) are a superset
    of a person's.
    """
    name = " ".join((name or "").split())[:200]
    if not name:
        return []
    candidates = find_candidates(
        QueryParty(name=name, kind=PartyKind.ORGANIZATION, role=PartyRole.CLIENT)
    )
    best: dict[int, Candidate] = {}
    for candidate in candidates:
        # Related parties are reached through another party's name, not the typed one.
        if candidate.party_id is None or candidate.matched_on == "related":
            continue
        best.setdefault(candidate.party_id, candidate)
        if len(best) >= SUGGEST_CANDIDATES:
            break
    visible = {p.pk: p for p in parties_visible_to(user).filter(pk__in=list(best))}
    return [
        Suggestion(party=visible[pk], matched_on=c.matched_on, matched_text=c.matched_text)
        for pk, c in best.items()
        if pk in visible
    ][:limit]


def staff_relatives_of(*, user: Any) -> QuerySet[StaffRelative]:
    return StaffRelative.objects.filter(user=user).order_by("name", "id")


def staff_members() -> QuerySet[User]:
    """Whose relatives an administrator may manage: active staff (not portal clients)."""
    return active_staff().order_by("username")


def staff_member_get(*, pk: Any) -> User:
    try:
        return staff_members().get(pk=int(pk))
    except (TypeError, ValueError, User.DoesNotExist):
        raise Http404 from None


def staff_relative_get(*, user: Any, pk: Any) -> StaffRelative:
    """A relative its owner or an administrator may manage; to anyone else it does not exist
    (404), as a relative's name is nobody else's business."""
    relatives = StaffRelative.objects.select_related("user")
    if getattr(user, "role", None) != Role.ADMIN:
        relatives = relatives.filter(user=user)
    relative = relatives.filter(pk=pk).first()
    if relative is None:
        raise Http404
    return relative
