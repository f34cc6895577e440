"""Reads of conflict reports, through the confidentiality gate.

A check searches the whole firm, but what a reader is told about a matter they cannot see
is only that such a matter matched and that a partner who can see it decides: no matter
id, number, status, responsible partner, role, verdict or match detail. Stored reports keep
every hit; the redaction is applied here, for each reader, every time a report is read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from lexcase.accounts.models import AnyUser, User
from lexcase.accounts.rules import is_firm_admin
from lexcase.accounts.selectors import active_staff
from lexcase.conflicts.engine import Candidate, QueryParty, find_candidates
from lexcase.conflicts.models import ConflictCheck, NameGram, StaffRelative, Verdict
from lexcase.conflicts.rules import self_review_allowed
from lexcase.core.fixedsql import fixed_first
from lexcase.core.validators import unstorable_message
from lexcase.matters.extensions import PartyNameGrams
from lexcase.matters.models import Matter, PartyRole
from lexcase.matters.selectors import matters_visible_to, parties_visible_to
from lexcase.parties.models import Party, PartyKind

SEVERITY = tuple(Verdict)  # most severe first
# What a hidden line claims: someone must look. It is the same whatever the hidden hit's
# real verdict, so the line never tells which side the hidden party is on.
HIDDEN_VERDICT = "review"


class ShownHits(list[dict[str, Any]]):
    """A report's hits as one reader may see them, most severe first.

    `worst` is the worst verdict among them (not the stored report's, which may come from a
    hidden hit); `hidden` says some hit is on a matter the reader cannot see, so the reader
    cannot decide the check.
    """

    worst: str = ""
    hidden: bool = False
    # The check's groups as this reader may read them (`groups_for_user`).
    groups: list[dict[str, Any]] = []  # replaced per instance, never mutated


def _hidden_line(query: Any) -> dict[str, Any]:
    return {
        "query": query,
        "party_id": None,
        "party_name": None,
        "matched_on": "hidden",
        "score": 0,
        "matched_text": None,
        "matter_id": None,
        "matter_number": None,
        "matter_status": None,
        "matter_closed_on": None,
        "role_on_matter": None,
        "responsible_partner": None,
        "verdict": HIDDEN_VERDICT,
        "reason": _(
            "A matter you cannot see also matches this name. Its details are withheld: the "
            "conflict review goes to a partner who can see that matter, and they decide."
        ),
        "relative_id": None,
        "via_party_id": None,
        "staff_member": None,
        "redacted": True,
    }


def hidden_matter_ids(*, user: AnyUser, hits: list[dict[str, Any]]) -> set[int]:
    """The matters of `hits` that `user` cannot see."""
    matter_ids = {h["matter_id"] for h in hits if h.get("matter_id")}
    if not matter_ids:
        return set()
    visible = matters_visible_to(user).filter(pk__in=matter_ids).values_list("pk", flat=True)
    return matter_ids - set(visible)


def groups_for_user(
    *, groups: list[dict[str, Any]], hidden_queries: list[Any]
) -> list[dict[str, Any]]:
    """The check's groups (weak matches counted, not listed) as a reader may read them. A
    group lists up to a fixed number of its members among the hits; with its counts, a reader
    who counts the listed hits they see would learn how many listed ones are on matters
    hidden from them. So for a checked name with a hidden line, its groups come without
    their numbers (`withheld`): that more parties matched this way, nothing more."""
    shown = []
    for group in groups:
        if group.get("query") in hidden_queries:
            shown.append(
                {**group, "total": None, "listed": None, "grouped": None, "withheld": True}
            )
        else:
            shown.append({**group, "withheld": False})
    return shown


def hits_for_user(
    *, user: AnyUser, hits: list[dict[str, Any]], groups: list[dict[str, Any]] | None = None
) -> ShownHits:
    """The hits `user` may read. Hits on matters they cannot see become one line per checked
    name that has any: that something hidden matched this name, nothing more (no count, as
    "how many hidden matters" is itself a fact about them). Which checked name it is, is no
    more than checking that name alone would tell; the line's verdict is always "review"."""
    hidden = hidden_matter_ids(user=user, hits=hits)
    # A related-party hit names the party it was reached through and how the two relate; a
    # party the reader cannot see (known only from hidden matters) must not be named that way
    # either, so such a hit counts as hidden too. Its query has a hidden line anyway: the
    # party it went through has its own hits on those hidden matters.
    via_ids = {h["via_party_id"] for h in hits if h.get("via_party_id")}
    unseen_via = via_ids - set(
        parties_visible_to(user).filter(pk__in=via_ids).values_list("pk", flat=True)
    )
    shown: list[dict[str, Any]] = []
    hidden_queries: list[Any] = []
    for hit in hits:
        if hit.get("matter_id") in hidden or hit.get("via_party_id") in unseen_via:
            if hit.get("query") not in hidden_queries:
                hidden_queries.append(hit.get("query"))
            continue
        shown.append({**hit, "redacted": False})
    shown += [_hidden_line(q) for q in sorted(hidden_queries, key=lambda q: (q is None, q))]
    # Stable: the stored order (severity, score) holds within each verdict.
    rank: dict[str, int] = {verdict: index for index, verdict in enumerate(SEVERITY)}
    shown.sort(key=lambda h: rank.get(h.get("verdict") or "", len(rank)))
    result = ShownHits(shown)
    verdicts = {h.get("verdict") for h in shown}
    result.worst = next((v for v in SEVERITY if v in verdicts), "")
    result.hidden = bool(hidden_queries)
    result.groups = groups_for_user(groups=groups or [], hidden_queries=hidden_queries)
    return result


def matter_latest_check(*, matter: Matter) -> ConflictCheck | None:
    # `matter` has passed the gate already.
    return fixed_first(
        "conflicts.latest_check",
        lambda m: m.conflict_checks.select_related("review", "review__reviewer"),
        matter,
    )


def intakes_awaiting_review(*, user: User, limit: int = 20) -> list[Matter]:
    """The reviewer's queue: visible intakes with a conflict check nobody has decided yet,
    requested by someone else (a requester never reviews their own intake), and whose latest
    check found only matters the reviewer can see: a check that hit a matter hidden from them
    goes to the partners (or admins) who can see it, since only they can weigh it."""
    if not user.has_perm("conflicts.review"):
        return []
    pending = ConflictCheck.objects.filter(matter=OuterRef("pk"), review__isnull=True)
    if not self_review_allowed():
        pending = pending.exclude(requested_by=user)
    intakes = (
        matters_visible_to(user).filter(Exists(pending), status="intake").order_by("created_at")
    )
    queue: list[Matter] = []
    batch = max(limit, 50)
    offset = 0
    while len(queue) < limit:
        page = list(intakes[offset : offset + batch])
        if not page:
            break
        offset += batch
        latest = _latest_checks([m.pk for m in page])
        hits = [h for check in latest.values() for h in check.hits]
        hidden = hidden_matter_ids(user=user, hits=hits)
        for matter in page:
            check = latest.get(matter.pk)
            if check is not None and any(h.get("matter_id") in hidden for h in check.hits):
                continue
            queue.append(matter)
    return queue[:limit]


def _latest_checks(matter_ids: list[int]) -> dict[int, ConflictCheck]:
    latest: dict[int, ConflictCheck] = {}
    for check in ConflictCheck.objects.filter(matter_id__in=matter_ids).order_by("-id"):
        if check.matter_id is not None:  # always: filtered by matter
            latest.setdefault(check.matter_id, check)
    return latest


# How many candidates the suggestions look at before the gate, and how many they show.
SUGGEST_CANDIDATES = 200
SUGGEST_LIMIT = 8


@dataclass(frozen=True)
class Suggestion:
    party: Party
    matched_on: str
    matched_text: str


def party_suggestions(*, user: AnyUser, name: str, limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
    """Existing parties that may be the one being typed at intake, best first.

    Candidates come from the conflict index (never a scan of the party table), and only
    parties the user may see in full are suggested: a party known only from matters the
    user cannot see is not even hinted at here (the conflict check reports it, redacted).
    The query is made as an organisation, whose keys (core and trade names) are a superset
    of a person's.
    """
    name = " ".join((name or "").split())[:200]
    if not name or unstorable_message(name):
        return []  # nothing to suggest for text no party's name holds (a NUL: 500 on PG)
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


def staff_relatives_of(*, user: User) -> QuerySet[StaffRelative]:
    return StaffRelative.objects.filter(user=user).order_by("name", "id")


def staff_members() -> QuerySet[User]:
    """Whose relatives an administrator may manage: active staff (not portal clients)."""
    return active_staff().order_by("username")


def staff_member_get(*, pk: Any) -> User:
    try:
        return staff_members().get(pk=int(pk))
    except (TypeError, ValueError, User.DoesNotExist):
        raise Http404 from None


def staff_relative_get(*, user: User, pk: Any) -> StaffRelative:
    """A relative its owner or an administrator may manage; to anyone else it does not exist
    (404), as a relative's name is nobody else's business."""
    relatives = StaffRelative.objects.select_related("user")
    if not is_firm_admin(user):
        relatives = relatives.filter(user=user)
    relative = relatives.filter(pk=pk).first()
    if relative is None:
        raise Http404
    return relative


# -- The party directory's name grams (registered with the gate, matters.extensions) -----


def name_gram_counts(grams: list[str], cap: int) -> list[int]:
    """The number of parties holding each of `grams` in the conflict index, each capped at
    `cap` + 1, in one query (an index range per gram, never more than `cap` + 1 entries)."""
    # Table names from the models; every value is a parameter.
    table = connection.ops.quote_name(NameGram._meta.db_table)
    arm = f"SELECT 1 FROM {table} WHERE gram = %s AND party_id IS NOT NULL LIMIT %s"  # noqa: S608
    arms = [f"(SELECT COUNT(*) FROM ({arm}) g{i})" for i in range(len(grams))]  # noqa: S608
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(arms), [x for g in grams for x in (g, cap + 1)])
        row = cur.fetchone()
    return [int(n) for n in row]


def name_gram_parties(grams: list[str]) -> QuerySet[Any]:
    """Party ids holding every one of `grams`: the first's index range, each further gram
    an index probe per party of the first (in the order given: the rarest first)."""
    rows = NameGram.objects.filter(gram=grams[0], party__isnull=False)
    for gram in grams[1:]:
        also = NameGram.objects.filter(gram=gram, party_id=OuterRef("party_id"))
        rows = rows.filter(Exists(also))
    return rows.values("party_id")


NAME_GRAMS = PartyNameGrams(counts=name_gram_counts, parties=name_gram_parties)
