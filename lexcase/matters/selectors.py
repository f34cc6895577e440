"""The confidentiality gate: every read of a matter, or of anything hanging off it, is here.

Who sees a matter (律师法 Art. 38; docs/architecture.md, "The confidentiality gate"):
- its members (any role on the team, the responsible partner included);
- partners and administrators, unless the matter is confidential (members only);
- nobody who is walled off it, whatever else would admit them;
- never an inactive or anonymous user.
"""

from __future__ import annotations

import base64
import copy
import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Field,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.functions import Cast, Replace
from django.db.models.lookups import In, IsNull
from django.db.models.query import (  # type: ignore[attr-defined]  # internals, see _instances
    _get_from_db,
    get_related_populators,
)
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.http import Http404
from django.utils import timezone

from lexcase.accounts.models import AnyUser, User
from lexcase.accounts.rules import is_active_staff
from lexcase.core.fieldcrypt import blind_indexes
from lexcase.core.fixedsql import converted_rows, fixed_first, fixed_rows, lean_converters
from lexcase.core.validators import civil_day, has_utf8
from lexcase.matters.case_numbers import case_number_search_key
from lexcase.matters.extensions import (
    matter_page_peek,
    matter_page_read,
    matter_text_index,
    party_name_grams,
)
from lexcase.matters.models import (
    CourtCaseNumber,
    EthicalWall,
    Matter,
    MatterMember,
    MatterParty,
    MemberRole,
    PartyReach,
    PartyRole,
    TimelineEntry,
)
from lexcase.matters.rules import member_roles_known, sees_all_money, sees_every_open_file
from lexcase.parties.identifiers import normalize_identifier
from lexcase.parties.models import Party, PartyAlias, PartyRelation
from lexcase.parties.names import normalize_name, without_org_suffix


def matters_visible_to(user: AnyUser) -> QuerySet[Matter]:
    if not is_active_staff(user) or not isinstance(user, User):
        return Matter.objects.none()
    member = Exists(MatterMember.objects.filter(matter=OuterRef("pk"), user=user))
    walled = Exists(EthicalWall.objects.filter(matter=OuterRef("pk"), user=user))
    admitted = Q(member)
    if sees_every_open_file(user):
        # The row's own column first: both databases test an OR's terms in the order
        # written, so the membership probe runs only for the few confidential matters
        # (a full party name's ≈ 300 matches at 100k: ≈ 0.4 ms of a ≈ 2 ms ids query on
        # SQLite). The same matters either way.
        admitted = Q(confidential=False) | admitted
    return Matter.objects.filter(admitted).exclude(walled)


def matters_visible_in_bulk(user: AnyUser) -> QuerySet[Matter]:
    """Exactly the matters of `matters_visible_to(user)`, written for aggregates over the whole
    firm: the user's memberships and walls as uncorrelated `IN` subqueries, which the database
    evaluates once per query (a hashed set) instead of probing both tables for every matter
    (the firm dashboard gates ~18 queries per page over 100k matters; bench/dashboard.py)."""
    if not is_active_staff(user) or not isinstance(user, User):
        return Matter.objects.none()
    mine = MatterMember.objects.filter(user=user).values("matter_id")
    walled = EthicalWall.objects.filter(user=user).values("matter_id")
    admitted = Q(pk__in=mine)
    if sees_every_open_file(user):
        admitted = Q(confidential=False) | admitted
    return Matter.objects.filter(admitted).exclude(pk__in=walled)


def matters_hidden_in_bulk(user: AnyUser) -> QuerySet[Matter]:
    """Exactly the matters `matters_visible_in_bulk(user)` leaves out: for a reader who sees
    every non-confidential matter (partners, administrators) the confidential matters they are
    not on plus the matters they are walled off — a few percent of the firm; for anyone else
    nearly every matter (use it only for the former, see `MatterSet`)."""
    if not is_active_staff(user) or not isinstance(user, User):
        return Matter.objects.all()
    mine = MatterMember.objects.filter(user=user).values("matter_id")
    walled = EthicalWall.objects.filter(user=user).values("matter_id")
    admitted = Q(pk__in=mine)
    if sees_every_open_file(user):
        admitted = Q(confidential=False) | admitted
    return Matter.objects.filter(~admitted | Q(pk__in=walled))


@dataclass(frozen=True)
class MatterSet:
    """A set of matters that passed the gate, for aggregates over the rows hanging off them
    (tasks, deadlines, reviews, bills, …; the firm dashboard). `matters` is the set; `hidden`,
    when given, is its exact complement as a union of single-column querysets of matter ids
    (the confidential matters the reader is not on; their walls). Rows are tested with
    `rows()`: `matter IN (matters)`, or, with `hidden`, `matter NOT IN (…)` for each part —
    for a reader who sees nearly the whole firm a few short lists, each evaluated once per
    query, which leave the row table's own indexes to the planner (SQLite plans
    `IN (SELECT …)` as ~25 rows and probes the row table once per visible matter instead;
    PostgreSQL hash-joins every visible matter; bench/dashboard.py)."""

    matters: QuerySet[Matter]
    hidden: tuple[QuerySet[Any], ...] | None = None

    def rows(self, field: str = "matter") -> Q:
        """Rows whose `field` (a foreign key to a matter) is in the set; never a row on no
        matter."""
        if self.hidden is None:
            return Q(**{f"{field}__in": self.matters.values("pk")})
        # `NOT (matter_id IN (…))` as a plain lookup: `~Q(matter__in=…)` on a nullable key
        # adds `OR matter_id IS NULL` to each, which kept PostgreSQL off the row table's
        # covering index; rows on no matter are left out by the first test.
        q = Q(**{f"{field}__isnull": False})
        for ids in self.hidden:
            q &= ~Q(In(F(field), ids))
        return q

    def hidden_matters(self) -> QuerySet[Matter]:
        """The complement as matters (every matter not in the set), for tests and checks."""
        if self.hidden is None:
            return Matter.objects.exclude(pk__in=self.matters.values("pk"))
        q = Q(pk__in=[])
        for ids in self.hidden:
            q |= Q(pk__in=ids)
        return Matter.objects.filter(q)

    def filter(self, *args: Any, **kwargs: Any) -> MatterSet:
        """The matters of the set that also match `Matter.objects.filter(*args, **kwargs)`."""
        if self.hidden is None:
            return MatterSet(self.matters.filter(*args, **kwargs))
        # The complement grows by the matters the filter drops: `exclude` is exactly "not
        # matching" (NULLs included).
        dropped = Matter.objects.exclude(*args, **kwargs).values("pk")
        return MatterSet(self.matters.filter(*args, **kwargs), (*self.hidden, dropped))


def matters_in_bulk(user: AnyUser) -> MatterSet:
    """`matters_visible_in_bulk(user)` as a `MatterSet`: with its complement for a reader who
    sees every non-confidential matter (the confidential matters they are not on, and their
    walls: a few percent of the firm), without it for anyone else."""
    visible = matters_visible_in_bulk(user)
    if not (is_active_staff(user) and isinstance(user, User) and sees_every_open_file(user)):
        return MatterSet(visible)
    mine = MatterMember.objects.filter(user=user).values("matter_id")
    secret = Matter.objects.filter(confidential=True).exclude(pk__in=mine).values("pk")
    walled = EthicalWall.objects.filter(user=user).values("matter_id")
    return MatterSet(visible, (secret, walled))


def matters_money_visible_to(user: AnyUser) -> QuerySet[Matter]:
    """The money gate: whose fee agreements, time, expenses, bills and payments `user` may
    read — and of the matter itself only its number, title, client and amounts. Finance and
    administrators see the money of every matter, confidential ones included (the firm
    books every fee: 律师法 Arts. 25, 40); everyone else exactly the matters the
    confidentiality gate shows them. An ethical wall removes a matter for everyone. Nothing
    else of a matter (documents, communications, tasks, summary) is ever read through this."""
    if not is_active_staff(user) or not isinstance(user, User):
        return Matter.objects.none()
    if sees_all_money(user):
        walled = Exists(EthicalWall.objects.filter(matter=OuterRef("pk"), user=user))
        return Matter.objects.exclude(walled)
    return matters_visible_to(user)


def visible_through(user: AnyUser, field: str = "matter") -> Q:
    """The same rule as `matters_visible_to`, as a filter on rows that point at a matter
    through `field`: correlated EXISTS per row instead of materialising every visible
    matter first (SQLite agenda for a partner: 645 ms -> 24 ms at 100k matters)."""
    if not is_active_staff(user) or not isinstance(user, User):
        return Q(pk__in=[])
    matter_ref = OuterRef(f"{field}_id")
    member = Exists(MatterMember.objects.filter(matter=matter_ref, user=user))
    walled = Exists(EthicalWall.objects.filter(matter=matter_ref, user=user))
    admitted = Q(member)
    if sees_every_open_file(user):
        admitted |= Q(**{f"{field}__confidential": False})
    return admitted & ~Q(walled)


def money_visible_through(user: AnyUser, field: str = "matter") -> Q:
    """The money gate (`matters_money_visible_to`) as a filter on rows that point at a matter
    through `field`. Finance and administrators: a correlated NOT EXISTS (wall on this row's
    matter) per row, instead of an IN list of every matter in the firm (SQLite built that
    list for every time entry of the fee statement: 53× the bare aggregate at 1M entries);
    everyone else: `visible_through`."""
    if not is_active_staff(user) or not isinstance(user, User):
        return Q(pk__in=[])
    if sees_all_money(user):
        walled = Exists(EthicalWall.objects.filter(matter=OuterRef(f"{field}_id"), user=user))
        return ~Q(walled)
    return visible_through(user, field)


def matter_get(*, user: AnyUser, pk: Any) -> Matter:
    """The matter if `user` may see it; 404 otherwise, so existence never leaks."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        # No row has it; past 64 bits the fixed read's parameter overflowed SQLite's driver
        # (OverflowError: a 500 for ?consultation=18446744073709551616).
        raise Http404
    if not is_active_staff(user) or not isinstance(user, User):
        raise Http404  # matters_visible_to(user) is empty
    # A fixed read (core.fixedsql), compiled once per form of the gate: the reader and the
    # matter are placeholders, the role's branch is in the key, and so is the gate function
    # itself (replaced, as the fail-closed tests do, it is compiled, and so run, again).
    matter = fixed_first(
        ("matters.get", bool(sees_every_open_file(user)), matters_visible_to),
        lambda u, p: (
            matters_visible_to(u)
            .select_related("cause", "practice_area", "created_by")
            .filter(pk=p)
        ),
        user,
        pk,
    )
    if matter is None:
        raise Http404
    return matter


def matter_is_visible(*, user: AnyUser, matter_id: int) -> bool:
    return matters_visible_to(user).filter(pk=matter_id).exists()


def matters_walled_for(*, matter_ids: set[int], user_ids: set[int]) -> set[int]:
    """Those of `matter_ids` with an ethical wall on any of `user_ids` (a group chat's
    readers: lexcase.notifications posts no such matter to them)."""
    if not matter_ids or not user_ids:
        return set()
    return set(
        EthicalWall.objects.filter(matter_id__in=matter_ids, user_id__in=user_ids).values_list(
            "matter_id", flat=True
        )
    )


def matter_members(*, matter: Matter) -> QuerySet[MatterMember]:
    # `matter` comes from matter_get, so it has passed the gate already.
    return matter.members.select_related("user").order_by("role", "user__username")


def matter_parties(*, matter: Matter) -> QuerySet[MatterParty]:
    return matter.matter_parties.select_related("party").order_by("role", "id")


# The matter page's reads of its team and parties (matters.extensions.matter_page_read).
PAGE_MEMBERS = "matters.members"
PAGE_PARTIES = "matters.parties"


def matter_member_rows(*, matter: Matter) -> list[MatterMember]:
    """The team, read once per page; the permission checks that follow ask it for the
    user's role on the matter instead of reading the team's roles again."""
    rows = matter_page_read(
        matter,
        PAGE_MEMBERS,
        lambda: fixed_rows(PAGE_MEMBERS, lambda m: matter_members(matter=m), matter),
    )
    member_roles_known(matter, {m.user_id: m.role for m in rows})
    return rows


def matter_party_rows(*, matter: Matter) -> list[MatterParty]:
    return matter_page_read(
        matter,
        PAGE_PARTIES,
        lambda: fixed_rows(PAGE_PARTIES, lambda m: matter_parties(matter=m), matter),
    )


def matter_has_client(*, matter: Matter) -> bool:
    rows: list[MatterParty] | None = matter_page_peek(matter, PAGE_PARTIES)
    if rows is None:
        return matter.matter_parties.filter(role=PartyRole.CLIENT).exists()
    return any(mp.role == PartyRole.CLIENT for mp in rows)


def matter_case_numbers(*, matter: Matter) -> QuerySet[CourtCaseNumber]:
    return matter.case_numbers.all()


def matter_case_number_rows(*, matter: Matter) -> list[CourtCaseNumber]:
    """`matter_case_numbers` read (a fixed read: core.fixedsql)."""
    return fixed_rows("matters.case_numbers", lambda m: matter_case_numbers(matter=m), matter)


def matter_timeline(*, matter: Matter, limit: int = 100) -> list[TimelineEntry]:
    return fixed_rows(
        ("matters.timeline", limit),
        lambda m: m.timeline.select_related("actor")[:limit],
        matter,
    )


def member_role(*, matter: Matter, user: AnyUser) -> str | None:
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    return (
        MatterMember.objects.filter(matter=matter, user=user).values_list("role", flat=True).first()
    )


def timeline_for_user(*, user: User, limit: int = 20) -> QuerySet[TimelineEntry]:
    """The user's own recent activity, limited to matters they can still see."""
    return (
        TimelineEntry.objects.filter(actor=user, matter__in=matters_visible_to(user))
        .select_related("matter")
        .order_by("-at", "-id")[:limit]
    )


# Parties hang off matters: a party is visible when it is on no matter at all (a fresh
# contact) or on at least one matter the user can see.
def _probe(qs: QuerySet[Any]) -> IsNull:
    """ "`qs` has a row", as a scalar subquery with LIMIT 1. PostgreSQL turns an EXISTS
    under OR into a hashed subplan over every row it could match (the whole link table:
    ~1 s per directory page at 200k parties); a scalar subquery stays a per-row index
    probe, so a page costs its 50-odd rows (4.7 ms)."""
    return IsNull(Subquery(qs.order_by().values("pk")[:1]), False)


def _link_visible(user: User) -> Q:
    """The matter gate on MatterParty rows, probe by probe (see `_probe`)."""
    matter = OuterRef("matter_id")
    member = _probe(MatterMember.objects.filter(matter=matter, user=user))
    walled = _probe(EthicalWall.objects.filter(matter=matter, user=user))
    admitted = Q(member)
    if sees_every_open_file(user):
        admitted = Q(matter__confidential=False) | admitted
    return admitted & ~Q(walled)


def _on_no_matter(ref: str = "pk") -> Q:
    """The party `ref` is on no matter. On `Party` rows (`ref="pk"`) the flag kept by the
    link triggers (`Party.on_matter`, lexcase/matters/party_links.py) narrows first — a
    column test, and the partial indexes of the parties on no matter — and the probe proves
    it, so a stale flag can never admit a party that is on a matter."""
    none = ~Q(_probe(MatterParty.objects.filter(party=OuterRef(ref))))
    return Q(on_matter=False) & none if ref == "pk" else none


def party_visible(user: AnyUser, ref: str = "pk") -> Q:
    """`parties_visible_to` as a filter on rows whose party is `ref`: correlated probes per
    row (party -> its links -> the gate of each linked matter), so a page of the directory
    walks the name index and stops after one page instead of building the set of every
    visible matter first (16 s at 20k matters before, on SQLite)."""
    if not is_active_staff(user) or not isinstance(user, User):
        return Q(pk__in=[])
    links = MatterParty.objects.filter(party=OuterRef(ref))
    on_visible = _probe(links.filter(_link_visible(user)))
    if ref == "pk":
        # The flag first: one column test settles "on no matter" for almost every row, so
        # OR asks the gate's probes only of parties on a matter.
        return _on_no_matter(ref) | Q(on_visible)
    # Most rows a reader pages through are on a matter they see: that probe first lets
    # OR stop there; "on no matter at all" is asked only of the rest.
    return Q(on_visible) | _on_no_matter(ref)


def parties_visible_to(user: AnyUser) -> QuerySet[Party]:
    if not is_active_staff(user):
        return Party.objects.none()
    return Party.objects.filter(party_visible(user))


def party_get(*, user: AnyUser, pk: Any) -> Party:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    party = parties_visible_to(user).filter(pk=pk).first()
    if party is None:
        raise Http404
    return party


def party_on_hidden_matter(*, user: AnyUser, party: Party) -> bool:
    """Is `party` on a matter `user` may not see (the gate, as `party_matters` asks it)?"""
    if not isinstance(user, User) or not is_active_staff(user):
        return True
    return MatterParty.objects.filter(party=party).exclude(_link_visible(user)).exists()


def party_matters(*, user: AnyUser, party: Party) -> QuerySet[MatterParty]:
    return (
        MatterParty.objects.filter(party=party, matter__in=matters_visible_to(user))
        .select_related("matter")
        .order_by("-matter__updated_at")
    )


def party_relations(*, user: AnyUser, party: Party) -> list[tuple[PartyRelation, Party]]:
    """Relations of a visible party in both directions, naming only parties the user may
    see: (relation, the other party)."""
    rows: list[tuple[PartyRelation, Party]] = []
    outgoing = PartyRelation.objects.filter(party_visible(user, "target_id"), source=party)
    for rel in outgoing.select_related("source", "target"):
        rows.append((rel, rel.target))
    incoming = PartyRelation.objects.filter(party_visible(user, "source_id"), target=party)
    for rel in incoming.select_related("source", "target"):
        rows.append((rel, rel.source))
    return rows


# A gram on at most this many names narrows a search enough to start from its parties; a
# more common one (科技, 公司) matches often enough that walking the name index finds a
# page sooner (SQLite, 200k parties: 王伟 2.4 s walking -> 7 ms from its gram; 科技有限公司
# 13 ms walking -> 1 s from its grams).
# 15 or 18 characters with at least 6 digits: a resident ID number or a credit code.
_IDENTIFIER_SHAPED = re.compile(r"(?=(?:\D*\d){6})[0-9A-Z]{15}(?:[0-9A-Z]{3})?")
GRAM_PREFILTER_MAX = 20_000
GRAM_RARE_ENOUGH = 1_000
# The first query counts each gram up to this many names: a term whose rarest gram is on
# more than GRAM_RARE_ENOUGH but at most this many starts from it and probes the next rarest
# (the intersection) without a second count. Generated organisation names at 100k matters:
# every bigram of 合联电子传媒有限公司 is on more than 1,000 parties, 合联 on 1,078 and 子传 on
# 1,295, both on 288 (the name's own parties).
GRAM_COUNT_CAP = 2_000
# How many distinct grams of a term are counted (capped at GRAM_COUNT_CAP each, in one
# query) to find a rare one: a full organisation name has 8-12 bigrams, of which the
# middle, first and last (北京, 科技, 公司) are often the most common ones.
GRAM_PROBES = 8
# At most this many further grams are probed for each party of the rarest one.
GRAM_INTERSECT = 2
# Grams counted on more than the cap (公司, 有限, 科技: most of an organisation name's pairs)
# are remembered per process and not counted again: counting one reads cap + 1 index
# entries (~0.1 ms on SQLite, more on PostgreSQL; five of the eight pairs of a generated
# organisation name at 100k matters). Counts only choose where a search starts (any gram of
# the term holds every match), so a stale entry costs time, never a missed party.
_COMMON_GRAMS: dict[str, int] = {}  # gram -> its capped count (cap + 1) when counted
_COMMON_GRAMS_MAX = 4_096


def _spread(items: list[str], n: int) -> list[str]:
    """At most `n` of `items`, spread evenly from the first to the last."""
    if len(items) <= n:
        return items
    step = (len(items) - 1) / (n - 1)
    return list(dict.fromkeys(items[round(i * step)] for i in range(n)))


def _rarest_grams(key: str) -> list[str] | None:
    """The grams of `key` a search starts from, rarest first, in the conflict index (every
    unigram and bigram of each party's normalised name and aliases, so each is a superset of
    the name/alias matches, and so is the intersection of any of them); None when even the
    rarest is too common to help.

    One query counts up to GRAM_PROBES distinct grams of the term, each capped at
    GRAM_COUNT_CAP (an organisation's trade name is usually rare, its 北京/科技/公司
    common). The rarest on at most GRAM_RARE_ENOUGH names: it, and the second rarest when
    that is rare too (as before). The rarest on more, up to GRAM_COUNT_CAP (every pair of a
    generated trade name is on ~1,000-1,400 parties): it and up to GRAM_INTERSECT further
    grams, the next rarest on at most GRAM_COUNT_CAP names whose count differs from those
    already taken (equal counts are usually grams that always go together, 合联/联电:
    probing both narrows nothing; a common one, 公司, neither). Only when
    every one of them is on more than GRAM_COUNT_CAP names does a second query count the
    middle, first and last up to GRAM_PREFILTER_MAX (a surname alone, 王: the name index
    would be walked up to where 王 sorts). None too when no name-gram index is registered.
    Grams already counted on more than the cap in this process are not counted again
    (`_COMMON_GRAMS`); when every gram is such, the first query is skipped."""
    index = party_name_grams()
    if index is None:
        return None
    grams = [key] if len(key) == 1 else [key[i : i + 2] for i in range(len(key) - 1)]
    grams = _spread(list(dict.fromkeys(grams)), GRAM_PROBES)
    rare = min(GRAM_RARE_ENOUGH, GRAM_PREFILTER_MAX)
    cap = max(rare, min(GRAM_COUNT_CAP, GRAM_PREFILTER_MAX))
    counts = {g: _COMMON_GRAMS[g] for g in grams if _COMMON_GRAMS.get(g, cap) > cap}
    unknown = [g for g in grams if g not in counts]
    if unknown:
        counts.update(zip(unknown, index.counts(unknown, cap), strict=True))
        if len(_COMMON_GRAMS) >= _COMMON_GRAMS_MAX:
            _COMMON_GRAMS.clear()
        _COMMON_GRAMS.update((g, counts[g]) for g in unknown if counts[g] > cap)
    ranked = sorted((counts[g], g) for g in grams)
    if ranked[0][0] <= rare:
        if len(ranked) > 1 and ranked[1][0] <= rare:
            return [ranked[0][1], ranked[1][1]]
        return [ranked[0][1]]
    if ranked[0][0] <= cap:
        chosen, taken = [ranked[0][1]], {ranked[0][0]}
        for count, gram in ranked[1:]:
            if len(chosen) > GRAM_INTERSECT:
                break
            if count <= cap and count not in taken:
                chosen.append(gram)
                taken.add(count)
        return chosen
    wide = list(dict.fromkeys([grams[len(grams) // 2], grams[0], grams[-1]]))
    ranked = sorted(zip(index.counts(wide, GRAM_PREFILTER_MAX), wide, strict=True))
    if ranked[0][0] > GRAM_PREFILTER_MAX:
        return None
    return [ranked[0][1]]


# A directory query is compiled by Django once per form ("shape") and kept: building and
# compiling the gate's ORM expressions cost ~5-8 ms of CPU per page (the SQL itself runs in
# ~0.5 ms at 100k matters, the bare keyset page in ~1.5 ms with its ORM). Each value that
# varies between calls is a placeholder while the query is built (a sentinel no real value
# takes), replaced by the real one in the compiled parameters; a placeholder left over is
# an error, never sent. The logic is still the ORM's: `party_visible`, `_candidate_lists`.
_USER = -2_000_000_011
_AFTER_ID = -2_000_000_013
_AFTER_NAME = "\x00after\x00"
_KIND = "\x00kind\x00"
_KEY = "\x00key\x00"  # inside a LIKE pattern: replaced by the escaped term
_IDENT = "\x00ident\x00"
_COMPILED: dict[tuple[Any, ...], _Compiled] = {}
_COMPILED_MAX = 512


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # (column, its converters, its expression) for each selected column that has any (an
    # encrypted identifier, SQLite's booleans and datetimes): what the ORM applies to a row.
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


def _slot(name: str, i: int) -> str:
    return f"\x00{name}{i}\x00"


def _id_slot(i: int) -> int:
    return -2_000_001_000 - i


@dataclass(frozen=True)
class _Search:
    """What a directory search matches on, decided at run time (the gram counts): `shape`
    names the form of the query, `values` the real value of each placeholder."""

    shape: tuple[Any, ...]
    values: dict[Any, Any]

    @property
    def plain(self) -> bool:
        """No condition on the name or identifiers (a kind filter at most)."""
        return self.shape[1] == ""


def _search(q: str, kind: str) -> _Search:
    values: dict[Any, Any] = {_KIND: kind}
    q = q.strip()
    if not q:
        return _Search((bool(kind), ""), values)
    ident = normalize_identifier(q)
    if _IDENTIFIER_SHAPED.fullmatch(ident):
        hashes = blind_indexes(ident)
        values[_IDENT] = ident
        values.update({_slot("hash", i): h for i, h in enumerate(hashes)})
        return _Search((bool(kind), "ident", len(hashes)), values)
    key = normalize_name(q)
    if not key:  # nothing left to match on (punctuation only): every party, as before
        return _Search((bool(kind), ""), values)
    grams = _rarest_grams(key) or []
    values[_KEY] = key
    values.update({_slot("gram", i): g for i, g in enumerate(grams)})
    return _Search((bool(kind), "name", len(grams)), values)


def _matching(shape: tuple[Any, ...]) -> QuerySet[Party]:
    """The parties a search of this shape matches, with placeholders for its values: `kind`,
    and a name or alias substring (from a gram's parties) or an exact identifier."""
    qs = Party.objects.all()
    if shape[0]:
        qs = qs.filter(kind=_KIND)
    if shape[1] == "ident":
        # An ID number or credit code is never part of a name: an exact, indexed match
        # on its own (an OR with the name conditions made both planners walk the table).
        # ID numbers are encrypted: matched through their keyed hash (core/fieldcrypt.py).
        by_id = Q(id_number_hash__in=[_slot("hash", i) for i in range(shape[2])])
        return qs.filter(by_id | Q(credit_code=_IDENT))
    if shape[1] != "name":
        return qs
    aliases = PartyAlias.objects.filter(name_normalized__contains=_KEY)
    if shape[2]:
        # A separate AND term: both planners start from the gram's parties (a semi-join)
        # instead of walking the name index up to the first match. The aliases are probed
        # per candidate whose name does not match (an index probe on the alias's party):
        # an IN over the aliases of the candidates evaluated the candidates a second time.
        # A name shape has grams only when an index gave them (`_rarest_grams`).
        index = party_name_grams()
        assert index is not None
        qs = qs.filter(pk__in=index.parties([_slot("gram", i) for i in range(shape[2])]))
        by_alias = Q(_probe(aliases.filter(party_id=OuterRef("pk"))))
    else:
        # Walking the name index: an uncorrelated IN over aliases (evaluated once) instead
        # of a join + DISTINCT, which made both planners sort every matching row first.
        by_alias = Q(pk__in=aliases.values("party_id"))
    return qs.filter(Q(name_normalized__contains=_KEY) | by_alias)


def _ghost(user: User) -> User:
    """`user` with the placeholder for a primary key (the role, active flag etc. kept)."""
    ghost = copy.copy(user)
    ghost.pk = _USER
    return ghost


def _compiled(shape: tuple[Any, ...], build: Callable[[], QuerySet[Any]]) -> _Compiled:
    key = (connection.vendor, *shape)
    hit = _COMPILED.get(key)
    if hit is None:
        qs = build()
        compiler = qs.query.get_compiler(using=qs.db)
        sql, params = compiler.as_sql()
        found = compiler.get_converters([col for col, _sql, _alias in compiler.select])
        converters = tuple((i, tuple(convs), expr) for i, (convs, expr) in found.items())
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        hit = _COMPILED[key] = _Compiled(sql, tuple(params), converters)
    return hit


def _bind(params: tuple[Any, ...], values: dict[Any, Any]) -> list[Any]:
    bound: list[Any] = []
    for p in params:
        if type(p) is int and p <= -2_000_000_000:
            p = values[p]
        elif isinstance(p, str) and "\x00" in p:
            if p in values:
                p = values[p]
            elif _KEY in p:
                p = p.replace(_KEY, connection.ops.prep_for_like_query(values[_KEY]))
            else:
                raise RuntimeError("a placeholder of a compiled directory query has no value")
        bound.append(p)
    return bound


def _fetch(
    shape: tuple[Any, ...], build: Callable[[], QuerySet[Any]], values: dict[Any, Any]
) -> list[Any]:
    """The rows of the compiled query, each value converted as the ORM would have."""
    compiled = _compiled(shape, build)
    with connection.cursor() as cur:
        cur.execute(compiled.sql, _bind(compiled.params, values))
        rows: list[Any] = cur.fetchall()
    if compiled.converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for i, convs, expr in compiled.converters:
                value = row[i]
                for convert in convs:
                    value = convert(value, expr, connection)
                row[i] = value
    return rows


# A page of the directory is built in two steps, so that the gate's probes (3-4 index
# lookups per party) are paid only for the rows of the page:
# 1. candidates in (name, id) order, at most `window` of them, from the cheapest list that
#    holds every party the reader may see (a superset: it only narrows):
#    - a reader who sees every open file (partners, administrators): the matching parties
#      a search's parties (from the conflict index, sorted); without a search they walk
#      the name index with the gate in the same query instead (most parties they pass are
#      theirs, and the walk stops after the page in one query);
#    - anyone else: the parties on no matter (the partial index of `Party.on_matter`) and the
#      parties of their own matters (`PartyReach`, kept by triggers: an index range in
#      (user, name, party) order), each the first `window`, merged; with a search, the
#      search's parties that are on no matter or in the reader's `PartyReach` (one list);
# 2. the gate (`party_visible`) on those candidates only, as a column of the same query;
#    while the page is short and the window was full, the next window starts after the
#    last candidate (a keyset over the candidates), four times larger.
# Before, the gate was asked of every candidate before the sort: 300-600 probes for a full
# organisation name, and a reader on 1,500-2,500 matters walked ~40 parties per visible one
# or sorted every party of their matters (5-16x the bare page at 100k matters).
PARTY_ORDER = (("name", False), ("id", False))
WINDOW_SLACK = 1.25  # the first window: the page plus a quarter (a few candidates fail the gate)
WINDOW_GROWTH = 4


def _candidate_lists(
    user: User, matching: QuerySet[Party], *, plain: bool, kind: str, after: tuple[str, int] | None
) -> list[QuerySet[Any]]:
    """Step 1 above: lists of party ids in (name, id) order whose union holds every party
    of `matching` (already after `after`) that `user` may see; the caller takes the first
    `window` of each."""
    ordering = [field for field, _desc in PARTY_ORDER]
    if sees_every_open_file(user):
        return [matching.order_by(*ordering).values("pk")]
    if not plain:
        # A search: its parties (from the conflict index), each either on no matter or
        # probed in PartyReach — one list, so the search's conditions (gram candidates,
        # name LIKE, alias IN) are evaluated once, not once per list.
        mine = _probe(PartyReach.objects.filter(user=user, party_id=OuterRef("pk")))
        return [matching.filter(_on_no_matter() | Q(mine)).order_by(*ordering).values("pk")]
    # No search: the parties on no matter (a partial index) and the reader's rows of
    # PartyReach (an index range; name and kind are copied there).
    fresh = matching.filter(_on_no_matter()).order_by(*ordering).values("pk")
    reach = PartyReach.objects.filter(user=user)
    if kind:
        reach = reach.filter(kind=kind)
    if after is not None:
        name, pk = after
        reach = reach.filter(Q(name__gte=name) & (Q(name__gt=name) | Q(name=name, party_id__gt=pk)))
    theirs = reach.order_by("name", "party_id").values("party_id")
    return [fresh, theirs]


def _matching_after(matching: QuerySet[Party], after: tuple[str, int] | None) -> QuerySet[Party]:
    if after is None:
        return matching
    return matching.filter(_keyset_after(PARTY_ORDER, list(after)))


# The columns a page reads: every concrete field of Party, so a page's rows come with the
# query that finds them (no second read by id; its `Party` instances are complete).
_PARTY_COLUMNS = tuple(f.attname for f in Party._meta.concrete_fields)
_PARTY_NAME_COL = _PARTY_COLUMNS.index("name")
_PARTY_PK_COL = _PARTY_COLUMNS.index(Party._meta.pk.attname)


def _party(row: Any) -> Party:
    return Party.from_db(connection.alias, _PARTY_COLUMNS, row[: len(_PARTY_COLUMNS)])


def _page_rows(
    user: User, q: str, kind: str, after: tuple[str, int] | None, limit: int
) -> list[Party]:
    """The first `limit` parties `user` may see matching `q`/`kind` after `after`, in
    (name, id) order (steps 1 and 2 above), read with the query that finds them."""
    if not is_active_staff(user):
        return []
    search = _search(q, kind)
    wide = sees_every_open_file(user)
    ghost = _ghost(user)
    values = {**search.values, _USER: user.pk}
    slot_after = (_AFTER_NAME, _AFTER_ID)
    ordering = [field for field, _desc in PARTY_ORDER]

    def matching(keyset: bool) -> QuerySet[Party]:
        qs = _matching(search.shape)
        return _matching_after(qs, slot_after if keyset else None)

    if search.plain and wide:
        # Walking the name index with the gate in the same query already stops after the
        # page, however many hidden parties it passes (one query, whatever their number).
        def walk(keyset: bool = after is not None) -> QuerySet[Any]:
            found = matching(keyset).filter(party_visible(ghost))
            return found.order_by(*ordering).values_list(*_PARTY_COLUMNS)[:limit]

        if after is not None:
            values.update({_AFTER_NAME: after[0], _AFTER_ID: after[1]})
        walk_shape = ("walk", search.shape, after is not None, limit)
        return [_party(row) for row in _fetch(walk_shape, walk, values)]

    window = max(1, round(limit * WINDOW_SLACK))
    rows: list[Party] = []
    while True:
        keyset = after is not None
        if after is not None:
            values.update({_AFTER_NAME: after[0], _AFTER_ID: after[1]})

        def page(keyset: bool = keyset, window: int = window) -> QuerySet[Any]:
            lists = _candidate_lists(
                ghost,
                matching(keyset),
                plain=search.plain,
                kind=_KIND if kind else "",
                after=slot_after if keyset else None,
            )
            # LIMIT inside a compound statement is refused by SQLite: each list's first rows
            # as an IN subquery of a plain SELECT; the first `window` of their union are the
            # first `window` of all the candidates.
            visible = ExpressionWrapper(party_visible(ghost), output_field=BooleanField())
            if len(lists) == 1 and connection.vendor == "postgresql":
                # One list (a search): its own rows, the gate in the select list. PostgreSQL
                # evaluates it after the sort and LIMIT, as it did on the outer query, and
                # reads each party once instead of joining the window back to parties_party
                # (lawyer, organisation name at 100k: 2,779 -> 2,523 buffers, planning
                # 0.72 -> 0.58 ms). SQLite computes the select list before its sorter, so
                # the gate would be asked of every candidate (the admin's ~290, not 64).
                return lists[0].values_list(*_PARTY_COLUMNS, visible)[:window]
            if len(lists) > 1:
                firsts = [Party.objects.filter(pk__in=ids[:window]).values("pk") for ids in lists]
                pool = firsts[0].union(*firsts[1:], all=True)
            else:
                pool = lists[0][:window]
            return (
                Party.objects.filter(pk__in=pool)
                .annotate(visible=visible)
                .order_by(*ordering)
                .values_list(*_PARTY_COLUMNS, "visible")[:window]
            )

        window_shape = ("window", wide, search.shape, keyset, window)
        batch = _fetch(window_shape, page, values)
        rows += [_party(row) for row in batch if row[-1]]
        if len(rows) >= limit or len(batch) < window:
            return rows[:limit]
        after = (batch[-1][_PARTY_NAME_COL], batch[-1][_PARTY_PK_COL])
        window *= WINDOW_GROWTH


def parties_search(
    *,
    user: AnyUser,
    q: str = "",
    kind: str = "",
    after: tuple[str, int] | None = None,
    limit: int | None = None,
) -> QuerySet[Party]:
    """Visible parties matching `q` (name or alias substring, or an exact identifier),
    ordered by (name, id). `after`: start after this (name, id) (a keyset page); `limit`:
    the most rows the caller will take (the page is then found window by window, the gate
    asked only of each window's candidates; without it every matching party is gated)."""
    if not is_active_staff(user) or not isinstance(user, User):
        return Party.objects.none()
    ordering = [field for field, _desc in PARTY_ORDER]
    if limit is not None:
        ids = [p.pk for p in _page_rows(user, q, kind, after, limit)]
        return Party.objects.filter(pk__in=ids).order_by(*ordering)
    search = _search(q, kind)
    compiled = _compiled(("matching", search.shape), lambda: _matching(search.shape).values("pk"))
    # Compiled by Django from `_matching`; every value is a parameter.
    bound = _bind(compiled.params, search.values)
    matching = Party.objects.filter(pk__in=RawSQL(compiled.sql, bound))  # noqa: S611
    matching = _matching_after(matching, after)
    lists = _candidate_lists(user, matching, plain=search.plain, kind=kind, after=after)
    if len(lists) > 1:
        matching = Party.objects.filter(pk__in=lists[0].union(*lists[1:], all=True))
    return matching.filter(party_visible(user)).order_by(*ordering)


def parties_list(*, user: AnyUser, q: str = "", kind: str = "", limit: int) -> list[Party]:
    """The first `limit` visible parties matching `q`/`kind` in (name, id) order: the rows
    of `parties_search(..., limit=limit)` read by the query that finds them (the API's
    list)."""
    if not is_active_staff(user) or not isinstance(user, User):
        return []
    return _page_rows(user, q, kind, None, limit)


def party_alias_names(parties: list[Party]) -> dict[int, list[str]]:
    """The alias names of each of `parties` (already read through the gate), in one query."""
    names: dict[int, list[str]] = {}
    rows = PartyAlias.objects.filter(party_id__in=[p.pk for p in parties]).order_by("pk")
    for party_id, name in rows.values_list("party_id", "name"):
        names.setdefault(party_id, []).append(name)
    return names


PARTY_PAGE = 50


@dataclass(frozen=True)
class PartyPage:
    items: list[Party]
    # Matters on which each party of the page appears, counting only matters the reader
    # may see (one grouped query over the page's ids).
    matter_counts: dict[int, int]
    next_cursor: str | None

    @property
    def rows(self) -> list[tuple[Party, int]]:
        return [(p, self.matter_counts[p.pk]) for p in self.items]


def parties_page(
    *, user: User, q: str = "", kind: str = "", cursor: str = "", size: int = PARTY_PAGE
) -> PartyPage:
    """One keyset page of the party directory: no total count (the directory is browsed by
    name or searched, never paged to the end); the same number of queries whatever the
    number of parties (one more window only when most of a window's candidates fail the
    gate: a walled member, or a search whose matches lie mostly on confidential files)."""
    after = None
    if cursor:
        values = _decode_cursor(cursor, len(PARTY_ORDER))
        if values is not None and isinstance(values[0], str) and isinstance(values[1], int):
            after = (values[0], values[1])
    rows = _page_rows(user, q, kind, after, size + 1) if is_active_staff(user) else []
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = _encode_cursor([rows[-1].name, rows[-1].pk])
    counts: dict[int, int] = {}
    if rows:
        ghost, n = _ghost(user), len(rows)

        def grouped() -> QuerySet[Any]:
            return (
                MatterParty.objects.filter(
                    _link_visible(ghost), party_id__in=[_id_slot(i) for i in range(n)]
                )
                .values("party_id")
                .annotate(n=Count("matter_id", distinct=True))
                .values_list("party_id", "n")
            )

        slots = {_USER: user.pk, **{_id_slot(i): p.pk for i, p in enumerate(rows)}}
        shape = ("counts", sees_every_open_file(user), n)
        counts = {pk: count for pk, count in _fetch(shape, grouped, slots)}
    return PartyPage(
        items=rows, matter_counts={p.pk: counts.get(p.pk, 0) for p in rows}, next_cursor=next_cursor
    )


# -- The matter list: filters, search, sorting and keyset pagination --------------------

SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    # name -> ((field, descending), ...); the last field is the unique tiebreaker.
    "activity": (("updated_at", True), ("id", True)),
    "number": (("number", False), ("id", False)),
    "created": (("created_at", True), ("id", True)),
    "priority": (("priority", False), ("updated_at", True), ("id", True)),
}


@dataclass(frozen=True)
class MatterFilters:
    q: str = ""
    status: str = ""
    matter_type: str = ""
    priority: str = ""
    practice_area: int | None = None
    lawyer: int | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    sort: str = "activity"


@dataclass(frozen=True)
class MatterPage:
    items: list[Matter]
    next_cursor: str | None
    total: int  # capped at COUNT_CAP + 1

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP


def _encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, n: int) -> list[Any] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != n:
        return None
    # Only what _encode_cursor writes: text the databases store (no NUL, no lone surrogate
    # such as "\ud800", which has no UTF-8) and 64-bit integers; never null, a list or a map.
    for value in values:
        if isinstance(value, str):
            if "\x00" in value or not has_utf8(value):
                return None
        elif type(value) is not int or not -(2**63) < value < 2**63:
            return None
    return values


def _typed_cursor(order: tuple[tuple[str, bool], ...], values: list[Any]) -> list[Any] | None:
    """The cursor's values as the sort fields' types (a date that is not one: None, the
    cursor is ignored as any unreadable one is)."""
    typed = []
    for (name, _desc), value in zip(order, values, strict=True):
        field = Matter._meta.get_field(name)
        assert isinstance(field, Field)  # the sort keys are the matter's own columns
        try:
            value = field.to_python(value)
        except (ValidationError, TypeError, ValueError):
            return None
        if isinstance(value, datetime) and timezone.is_naive(value):
            # A time without an offset (forged: ours carry one) is the firm's local time,
            # as the database reads it; a page ordered and cut here compares it with the
            # rows' aware times (a naive one raised TypeError there: HTTP 500).
            value = timezone.make_aware(value, timezone.get_default_timezone())
        # A forged id past 64 bits (the id's text: to_python makes any digits an int) or a
        # time at the ends of the calendar (0001-01-01 is year 0 in UTC) overflowed when
        # SQLite's adapter bound it: HTTP 500. No row of ours has either.
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            return None
        if isinstance(value, date) and civil_day(value) is None:
            return None
        typed.append(value)
    return typed


def _keyset_after(order: tuple[tuple[str, bool], ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in the lexicographic order `order`."""
    condition = Q()
    for i, (field, desc) in enumerate(order):
        step = Q(**{f"{field}__{'lt' if desc else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{order[j][0]: values[j]})
        condition |= step
    # The redundant bound on the first key lets both planners use it as an index range
    # instead of filtering the OR row by row (page 1,000: 329 ms -> 41 ms on PostgreSQL).
    first, desc = order[0]
    return Q(**{f"{first}__{'lte' if desc else 'gte'}": values[0]}) & condition


def matters_filter(*, user: AnyUser, filters: MatterFilters) -> QuerySet[Matter]:
    q = filters.q.strip()
    return _filtered(user, filters, _text_terms(q) if q else None)


def _filtered(user: AnyUser, filters: MatterFilters, text: _Text | None) -> QuerySet[Matter]:
    """`matters_filter` with its text terms already worked out (`_text_terms`): the list's
    compiled queries build it with placeholders for every value (`_list_query`)."""
    qs = matters_visible_to(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.matter_type:
        qs = qs.filter(matter_type=filters.matter_type)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.practice_area:
        qs = qs.filter(practice_area_id=filters.practice_area)
    if filters.lawyer:
        qs = qs.filter(
            Exists(MatterMember.objects.filter(matter=OuterRef("pk"), user_id=filters.lawyer))
        )
    if filters.opened_from:
        qs = qs.filter(opened_on__gte=filters.opened_from)
    if filters.opened_to:
        qs = qs.filter(opened_on__lte=filters.opened_to)
    if text is not None:
        qs = qs.filter(_text_matches(text))
    return qs


def _case_number_key_sql() -> Any:
    """The stored 案号 folded as `case_numbers.case_number_search_key` folds a query. Stored
    numbers are canonical (`matter_case_number_add` keeps `parse_case_number().canonical`,
    full-width brackets); ASCII brackets are folded here too, for a row written around
    that service. Two REPLACEs, not one per accepted bracket: each costs query compile
    time on every searched page."""
    return Replace(Replace(F("number"), Value("("), Value("（")), Value(")"), Value("）"))


@dataclass(frozen=True)
class _Text:
    """A q= term as the list matches it: the stripped term, its `normalize_name` (parties),
    its `case_number_search_key` (案号), and the text index's candidates (None: no index, or
    one that cannot serve the term; the LIKE scan)."""

    q: str
    key: str
    number_key: str
    candidates: Any


def _text_terms(q: str) -> _Text:
    key = normalize_name(q)
    index = matter_text_index()
    candidates = None
    if index is not None:
        # The index is asked for the term without its organisational-form suffix: every
        # matter holding the term holds that part of it (a substring), so the candidates
        # are still a superset, and they are nearly the same matters (a trade name and
        # industry are rarely followed by anything but 有限公司), while 有/限/公/司 are
        # tokens of almost every entry: a phrase with them read their whole postings
        # (SQLite FTS5, a full organisation name at 100k matters: 6-9 ms -> 1-4 ms). The
        # conditions below still match the whole term. Only when the part is one the index
        # can serve and at least two characters long; else the whole term.
        short = _index_part(q), _index_part(key)
        if short != (q, key):
            candidates = index(*short)
        if candidates is None:
            candidates = index(q, key)
    return _Text(q, key, case_number_search_key(q), candidates)


def _index_part(text: str) -> str:
    part = without_org_suffix(text).rstrip()
    return part if len(part) >= 2 else text


def _text_matches(text: _Text) -> Q:
    """Matters whose number or title contains `q` (case-insensitive), whose 案号 contains
    `q` (brackets folded on both sides: `(2026)` finds `（2026）`,
    `case_numbers.case_number_search_key`), or one of whose parties' normalised names
    contains `normalize_name(q)`.

    Through the text index when one is registered (`matters.extensions.matter_text_index`,
    the search app's entries) and it can serve `q`: its candidates first, then these same
    conditions per candidate, so the result is exactly the LIKE scan's while the scan
    touches only the candidates. The LIKE scan alone runs without an index and for what the
    index cannot serve: a term that is a single run of Latin letters or digits (`0001`,
    `ms`: it may sit inside a longer indexed token) or has no letter or digit at all
    (`search.selectors._substring_phrase`). A matter whose entry is not written yet (a bulk
    import of more than 5,000 matters waits for the task worker) is missing from indexed
    results until it is."""
    q, key, number_key, candidates = text.q, text.key, text.number_key, text.candidates
    case_numbers = CourtCaseNumber.objects.annotate(search_key=_case_number_key_sql()).filter(
        search_key__contains=number_key
    )
    if candidates is None:
        # Uncorrelated `IN` subqueries: evaluated once instead of once per matter row.
        by_party = Q(
            pk__in=MatterParty.objects.filter(party__name_normalized__contains=key).values(
                "matter_id"
            )
        )
        by_case_number = Q(pk__in=case_numbers.values("matter_id"))
        return Q(number__icontains=q) | Q(title__icontains=q) | by_party | by_case_number
    # Correlated probes: run for the candidates only (MatterParty and CourtCaseNumber are
    # indexed by matter).
    party = MatterParty.objects.filter(matter=OuterRef("pk"), party__name_normalized__contains=key)
    case_number = case_numbers.filter(matter=OuterRef("pk"))
    return Q(pk__in=candidates) & (
        Q(number__icontains=q) | Q(title__icontains=q) | Q(Exists(party)) | Q(Exists(case_number))
    )


# Counting every visible matter costs more than the page itself at 100k matters; beyond
# this many the list says "1000+" (a lawyer refines the filter rather than paging).
COUNT_CAP = 1000


def matters_page(
    *,
    user: AnyUser,
    filters: MatterFilters,
    cursor: str = "",
    size: int = 50,
    related: bool = True,
) -> MatterPage:
    """A page of the matters `user` may see that match `filters`, in the sort's order after
    `cursor`, with the capped count. `related=False`: the matters without their practice
    area and cause joined and built (the list and dashboard tables show neither: on the
    list page the 102 related instances cost more CPU than their part of the SQL); the
    matters themselves, the gate, the order and the count are the same."""
    order = SORTS.get(filters.sort, SORTS["activity"])
    after = None
    if cursor:
        values = _decode_cursor(cursor, len(order))
        after = _typed_cursor(order, values) if values is not None else None
    q = filters.q.strip()
    if not is_active_staff(user) or not isinstance(user, User):
        return MatterPage(items=[], next_cursor=None, total=0)  # the gate admits nothing
    text = _text_terms(q) if q else None
    query = _ListQuery(user, filters, order, after, text, related=related)
    # A text search reads the text index and checks its candidates once, for both the
    # count and the page: the matching ids (gated, filtered, up to COUNT_CAP + 1) first;
    # when they are all (≤ COUNT_CAP), the page is ordered and cut from those ids alone.
    # More matches than that: the count stops at COUNT_CAP + 1 and the page runs the full
    # query.
    if text is not None and _one_statement():
        total, rows = query.searched_page(size)
        if total > COUNT_CAP:
            rows = query.matters(size)
    elif text is not None:
        found = query.rows("ids")
        total = len(found)
        if total > COUNT_CAP:
            rows = query.matters(size)
        elif _sorted_here(order, found):
            # Every match and its sort keys are at hand: the page is ordered and cut here
            # and only its rows are read, by id (ordering ≤ 1,000 ids in SQL read each
            # matching row again, and PostgreSQL walked its updated_at index for them).
            keys = sorted((tuple(row[1:]), row[0]) for row in found)
            if order[0][1]:
                keys.reverse()
            if after is not None:
                bound = query.as_read(after)
                desc = order[0][1]
                keys = [k for k in keys if (k[0] < bound if desc else k[0] > bound)]
            rows = query.matters(size, [pk for _key, pk in keys[: size + 1]], ordered=False)
        else:
            # Exactly the gated result of this request: the page only orders and cuts it
            # (building the gate again cost more than the rest of this query).
            ids = [row[0] for row in found]
            rows = query.matters(size, ids) if ids else []
    else:
        total = query.rows("count")[0][0]
        rows = query.matters(size)
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode_cursor([getattr(last, f) for f, _desc in order])
    return MatterPage(items=rows, next_cursor=next_cursor, total=total)


# The list's queries are compiled by Django once per form ("shape": which filters are set,
# the sort, a cursor or not, a text search through the index or by LIKE, whether the
# reader sees every open file) and kept, as the party directory's are (`_compiled`):
# building the gate and the filters in the ORM and compiling them cost more CPU than the
# SQL of a page at 100k matters (docs/benchmarks.md, "Matter list and q="). Every value
# is a placeholder while the query is built (a sentinel no real value takes, of the
# field's own type: the ORM adapts it as it adapts the real one), replaced by the real,
# adapted value in the compiled parameters; a placeholder left over is an error, never
# sent. The logic is still the ORM's: `matters_visible_to`, `_filtered`, `_keyset_after`.
_STATUS = "\x00status\x00"
_TYPE = "\x00type\x00"
_PRIORITY = "\x00priority\x00"
_AREA = -2_000_000_021
_LAWYER = -2_000_000_022
_OPENED = (date(1901, 1, 2), date(1901, 1, 3))
_Q = "\x00q\x00"  # inside LIKE patterns: replaced by the escaped term (as are the two below)
_Q_KEY = "\x00qkey\x00"
_Q_NUMBER = "\x00qnumber\x00"
_LIST_COMPILED: dict[tuple[Any, ...], tuple[str, tuple[Any, ...], Any, Any]] = {}
_LIST_COMPILED_MAX = 512


def _after_slot(i: int, field: Field) -> Any:
    """The placeholder of the cursor's `i`th value, of `field`'s type (the sort keys)."""
    if field.get_internal_type() == "DateTimeField":
        return datetime(1901, 1, 1, 0, 0, i, 424_242, tzinfo=UTC)
    if isinstance(field.get_prep_value(0), int) and field.get_internal_type() != "CharField":
        return -2_000_003_000 - i
    return f"\x00after{i}\x00"


def _db_value(field: Field, value: Any) -> Any:
    """`value` as a lookup on `field` sends it to the database."""
    return field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)


class _ListQuery:
    """The queries of one `matters_page` call: its shape, its placeholders and their values."""

    def __init__(
        self,
        user: User,
        filters: MatterFilters,
        order: tuple[tuple[str, bool], ...],
        after: list[Any] | None,
        text: _Text | None,
        related: bool = True,
    ) -> None:
        self.order = order
        self.related = ("practice_area", "cause") if related else ()
        self.after = after
        self.real = (user, filters, text, after)  # for the tests' check (`_check`)
        self.ghost = _ghost(user)
        self.wide = sees_every_open_file(user)
        fields = [Matter._meta.get_field(name) for name, _desc in order]
        self.after_slots = [_after_slot(i, f) for i, f in enumerate(fields)]  # type: ignore[arg-type]
        self.exact: dict[Any, Any] = {_USER: user.pk}
        self.like: dict[str, str] = {}
        slots = MatterFilters(
            status=_STATUS if filters.status else "",
            matter_type=_TYPE if filters.matter_type else "",
            priority=_PRIORITY if filters.priority else "",
            practice_area=_AREA if filters.practice_area else None,
            lawyer=_LAWYER if filters.lawyer else None,
            opened_from=_OPENED[0] if filters.opened_from else None,
            opened_to=_OPENED[1] if filters.opened_to else None,
            sort=filters.sort,
        )
        self.exact.update(
            {
                _STATUS: filters.status,
                _TYPE: filters.matter_type,
                _PRIORITY: filters.priority,
                _AREA: filters.practice_area,
                _LAWYER: filters.lawyer,
            }
        )
        opened = Matter._meta.get_field("opened_on")
        for slot, value in zip(_OPENED, (filters.opened_from, filters.opened_to), strict=True):
            if value is not None:
                self.exact[_db_value(opened, slot)] = _db_value(opened, value)
        if after is not None:
            for field, slot, value in zip(fields, self.after_slots, after, strict=True):
                self.exact[_db_value(field, slot)] = _db_value(field, value)  # type: ignore[arg-type]
        self.slot_text = None
        text_shape: tuple[Any, ...] = ()
        if text is not None:
            like = connection.ops.prep_for_like_query
            self.like = {_Q: like(text.q), _Q_KEY: like(text.key), _Q_NUMBER: like(text.number_key)}
            candidates = text.candidates
            if isinstance(candidates, RawSQL):
                # The index's SQL is part of the shape; its parameters are placeholders.
                cand_slots = [f"\x00cand{i}\x00" for i in range(len(candidates.params))]
                self.exact.update(zip(cand_slots, candidates.params, strict=True))
                candidates = RawSQL(candidates.sql, cand_slots)  # noqa: S611 -- the index's own SQL
                text_shape = ("index", candidates.sql, len(cand_slots))
            elif candidates is None:
                text_shape = ("scan",)
            else:
                text_shape = ("other", id(self))  # not compiled (a new shape every call)
            self.slot_text = _Text(_Q, _Q_KEY, _Q_NUMBER, candidates)
        self.slot_filters = slots
        # The gate function itself too, as matter_get's key has it: replaced (the fail-closed
        # tests replace it) the list is compiled, so the replacement runs, again.
        self.shape = (
            connection.vendor,
            matters_visible_to,
            self.wide,
            tuple(bool(getattr(slots, f)) for f in _FILTER_FIELDS),
            order,
            after is not None,
            text_shape,
            self.related,
        )
        self.compiled = text_shape[:1] != ("other",) and not any(
            "\x00" in v for v in (filters.q, filters.status, filters.matter_type, filters.priority)
        )

    def _queryset(self) -> QuerySet[Matter]:
        return _filtered(self.ghost, self.slot_filters, self.slot_text)

    def _keyset(self, qs: QuerySet[Matter]) -> QuerySet[Matter]:
        if self.after is not None:
            qs = qs.filter(_keyset_after(self.order, self.after_slots))
        ordering = [f"-{f}" if desc else f for f, desc in self.order]
        return self._related(qs).order_by(*ordering)

    def _related(self, qs: QuerySet[Matter]) -> QuerySet[Matter]:
        # Never select_related() without names: that would follow every foreign key.
        return qs.select_related(*self.related) if self.related else qs

    def _check(
        self,
        key: tuple[Any, ...],
        build: Callable[[], Any],
        hit: tuple[str, tuple[Any, ...], Any, Any],
        extra: dict[Any, Any] | None,
    ) -> None:
        """Under the tests (`settings.LEXCASE_CHECK_FIXED_SQL`, as core.fixedsql): the query
        built from this call's real reader, filters, term and cursor compiles to the cached
        SQL and the bound parameters, else the shape misses something it reads. The ids of
        an `ids`/`byid` read stay placeholders on both sides: the ORM drops repeated ids from
        an IN list, and they are bound by position, not part of the shape."""
        saved = (self.ghost, self.slot_filters, self.slot_text, self.after_slots)
        self.ghost, self.slot_filters, self.slot_text, real_after = self.real
        self.after_slots = real_after or []
        try:
            qs = build()
        finally:
            self.ghost, self.slot_filters, self.slot_text, self.after_slots = saved
        sql, params = qs.query.get_compiler(using=qs.db).as_sql()
        bound = tuple(self._bind(hit[1], {k: k for k in extra} if extra else None))
        if (sql, tuple(params)) != (hit[0], bound):
            raise AssertionError(
                f"compiled list query {key!r}: the cached query is not the one this call "
                f"builds\ncached: {hit[0]} {bound}\nbuilt:  {sql} {tuple(params)}"
            )

    def _get(
        self,
        shape: tuple[Any, ...],
        build: Callable[[], Any],
        extra: dict[Any, Any] | None = None,
    ) -> tuple[str, tuple[Any, ...], Any, Any]:
        key = (*self.shape, *shape)
        hit = _LIST_COMPILED.get(key) if self.compiled else None
        if hit is None:
            qs = build()
            compiler = qs.query.get_compiler(using=qs.db)
            sql, params = compiler.as_sql()
            hit = (sql, tuple(params), compiler, qs._fetch_mode)
            if self.compiled:
                if len(_LIST_COMPILED) >= _LIST_COMPILED_MAX:
                    _LIST_COMPILED.clear()
                _LIST_COMPILED[key] = hit
        if self.compiled and settings.LEXCASE_CHECK_FIXED_SQL:
            self._check(key, build, hit, extra)
        return hit

    def _bind(self, params: tuple[Any, ...], extra: dict[Any, Any] | None = None) -> list[Any]:
        exact = {**self.exact, **extra} if extra else self.exact
        bound: list[Any] = []
        for p in params:
            if isinstance(p, str | int | datetime | date) and p in exact:
                p = exact[p]
            elif isinstance(p, str) and "\x00" in p:
                for slot, value in self.like.items():
                    p = p.replace(slot, value)
                if "\x00" in p:
                    raise RuntimeError("a placeholder of a compiled list query has no value")
            elif type(p) is int and p <= -2_000_000_000:
                raise RuntimeError("a placeholder of a compiled list query has no value")
            bound.append(p)
        return bound

    def rows(self, part: str) -> list[Any]:
        """`count`: the capped count (one row); `ids`: the matching ids, up to COUNT_CAP + 1,
        each with its sort keys (id, key, ...), a time key as the text the database stores
        and compares where `_time_keys_as_text()` (`as_read` gives a cursor's values so)."""
        text_times = _time_keys_as_text()
        keys: list[Any] = [
            Cast(name, TextField()) if text_times and name in _TIME_KEYS else name
            for name, _desc in self.order
        ]

        def build() -> QuerySet[Any]:
            qs = self._queryset().order_by()
            if part == "count":
                return qs.values("pk")[: COUNT_CAP + 1]
            return qs.values_list("pk", *keys)[: COUNT_CAP + 1]

        sql, params, compiler, _mode = self._get((part, COUNT_CAP, text_times), build)
        if part == "count":
            # As QuerySet.count() of a sliced query words it.
            sql = f"SELECT COUNT(*) FROM ({sql}) subquery"  # noqa: S608 -- compiled by Django
        with connection.cursor() as cur:
            cur.execute(sql, self._bind(params))
            fetched = cur.fetchall()
        if part == "count":
            return list(fetched)
        return list(compiler.results_iter([fetched]))

    def searched_page(self, size: int) -> tuple[int, list[Matter]]:
        """A text search's count (up to COUNT_CAP + 1) and its first `size + 1` matters
        after the cursor, in one statement: the matching ids and their sort keys (the
        `ids` query) kept as a MATERIALIZED CTE, the page's ids ordered and cut from those
        rows alone, and only the page's matters read, by id, beside the count (one row of
        nulls when the page is empty). More than COUNT_CAP matches: the count and no rows
        (the caller runs the full query for the page)."""

        def ids() -> QuerySet[Any]:
            qs = self._queryset().order_by()
            return qs.values_list("pk", *[name for name, _desc in self.order])[: COUNT_CAP + 1]

        def page() -> QuerySet[Any]:
            qs = Matter.objects.filter(pk__in=RawSQL('SELECT "pk" FROM "page"', ()))
            return self._related(qs).order_by()

        ids_sql, ids_params, _compiler, _mode = self._get(("ids", COUNT_CAP, False), ids)
        page_sql, page_params, compiler, fetch_mode = self._get(("found-page",), page)
        keys = [f'"k{i}"' for i in range(len(self.order))]
        after_params: list[Any] = []
        after = ""
        if self.after is not None:
            fields = [Matter._meta.get_field(name) for name, _desc in self.order]
            values = [_db_value(f, v) for f, v in zip(fields, self.after, strict=True)]  # type: ignore[arg-type]
            after, after_params = _keyset_sql(self.order, keys, values)
        by = ", ".join(
            f"{k} DESC" if desc else k for k, (_n, desc) in zip(keys, self.order, strict=True)
        )
        # The page's rows beside the count, in the sort order by their output positions
        # (the page's columns follow the count; their names repeat: id of each table).
        own = compiler.klass_info["select_fields"]
        position = {compiler.select[i][0].target.attname: i + 2 for i in own}
        ordered = ", ".join(
            f"{position[name]} DESC" if desc else str(position[name]) for name, desc in self.order
        )
        sql = (
            f'WITH "found" ("pk", {", ".join(keys)}) AS MATERIALIZED ({ids_sql}), '  # noqa: S608 -- compiled by Django
            f'"page" AS (SELECT "pk" FROM "found"{after} ORDER BY {by} LIMIT {size + 1}) '
            f'SELECT "total"."n", "p".* FROM (SELECT COUNT(*) AS "n" FROM "found") AS "total" '
            f'LEFT JOIN ({page_sql}) AS "p" ON TRUE ORDER BY {ordered}'
        )
        params = [*self._bind(ids_params), *after_params, *self._bind(page_params)]
        with connection.cursor() as cur:
            cur.execute(sql, params)
            fetched = cur.fetchall()
        total = fetched[0][0]
        pk = own[0] + 1
        rows = [row[1:] for row in fetched if row[pk] is not None]
        return total, _instances(compiler, fetch_mode, rows) if total <= COUNT_CAP else []

    def as_read(self, values: list[Any]) -> tuple[Any, ...]:
        """A cursor's values as `rows("ids")` reads the sort keys: a time as the text
        SQLite stores and compares (`_time_keys_as_text`), bound as the keyset's SQL binds it."""
        if not _time_keys_as_text():
            return tuple(values)
        return tuple(
            _db_value(Matter._meta.get_field(name), value) if name in _TIME_KEYS else value  # type: ignore[arg-type]
            for (name, _desc), value in zip(self.order, values, strict=True)
        )

    def matters(
        self, size: int, ids: list[int] | None = None, ordered: bool = True
    ) -> list[Matter]:
        """The first `size + 1` matters after the cursor in the sort order: of all the
        visible matters that match, or of `ids` (already gated and matched); with
        `ordered=False`, `ids` are the page itself, in its order (at most `size + 1`)."""
        extra = None
        if ids is not None and not ordered:
            if not ids:
                return []
            slots = 1 << max(3, (len(ids) - 1).bit_length())
            by_id = {_id_slot(i): ids[min(i, len(ids) - 1)] for i in range(slots)}

            def read() -> QuerySet[Any]:
                qs = Matter.objects.filter(pk__in=[_id_slot(i) for i in range(slots)])
                return self._related(qs).order_by()

            sql, params, compiler, fetch_mode = self._get(("byid", slots), read, by_id)
            with connection.cursor() as cur:
                cur.execute(sql, self._bind(params, by_id))
                fetched = cur.fetchall()
            found = {m.pk: m for m in _instances(compiler, fetch_mode, fetched)}
            return [found[pk] for pk in ids if pk in found]
        if ids is None:

            def build() -> QuerySet[Any]:
                return self._keyset(self._queryset())[: size + 1]

            shape: tuple[Any, ...] = ("page", size)
        else:
            # One shape per power of two of ids, the last repeated (an IN list ignores it).
            slots = 1 << max(3, (len(ids) - 1).bit_length())
            extra = {_id_slot(i): ids[min(i, len(ids) - 1)] for i in range(slots)}

            def build() -> QuerySet[Any]:
                qs = Matter.objects.filter(pk__in=[_id_slot(i) for i in range(slots)])
                return self._keyset(qs)[: size + 1]

            shape = ("ids", slots, size)
        sql, params, compiler, fetch_mode = self._get(shape, build, extra)
        with connection.cursor() as cur:
            cur.execute(sql, self._bind(params, extra))
            fetched = cur.fetchall()
        return _instances(compiler, fetch_mode, fetched)


def _one_statement() -> bool:
    """Whether a text search's count and page are read in one statement
    (`_ListQuery.searched_page`): on PostgreSQL, where each statement is planned, and
    its matching ids, sent to the client to be ordered there, cost ≈ 300 time values
    converted in Python per full party name at 100k matters."""
    return connection.vendor == "postgresql"


def _keyset_sql(
    order: tuple[tuple[str, bool], ...], keys: list[str], values: list[Any]
) -> tuple[str, list[Any]]:
    """` WHERE` rows strictly after `values` in `order`, over the columns `keys`: what
    `_keyset_after` asks of the matter's own columns, with its redundant bound on the
    first key."""
    steps, params = [], []
    for i, (key, (_name, desc)) in enumerate(zip(keys, order, strict=True)):
        equal = [f"{keys[j]} = %s" for j in range(i)]
        steps.append("(" + " AND ".join([*equal, f"{key} {'<' if desc else '>'} %s"]) + ")")
        params += [*values[:i], values[i]]
    bound = f"{keys[0]} {'<=' if order[0][1] else '>='} %s"
    return f" WHERE {bound} AND ({' OR '.join(steps)})", [values[0], *params]


# The sort keys that are times (`SORTS`).
_TIME_KEYS = frozenset({"updated_at", "created_at"})


def _time_keys_as_text() -> bool:
    """Whether a searched list reads its time sort keys as text (`_ListQuery.rows`): on
    SQLite, where a DateTimeField is stored as ISO 8601 text in UTC, one format, and ordered
    and compared as that text (BINARY), so the text sorts here exactly as the database sorts
    the rows. Read as times, the ≈ 300 matches of a full party name at 100k were each parsed
    by the driver and made aware by Django: ≈ 0.5 ms of a ≈ 6 ms page. PostgreSQL's driver
    hands back times at little cost."""
    return connection.vendor == "sqlite"


def _sorted_here(order: tuple[tuple[str, bool], ...], found: list[Any]) -> bool:
    """Whether a page of `found` (ids and sort keys) is ordered here as the database orders
    it: keys that are dates and times or numbers, all in one direction, none null (text
    keys are left to the database's collation)."""
    if len({desc for _name, desc in order}) != 1:
        return False
    for name, _desc in order:
        if Matter._meta.get_field(name).get_internal_type() not in _ORDERED_HERE:
            return False
    return all(None not in row for row in found)


_ORDERED_HERE = {"DateTimeField", "AutoField", "BigAutoField", "IntegerField", "BigIntegerField"}

_FILTER_FIELDS = (
    "status",
    "matter_type",
    "priority",
    "practice_area",
    "lawyer",
    "opened_from",
    "opened_to",
)


def _instances(compiler: Any, fetch_mode: Any, rows: list[Any]) -> list[Matter]:
    """The model instances of `rows` fetched with `compiler`'s SQL, with its select_related
    objects, as `QuerySet` iteration builds them (django.db.models.query.ModelIterable).
    The columns' converters are asked of the compiler once per compiled query (the list's
    queries are compiled once per shape: `_ListQuery._get`) and applied in one loop here,
    not through `results_iter`'s chain of generators."""
    db = compiler.using
    select, klass_info = compiler.select, compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    model = klass_info["model"]
    from_db = _plain_from_db(model, init_list, fetch_mode) or _get_from_db(model, fetch_mode)
    populators = get_related_populators(klass_info, select, db, fetch_mode)
    for populator in populators:
        plain = _plain_from_db(populator.model_cls, populator.init_list, fetch_mode)
        if plain is not None and not populator.related_populators:
            populator.from_db = plain  # type: ignore[attr-defined]  # set in its __init__
    plan = _CONVERTERS.get(compiler)
    if plan is None:
        fields = [s[0] for s in select[0 : compiler.col_count]]
        # A composite key's columns are made tuples by results_iter: its path, as before.
        composite = compiler.has_composite_fields(fields)
        converters = (
            []
            if composite
            else lean_converters(list(compiler.get_converters(fields).items()), compiler.connection)
        )
        plan = _CONVERTERS[compiler] = (composite, converters)
    composite, converters = plan
    if composite:
        rows = list(compiler.results_iter([rows]))
    out = []
    for row in converted_rows(rows, converters, compiler.connection):
        obj = from_db(db, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        out.append(obj)
    return out


# The converters of a compiled list query's columns, per compiler (_instances).
_CONVERTERS: WeakKeyDictionary[Any, tuple[bool, list[Any]]] = WeakKeyDictionary()


def _plain_from_db(model: Any, init_list: list[str], fetch_mode: Any) -> Any:
    """`model.from_db` for a row of every concrete field, without `Model.__init__`: the
    values go straight into the instance's `__dict__`, as `__init__` leaves them when
    nothing else runs (a page of 51 matters and their practice areas and causes: their
    `__init__`, its `setattr` per field and the foreign keys' `__set__`, cost about as much
    as the SQL). None (use Django's) when anything would differ: a model with its own
    `__init__` or `from_db`, a `pre_init`/`post_init` receiver, a field missing from the
    row, or a field whose descriptor does more on assignment than store the value (a
    foreign key's `__set__` only clears a cached object, which a new instance has not)."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return None
    attnames = [f.attname for f in model._meta.concrete_fields]
    if init_list != attnames:
        return None
    if model not in _PLAIN_MODELS:
        _PLAIN_MODELS[model] = (
            model.__init__ is Model.__init__
            and inspect.getattr_static(model, "from_db") is inspect.getattr_static(Model, "from_db")
            and all(
                type(inspect.getattr_static(model, name, None)) in _PLAIN_DESCRIPTORS
                for name in attnames
            )
        )
    if not _PLAIN_MODELS[model]:
        return None
    new = model.__new__

    def from_db(db: str, field_names: list[str], values: Any) -> Any:
        obj = new(model)
        state = ModelState()
        state.adding = False
        state.db = db
        if fetch_mode is not None:
            state.fetch_mode = fetch_mode
        obj.__dict__["_state"] = state
        obj.__dict__.update(zip(attnames, values, strict=True))
        return obj

    return from_db


_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)
_PLAIN_MODELS: dict[Any, bool] = {}


EXPORT_CAP = 10_000


def matters_export(*, user: AnyUser, filters: MatterFilters) -> list[Matter]:
    """The list page's matters (same gate, filters and order) for an export, capped."""
    order = SORTS.get(filters.sort, SORTS["activity"])
    ordering = [f"-{f}" if desc else f for f, desc in order]
    qs = matters_filter(user=user, filters=filters).select_related("practice_area", "cause")
    return list(qs.order_by(*ordering)[:EXPORT_CAP])


LEAD_ROLES = (MemberRole.RESPONSIBLE_PARTNER, MemberRole.LEAD)


@dataclass(frozen=True)
class Lead:
    """A responsible partner or lead lawyer of a listed matter: the role and the name."""

    role: str
    name: str


def matters_with_leads(matters: list[Matter]) -> dict[int, list[Lead]]:
    """The responsible partners and lead lawyers of the matters on one page (what the list
    and its export show of the team), in one query (no N+1), as plain values: 100 model
    instances per page cost more than the query."""
    by_matter: dict[int, list[Lead]] = {m.pk: [] for m in matters}

    def read(*ids: int) -> QuerySet[Any, tuple[int, str, str, str]]:
        return (
            MatterMember.objects.filter(matter_id__in=ids, role__in=LEAD_ROLES)
            .order_by("id")
            .values_list("matter_id", "role", "user__name", "user__username")
        )

    ids = list(by_matter)
    if not ids:
        return by_matter
    if len(ids) <= _LEADS_FIXED_MAX:
        # A page's worth: compiled once per power of two of ids (core.fixedsql; building
        # and compiling the read cost about twice the query), padded with ids no matter
        # has (negative: the IN list keeps them, so the check under the tests builds the
        # same SQL from the real arguments).
        slots = 1 << max(3, (len(ids) - 1).bit_length())
        padded = [*ids, *range(-1, -(slots - len(ids)) - 1, -1)]
        rows = fixed_rows(("matters.leads", slots), read, *padded)
    else:
        rows = list(read(*ids))
    for matter_id, role, name, username in rows:
        by_matter[matter_id].append(Lead(role=role, name=name or username))
    return by_matter


_LEADS_FIXED_MAX = 64
