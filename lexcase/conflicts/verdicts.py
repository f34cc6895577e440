"""Conflict verdicts: each candidate's matters judged against the ACLA rules (docs/domain.md §3.3).

Verdicts, most severe first:

* ``absolute``: the firm may not act, even with consent (firm on both sides of a live matter;
  the same dispute with the sides reversed).
* ``consent_required``: allowed only with informed written consent (知情同意书): acting
  against a current client (Art. 52(3)), a retained-counsel client (Art. 52(4)), a client
  of a matter closed within a year (Art. 52(5)); a close relative of the firm's staff is the
  opposing party (Art. 52(1)).
* ``review``: a person must look: weak matches (name-only person, trade name, substring,
  fuzzy, pinyin) are capped here whatever rule they would trigger, and so are situations
  the rules leave to judgement (former client closed over a year ago, third parties).
* ``info``: recorded for the reviewer, no action implied (returning client, same side).

Rule reading (for the lead and the partners): a proposed client who is the opposing party
on a live matter is treated as absolute, because the check cannot tell whether the new
instruction is the same dispute; a partner who establishes that it is unrelated may
reclassify it as Art. 52(3). Related-party hits are capped at consent_required: the
relationship is for the partner to weigh, never an automatic bar.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TypedDict

from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.conflicts.engine import (
    ENGINE_VERSION,
    Candidate,
    CandidateList,
    Group,
    QueryParty,
    clean_credit_code,
    clean_id_number,
    clean_passport,
    find_candidates,
)
from lexcase.conflicts.models import StaffRelative, Verdict
from lexcase.matters.models import (
    MatterMember,
    MatterParty,
    MatterType,
    MemberRole,
    PartyRole,
    Status,
)
from lexcase.parties.identifiers import IdentifierError, validate_credit_code, validate_id_number
from lexcase.parties.models import Party, PartyKind, PartyRelation

__all__ = ["ENGINE_VERSION", "CheckResult", "Hit", "conflict_check"]

ABSOLUTE = Verdict.ABSOLUTE
CONSENT = Verdict.CONSENT_REQUIRED
REVIEW = Verdict.REVIEW
INFO = Verdict.INFO
SEVERITY: dict[str, int] = {ABSOLUTE: 3, CONSENT: 2, REVIEW: 1, INFO: 0}

_LIVE = {Status.INTAKE, Status.OPEN}
_CLOSE_RELATIVES = {
    StaffRelative.Relation.SPOUSE,
    StaffRelative.Relation.PARENT,
    StaffRelative.Relation.CHILD,
    StaffRelative.Relation.SIBLING,
}
# Art. 52(5) counts a year from the end of the mandate; 366 days covers a leap year.
_FORMER_CLIENT_WINDOW = timedelta(days=366)


class _HitBase(TypedDict):
    """What every hit of one candidate party repeats."""

    query: int
    party_id: int | None
    party_name: str
    matched_on: str
    score: int
    matched_text: str
    via_party_id: int | None


@dataclass(frozen=True)
class Hit:
    query: int  # index into the checked parties
    party_id: int | None
    party_name: str
    matched_on: str
    score: int
    matched_text: str
    matter_id: int | None
    matter_number: str
    matter_status: str
    matter_closed_on: date | None
    role_on_matter: str
    responsible_partner: str  # the partner's name, or ""
    verdict: str
    reason: str
    relative_id: int | None = None
    via_party_id: int | None = None
    staff_member: str = ""  # username of the staff member whose relative matched


@dataclass(frozen=True)
class CheckResult:
    hits: list[Hit]
    engine_version: str
    truncated: bool
    # Per checked party (query index), the weak matches counted rather than listed.
    groups: list[tuple[int, Group]] = field(default_factory=list)


def _cap(verdict: str, ceiling: str) -> str:
    return verdict if SEVERITY[verdict] <= SEVERITY[ceiling] else ceiling


@dataclass(frozen=True)
class _Link:
    """One MatterParty row with what the rules need."""

    matter_id: int
    number: str
    status: str
    matter_type: str
    closed_on: date | None
    role: str


def _rule(q_role: str, link: _Link, today: date, *, reversed_dispute: bool) -> tuple[str, str]:
    """The verdict and reason for a queried role against one existing matter role."""
    p = {
        "number": link.number,
        "status": str(Status(link.status).label) if link.status in Status.values else "",
        "date": link.closed_on.isoformat() if link.closed_on else "",
        "role": str(PartyRole(link.role).label) if link.role in PartyRole.values else link.role,
    }
    live = link.status in _LIVE
    if q_role == PartyRole.CLIENT:
        if link.role == PartyRole.OPPOSING:
            if live:
                return ABSOLUTE, _(
                    "Same party as the opposing party on open matter %(number)s, where the "
                    "firm acts for the other side: the firm cannot act for both sides."
                ) % p
            return REVIEW, _(
                "The firm acted against this party on matter %(number)s (closed): if the new "
                "matter is a later stage of the same case the firm cannot act at all; "
                "otherwise check that the former client's confidential information is not "
                "at stake."
            ) % p
        if link.role == PartyRole.CLIENT:
            # Worded by the other matter's status: a client of an intake is not yet the
            # firm's client, and one on an open matter is a current client, not a former one.
            if link.status == Status.INTAKE:
                return INFO, _(
                    "Also the client of intake %(number)s (not yet accepted by the firm)."
                ) % p
            if link.status == Status.OPEN:
                return INFO, _(
                    "Current client: the firm acts for it on open matter %(number)s."
                ) % p
            return INFO, _("Returning client: also the firm's client on matter %(number)s.") % p
        if link.role == PartyRole.THIRD_PARTY and live:
            return REVIEW, _(
                "Third party on open matter %(number)s: check that its interests there do not "
                "conflict with the firm's client on that matter."
            ) % p
    elif q_role == PartyRole.OPPOSING and link.role == PartyRole.CLIENT:
        if live and reversed_dispute:
            return ABSOLUTE, _(
                "Same dispute with the sides reversed: on open matter %(number)s the firm acts "
                "for this party against the proposed client, so the firm cannot act for both "
                "sides."
            ) % p
        if live and link.matter_type == MatterType.COUNSEL:
            return CONSENT, _(
                "Retained-counsel client (常年顾问) under matter %(number)s: acting against it "
                "needs the informed written consent of both clients (ACLA rules Art. 52(4))."
            ) % p
        if live:
            return CONSENT, _(
                "Current client of the firm on open matter %(number)s: taking a matter against "
                "a current client needs the informed written consent of both clients (ACLA "
                "rules Art. 52(3))."
            ) % p
        if link.closed_on is None:
            return CONSENT, _(
                "Former client on matter %(number)s, closed on an unrecorded date and so "
                "treated as closed within the last year: acting against it needs its informed "
                "written consent (ACLA rules Art. 52(5)); in a later stage of the same case "
                "the firm cannot act at all."
            ) % p
        if today - link.closed_on <= _FORMER_CLIENT_WINDOW:
            return CONSENT, _(
                "Former client on matter %(number)s, closed on %(date)s, less than a year ago: "
                "acting against it needs its informed written consent (ACLA rules Art. "
                "52(5)); in a later stage of the same case the firm cannot act at all."
            ) % p
        return REVIEW, _(
            "Former client on matter %(number)s, closed on %(date)s, more than a year ago: no "
            "consent is needed unless the new matter is a later stage of the same case (then "
            "the firm cannot act) or turns on the former client's confidential information."
        ) % p
    elif q_role == PartyRole.OPPOSING and link.role == PartyRole.OPPOSING:
        if link.status == Status.INTAKE:
            return INFO, _("Also named as an opposing party in intake %(number)s.") % p
        if link.status == Status.OPEN:
            return INFO, _(
                "Also an opposing party on open matter %(number)s: the firm is acting against "
                "this party now."
            ) % p
        return INFO, _(
            "Also an opposing party on matter %(number)s: the firm has acted against this "
            "party before."
        ) % p
    elif link.role == PartyRole.CLIENT and live:
        return REVIEW, _(
            "Current client of the firm on open matter %(number)s, and named as %(new_role)s "
            "in the new matter: check whether its interests are adverse to the new client."
        ) % {**p, "new_role": str(PartyRole(q_role).label) if q_role in PartyRole.values else ""}
    return INFO, _("Appears on matter %(number)s as %(role)s.") % p


def _weak_basis(c: Candidate) -> str:
    """Why a non-conclusive match cannot carry a verdict on its own."""
    if c.matched_on in {"name", "alias"}:
        return _(
            "Matched on the name only, and personal names often coincide: confirm the "
            "identity (ID number) before relying on this."
        )
    if c.matched_on == "core_name":
        return _(
            "Matched on the name without its legal form or bracketed tag: it may be a "
            "different company, such as a branch or a sister company."
        )
    if c.matched_on == "trade":
        return _("Matched on the trade name (字号) only: confirm it is the same company.")
    if c.matched_on == "substring":
        return _(
            "Matched because the searched name appears inside this name: confirm it is the "
            "same party."
        )
    if c.matched_on == "fuzzy":
        return _("Similar name (similarity %(score)s): confirm whether it is the same party.") % {
            "score": c.score
        }
    if c.matched_on == "typo":
        return _(
            "One character differs (a possible typing error): confirm whether it is the same party."
        )
    if c.matched_on == "pinyin":
        return _("Same pronunciation (pinyin) only: confirm whether it is the same party.")
    return ""


def _identifier_mismatch(q: QueryParty, party: Party | None, rel: StaffRelative | None) -> bool:
    """Both sides carry the same kind of identifier and the values differ."""
    pairs = []
    if party is not None:
        pairs = [
            (clean_id_number(q.id_number), party.id_number),
            (clean_credit_code(q.credit_code), party.credit_code),
            (clean_passport(q.passport), clean_passport(party.passport)),
        ]
    elif rel is not None:
        pairs = [(clean_id_number(q.id_number), rel.id_number)]
    return any(a and b and a != b for a, b in pairs)


_ID_FIELDS = ("id_number", "credit_code", "passport")


def _valid_as(field_name: str, value: str) -> bool:
    validator = validate_id_number if field_name == "id_number" else validate_credit_code
    try:
        validator(value)
    except IdentifierError:
        return False
    return True


def _routed_identifiers(q: QueryParty) -> tuple[QueryParty, QueryParty]:
    """(what is searched, what is compared) for the identifiers typed for `q`.

    The intake, the ad-hoc check and a party joining a matter have one "ID number / credit
    code" box, routed by the kind chosen: a foreign person's passport lands in `id_number`,
    a sole trader's credit code for a party marked as a person too. Each value goes where
    its check digits say it belongs (a valid ID number, a valid credit code, else a
    passport or other number), so it is looked up as the number it is and compared with
    that number on file only; the search also keeps each value where it was typed (a staff
    relative's number is stored unchecked)."""
    stated: dict[str, str] = dict.fromkeys(_ID_FIELDS, "")
    typed = [(f, getattr(q, f)) for f in _ID_FIELDS if getattr(q, f)]
    for typed_field, value in typed:
        if typed_field == "passport":
            homes = ["passport"]
        else:
            other = "credit_code" if typed_field == "id_number" else "id_number"
            homes = [f for f in (typed_field, other) if _valid_as(f, value)] or ["passport"]
        home = next((f for f in homes if not stated[f]), "")
        if home:
            stated[home] = value
    compared = replace(q, **stated)
    searched = replace(compared, **{f: value for f, value in typed if not getattr(compared, f)})
    return searched, compared


_LATIN_NAME_PARTS = 5
# Up to this many parts every order is tried (6 for three); beyond, the rotations only.
_LATIN_ANY_ORDER = 3
_LATIN_SEPARATORS = re.compile(r"[\s,]+")


def _latin_orders(name: str) -> list[str]:
    """A person's Latin-script name in its other orders ("Smith John", "SMITH, John" for
    John Smith): documents write a foreign name given-name first or family-name first, the
    passport and a court's party list often the latter, with a comma. Each order plain and
    with a comma after its first part (a name may be on file that way). Empty for a name
    with any non-Latin letter (a Chinese name's order is its meaning) or of one part or more
    than `_LATIN_NAME_PARTS`."""
    text = unicodedata.normalize("NFKC", name)
    if not all(c.isspace() or c in ",.-'" or (c.isalpha() and ord(c) < 0x250) for c in text):
        return []
    parts = [p for p in _LATIN_SEPARATORS.split(text) if p]
    if not 2 <= len(parts) <= _LATIN_NAME_PARTS:
        return []
    if len(parts) <= _LATIN_ANY_ORDER:
        arrangements: list[tuple[str, ...]] = list(itertools.permutations(parts))
    else:  # the family name moved to the front or the back, or the whole name reversed
        arrangements = [tuple(parts[i:] + parts[:i]) for i in range(len(parts))]
        arrangements.append(tuple(reversed(parts)))
    orders: list[str] = []
    for order in arrangements:
        for form in (" ".join(order), f"{order[0]}, {' '.join(order[1:])}"):
            if form != text and form not in orders:
                orders.append(form)
    return orders


def _merged(found: CandidateList, more: list[Candidate]) -> CandidateList:
    """`found` with the candidates of another form of the name: one per stored party or
    relative (and the party it was reached through), the stronger kept."""
    best = {(c.owner, c.via_party_id, c.relation): c for c in found}
    for c in more:
        key = (c.owner, c.via_party_id, c.relation)
        current = best.get(key)
        if current is None or (c.conclusive, c.score) > (current.conclusive, current.score):
            best[key] = c
    merged = CandidateList(best.values())
    merged.groups = found.groups
    merged.truncated = found.truncated
    return merged


def _find(q: QueryParty) -> CandidateList:
    """The engine's candidates for `q`, and, for a person's Latin-script name, for the
    name's other orders (by name only: the numbers were looked up with the first)."""
    candidates = find_candidates(q)
    if q.kind != PartyKind.PERSON:
        return candidates
    for other in _latin_orders(q.name):
        name_only = QueryParty(name=other, kind=q.kind, role=q.role)
        candidates = _merged(candidates, list(find_candidates(name_only)))
    return candidates


def _if_same(verdict: str) -> str:
    if verdict == ABSOLUTE:
        return _("If it is the same party, this is an absolute conflict.")
    if verdict == CONSENT:
        return _("If it is the same party, the firm needs informed written consent.")
    return ""


def _relation_sentence(c: Candidate, parties: dict[int, Party]) -> str:
    party = parties.get(c.party_id or 0)
    via = parties.get(c.via_party_id or 0)
    if party is None or via is None:
        return ""
    kind, candidate_is_source = {
        "legal_rep_of": (PartyRelation.Kind.LEGAL_REPRESENTATIVE, True),
        "has_legal_rep": (PartyRelation.Kind.LEGAL_REPRESENTATIVE, False),
        "parent_of": (PartyRelation.Kind.PARENT, True),
        "subsidiary_of": (PartyRelation.Kind.PARENT, False),
        "shareholder_of": (PartyRelation.Kind.SHAREHOLDER, True),
        "has_shareholder": (PartyRelation.Kind.SHAREHOLDER, False),
        "relative_of": (PartyRelation.Kind.RELATIVE, True),
    }[c.relation]
    source, target = (party, via) if candidate_is_source else (via, party)
    relation = PartyRelation(source=source, target=target, kind=kind).sentence()
    return _(
        "Related party: %(relation)s, and %(via)s matches the checked party. Related-party "
        "hits are for the partner to weigh; they are never an absolute bar."
    ) % {"relation": relation, "via": via.name}


def _relative_hit(
    index: int, q: QueryParty, c: Candidate, rel: StaffRelative, mismatch: bool
) -> Hit:
    staff = rel.user
    p = {
        "relative": rel.name,
        "relation": str(StaffRelative.Relation(rel.relation).label).lower(),
        "staff": staff.display_name,
    }
    close = rel.relation in _CLOSE_RELATIVES
    verdict: str
    if q.role == PartyRole.OPPOSING and close:
        verdict, reason = (
            CONSENT,
            _(
                "%(relative)s (%(relation)s of the firm's %(staff)s) matches the opposing party: "
                "a lawyer of the firm is a close relative of the opposing party, so the firm may "
                "act only with the client's informed written consent (ACLA rules Art. 52(1)), and "
                "%(staff)s must not handle the matter."
            )
            % p,
        )
    elif q.role == PartyRole.OPPOSING:
        verdict, reason = (
            REVIEW,
            _(
                "%(relative)s (%(relation)s of the firm's %(staff)s) matches the opposing party: "
                "not a close relative in law; decide whether the tie is close enough to need "
                "consent."
            )
            % p,
        )
    elif q.role == PartyRole.CLIENT:
        verdict, reason = (
            INFO,
            _(
                "%(relative)s (%(relation)s of the firm's %(staff)s) matches the proposed client: "
                "no rule bars this, but %(staff)s should not handle the matter."
            )
            % p,
        )
    else:
        verdict, reason = (
            REVIEW,
            _(
                "%(relative)s (%(relation)s of the firm's %(staff)s) matches a party of the new "
                "matter: check whether its interests are adverse to the client."
            )
            % p,
        )
    # A staff member's relatives are few and recorded on purpose, so an exact name there is
    # taken as the relative (unlike an exact personal name among all parties): the reason
    # tells the partner to ask the staff member. Looser matches only ask for review.
    if c.matched_on not in {"id", "name", "alias"}:
        full = verdict
        verdict = _cap(verdict, REVIEW)
        basis = _weak_basis(c)
        reason = f"{reason} {basis} {_if_same(full) if full != verdict else ''}".strip()
    if mismatch:
        verdict = _cap(verdict, INFO)
        reason += " " + _("The ID numbers differ, so this is probably a different person.")
    return Hit(
        query=index,
        party_id=None,
        party_name=rel.name,
        matched_on=c.matched_on,
        score=c.score,
        matched_text=c.matched_text,
        matter_id=None,
        matter_number="",
        matter_status="",
        matter_closed_on=None,
        role_on_matter="",
        responsible_partner="",
        verdict=verdict,
        reason=reason,
        relative_id=rel.pk,
        staff_member=staff.username,
    )


def conflict_check(
    parties: list[QueryParty],
    *,
    exclude_matter_id: int | None = None,
    today: date | None = None,
) -> CheckResult:
    """Check the parties of a proposed matter against every matter of the firm.

    All matters count, whatever their status or type (closed, archived, consultations,
    retained counsel), except `exclude_matter_id` (the intake matter being checked).
    """
    today = today or timezone.localdate()
    found: list[list[Candidate]] = []
    truncated = False
    groups: list[tuple[int, Group]] = []
    routed = [_routed_identifiers(q) for q in parties]
    for index, (searched, _compared) in enumerate(routed):
        candidates = _find(searched)
        truncated |= candidates.truncated
        found.append(list(candidates))
        groups += [(index, g) for g in candidates.groups]

    party_ids = {c.party_id for cs in found for c in cs if c.party_id is not None}
    party_ids |= {c.via_party_id for cs in found for c in cs if c.via_party_id is not None}
    party_map = {p.pk: p for p in Party.objects.filter(pk__in=party_ids)}
    links: dict[int, list[_Link]] = defaultdict(list)
    rows = MatterParty.objects.filter(party_id__in=party_ids).select_related("matter")
    if exclude_matter_id is not None:
        rows = rows.exclude(matter_id=exclude_matter_id)
    for mp in rows.order_by("matter_id", "id"):
        m = mp.matter
        links[mp.party_id].append(
            _Link(m.pk, m.number, m.status, m.matter_type, m.closed_on, mp.role)
        )
    matter_ids = {link.matter_id for ls in links.values() for link in ls}
    # The partner by name, as a reader of the report knows them (the login is no name).
    partners = {
        matter_id: name or username
        for matter_id, name, username in MatterMember.objects.filter(
            matter_id__in=matter_ids, role=MemberRole.RESPONSIBLE_PARTNER
        ).values_list("matter_id", "user__name", "user__username")
    }
    relative_ids = {c.relative_id for cs in found for c in cs if c.relative_id is not None}
    relatives = {
        r.pk: r for r in StaffRelative.objects.filter(pk__in=relative_ids).select_related("user")
    }

    # Same dispute reversed: a proposed client conclusively matches the opposing party of a
    # live matter. Recorded per matter, to upgrade the proposed opponent who is that
    # matter's client.
    client_was_opposing: set[int] = set()
    for q, cs in zip(parties, found, strict=True):
        if q.role != PartyRole.CLIENT:
            continue
        for c in cs:
            if c.party_id is None or not c.conclusive or c.matched_on == "related":
                continue
            for link in links.get(c.party_id, []):
                if link.role == PartyRole.OPPOSING and link.status in _LIVE:
                    client_was_opposing.add(link.matter_id)

    hits: list[Hit] = []
    compared = [c for _searched, c in routed]
    for index, (q, cs) in enumerate(zip(compared, found, strict=True)):
        for c in cs:
            if c.relative_id is not None:
                rel = relatives.get(c.relative_id)
                if rel is not None:
                    mismatch = _identifier_mismatch(q, None, rel)
                    hits.append(_relative_hit(index, q, c, rel, mismatch))
                continue
            party = party_map.get(c.party_id or 0)
            if party is None:
                continue
            hits.extend(
                _party_hits(
                    index, q, c, party, party_map, links, partners, today, client_was_opposing
                )
            )
    hits.sort(
        key=lambda h: (
            -SEVERITY[h.verdict],
            -h.score,
            h.query,
            h.party_id or 0,
            h.relative_id or 0,
            h.matter_id or 0,
        )
    )
    return CheckResult(hits=hits, engine_version=ENGINE_VERSION, truncated=truncated, groups=groups)


def _party_hits(
    index: int,
    q: QueryParty,
    c: Candidate,
    party: Party,
    party_map: dict[int, Party],
    links: dict[int, list[_Link]],
    partners: dict[int, str],
    today: date,
    client_was_opposing: set[int],
) -> list[Hit]:
    mismatch = c.matched_on != "related" and _identifier_mismatch(q, party, None)
    if c.matched_on == "related":
        ceiling = CONSENT if c.conclusive else REVIEW
        prefix = _relation_sentence(c, party_map)
        basis = "" if c.conclusive else _weak_basis_of_via(c)
    elif c.conclusive:
        ceiling, prefix, basis = ABSOLUTE, "", ""
    else:
        ceiling, prefix, basis = REVIEW, "", _weak_basis(c)
    if c.features:
        basis = " ".join(s for s in (_features_sentence(c.features), basis) if s)
    base = _HitBase(
        query=index,
        party_id=party.pk,
        party_name=party.name,
        matched_on=c.matched_on,
        score=c.score,
        matched_text=c.matched_text,
        via_party_id=c.via_party_id,
    )
    party_links = links.get(party.pk, [])
    if not party_links:
        reason = _("Known party with no other matter on file.")
        return [
            Hit(
                **base,
                matter_id=None,
                matter_number="",
                matter_status="",
                matter_closed_on=None,
                role_on_matter="",
                responsible_partner="",
                verdict=INFO,
                reason=" ".join(s for s in (prefix, reason) if s),
            )
        ]
    hits = []
    for link in party_links:
        full, rule_reason = _rule(
            q.role, link, today, reversed_dispute=link.matter_id in client_was_opposing
        )
        verdict = _cap(full, ceiling)
        parts = [prefix, rule_reason]
        if verdict != full:
            parts += [basis, _if_same(full)]
        if mismatch:
            verdict = _cap(verdict, INFO if party.kind == PartyKind.PERSON else REVIEW)
            parts.append(
                _(
                    "The identifiers on file differ from the ones given, so this is probably a "
                    "different party."
                )
            )
        hits.append(
            Hit(
                **base,
                matter_id=link.matter_id,
                matter_number=link.number,
                matter_status=link.status,
                matter_closed_on=link.closed_on,
                role_on_matter=link.role,
                responsible_partner=partners.get(link.matter_id, ""),
                verdict=verdict,
                reason=" ".join(s for s in parts if s),
            )
        )
    return hits


def _weak_basis_of_via(c: Candidate) -> str:
    del c
    return _("The checked party matched the related party only loosely: confirm that match first.")


def _features_sentence(features: tuple[str, ...]) -> str:
    """What an organisation hit shares with the checked one, feature by feature."""
    labels = {
        "trade": _("trade name (字号)"),
        "trade_typo": _("trade name (字号) but for one character"),
        "region": _("region"),
        "industry": _("industry"),
        "form": _("legal form"),
    }
    shared = ", ".join(str(labels[f]) for f in features if f in labels)
    return _("Same %(features)s.") % {"features": shared} if shared else ""
