"""Candidate retrieval for conflict checks: the side index and the matchers.

Index design (see models.py):

* ``PartyKey(key_type, value)`` holds exact-match keys per owner (a party or a staff
  relative): identifiers, the normalised name, each alias, the core and trade names of
  organisations (main name and aliases), and pinyin readings. Pinyin keys are the full
  toneless readings, concatenated (王小明 → ``wangxiaoming``), of every combination of
  heteronym readings (at most 3 per character, at most ``PINYIN_MAX_KEYS`` combinations,
  the context reading from pypinyin's phrase dictionary first), for person names and for the
  trade names of organisations, up to ``PINYIN_MAX_CHARS`` characters. Two names match on
  pinyin when their reading sets overlap (docs/domain.md §6.2: never decisive, review only).
* ``NameGram(gram)`` holds each distinct unigram and bigram of the owner's normalised names
  (main name and aliases). A substring query needs its bigrams (or its one character); the
  owners holding all of them are verified with ``in`` on their stored names. A fuzzy query
  needs a provable minimum number of shared grams (``min_shared_grams``), so the candidates
  that rapidfuzz scores are a superset of every name within ``FUZZY_MIN_RATIO``.

Nothing here scans the party table: parties are read by primary key once they are
candidates. Callers must keep the index current (``index_party`` after every party write).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from django.db import models, transaction
from django.db.models import Count, F, Q
from rapidfuzz import fuzz

from lexcase.accounts.models import User
from lexcase.conflicts.models import KeyType, NameGram, PartyKey, StaffRelative
from lexcase.core.db import bulk_insert
from lexcase.core.fieldcrypt import blind_index, blind_indexes
from lexcase.parties import names as names_module
from lexcase.parties.identifiers import (
    IdentifierError,
    normalize_identifier,
    validate_credit_code,
    validate_id_number,
)
from lexcase.parties.models import Party, PartyAlias, PartyKind, PartyRelation
from lexcase.parties.names import clean_display_name, name_keys, normalize_name

__all__ = [
    "ENGINE_VERSION",
    "Candidate",
    "CandidateList",
    "IndexModels",
    "QueryParty",
    "clean_credit_code",
    "clean_id_number",
    "clean_passport",
    "equivalent_form",
    "find_candidates",
    "index_parties",
    "index_party",
    "index_rebuild",
    "index_staff_relative",
    "name_grams",
    "pinyin_keys",
    "staff_relative_add",
]

# Bump when matching or verdict rules change: stored check records cite it.
ENGINE_VERSION = "lexcase-conflicts/1.0"

# At most this many verified substring matches per searched string; more sets `truncated`.
SUBSTRING_CAP = 500
# Gram-index rows fetched before verification (bigram co-occurrence is not contiguity).
SUBSTRING_FETCH_CAP = 2000
FUZZY_FETCH_CAP = 2000
FUZZY_MIN_RATIO = 80
PINYIN_MAX_CHARS = 8
PINYIN_MAX_KEYS = 16
_PINYIN_READINGS_PER_CHAR = 3
_INDEX_BATCH = 500
_MAX_VALUE = 200

SCORE_ID = 100
SCORE_NAME = 100
SCORE_ALIAS = 98
SCORE_CORE = 95
SCORE_TRADE = 90
SCORE_FUZZY_MAX = 94  # the ratio, kept below an exact core-name match
SCORE_SUBSTRING = 70
SCORE_SHORT_SUBSTRING = 50  # 1–2 characters: found, but weak evidence
SCORE_PINYIN = 60
SCORE_RELATED = 60

# Tie-break between match kinds of equal score: the more specific explanation wins.
_MATCH_RANK = {
    "id": 0,
    "name": 1,
    "alias": 2,
    "core_name": 3,
    "trade": 4,
    "fuzzy": 5,
    "substring": 6,
    "pinyin": 7,
    "related": 8,
}

# Bigrams of the legal forms, industry words and place names that most organisation names
# carry. They are valid keys, but their posting lists are the longest in the index, so a
# lookup that may choose its grams leaves them for last (a speed heuristic, never a filter).
_COMMON_WORDS = (
    *names_module._ORG_SUFFIXES,
    *names_module._INDUSTRY_WORDS,
    *names_module._PROVINCES,
    *names_module._CITIES,
    *names_module._REGION_SUFFIXES,
)
COMMON_GRAMS = frozenset(w[i : i + 2] for w in _COMMON_WORDS for i in range(len(w) - 1))
# A substring lookup intersects at most this many selective bigrams, then verifies.
_SUBSTRING_GRAMS = 3

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# 公司法 (2023) Art. 7: each pair names the same legal form, so names differing only there
# are the same name. Longest first, so 股份有限公司 is not read as 股份 + 有限公司.
_EQUIVALENT_FORMS = (("股份有限公司", "股份公司"), ("有限责任公司", "有限公司"))


@dataclass(frozen=True)
class QueryParty:
    """One party of a proposed matter, as typed at intake. `role` is a PartyRole value."""

    name: str
    kind: str
    role: str
    id_number: str = ""
    credit_code: str = ""
    passport: str = ""


@dataclass(frozen=True)
class Candidate:
    """A stored party or staff relative that may be the queried party.

    `conclusive` says whether the match alone identifies the same party: an identifier, or
    an exact normalised name / alias / same-legal-form name of an organisation (for a staff
    relative also a person's exact name, see verdicts). For `related` candidates it carries
    the conclusiveness of the direct hit they were reached through (`via_party_id`), and
    `relation` says how the candidate relates to it (e.g. "parent_of": the candidate is the
    parent company of the via party).
    """

    party_id: int | None
    relative_id: int | None
    matched_on: str
    score: int
    matched_text: str
    via_party_id: int | None = None
    conclusive: bool = False
    relation: str = ""

    @property
    def owner(self) -> tuple[str, int]:
        if self.party_id is not None:
            return ("party", self.party_id)
        return ("relative", self.relative_id or 0)


class CandidateList(list[Candidate]):
    """The candidates, best first; `truncated` is set when a cap cut a result set short."""

    truncated: bool = False


# --- key derivation -------------------------------------------------------------------------


def name_grams(normalized: str) -> set[str]:
    """Every distinct unigram and bigram of an already normalised name."""
    grams = set(normalized)
    grams.update(normalized[i : i + 2] for i in range(len(normalized) - 1))
    return grams


def _query_grams(text: str) -> set[str]:
    # A one-character query has no bigram; its character is its only key.
    if len(text) == 1:
        return {text}
    return {text[i : i + 2] for i in range(len(text) - 1)}


@cache
def _pinyin_module() -> tuple[object, object, object]:
    # pypinyin loads its dictionaries on import (a few hundred ms): only when first needed.
    from pypinyin import Style, lazy_pinyin, pinyin

    return pinyin, lazy_pinyin, Style


def pinyin_keys(text: str) -> list[str]:
    """Toneless pinyin readings of a short name, the most likely reading first.

    Empty for names without Han characters or longer than PINYIN_MAX_CHARS: pinyin only
    helps with homophones in short names (persons, trade names); on long names it adds
    nothing that fuzzy matching does not already find.
    """
    if not text or len(text) > PINYIN_MAX_CHARS or not _HAN.search(text):
        return []
    pinyin, lazy_pinyin, style = _pinyin_module()
    context = [reading.lower() for reading in lazy_pinyin(text)]  # type: ignore[operator]
    readings = pinyin(text, style=style.NORMAL, heteronym=True)  # type: ignore[operator,attr-defined]
    if len(readings) != len(context):
        return ["".join(context)]
    per_char = []
    for best, options in zip(context, readings, strict=True):
        choices = [best] + [o.lower() for o in options if o.lower() != best]
        per_char.append(choices[:_PINYIN_READINGS_PER_CHAR])
    keys: list[str] = []
    for combo in itertools.product(*per_char):
        key = "".join(combo)[:_MAX_VALUE]
        if key not in keys:
            keys.append(key)
        if len(keys) >= PINYIN_MAX_KEYS:
            break
    return keys


def clean_id_number(value: str) -> str:
    value = normalize_identifier(value)
    if not value:
        return ""
    try:
        return validate_id_number(value)
    except IdentifierError:
        # An invalid number can still be the very one stored on a party imported unchecked.
        return value


def clean_credit_code(value: str) -> str:
    value = normalize_identifier(value)
    if not value:
        return ""
    try:
        return validate_credit_code(value)
    except IdentifierError:
        return value


def clean_passport(value: str) -> str:
    return normalize_identifier(value)


def equivalent_form(normalized: str) -> str:
    """The normalised name with equivalent legal forms unified (有限责任公司 → 有限公司)."""
    for long, short in _EQUIVALENT_FORMS:
        if normalized.endswith(long):
            return normalized[: -len(long)] + short
    return normalized


KeyRow = tuple[str, str, str, bool]  # key_type, value, text, from_alias
# (original text, is an alias, its name keys as returned by parties.names.name_keys)
NameEntry = tuple[str, bool, dict[str, str]]


def _owner_keys(
    *,
    kind: str,
    names: Iterable[NameEntry],
    id_number: str = "",
    credit_code: str = "",
    passport: str = "",
) -> tuple[list[KeyRow], set[str]]:
    names = list(names)
    main = names[0][0][:_MAX_VALUE] if names else ""
    rows: list[KeyRow] = []
    # Personal identifiers are indexed by their keyed hash only (core/fieldcrypt.py), the
    # same one the party row carries; a credit code is public and indexed as it is.
    for key_type, value in (
        (KeyType.ID_NUMBER, blind_index(clean_id_number(id_number))),
        (KeyType.CREDIT_CODE, clean_credit_code(credit_code)),
        (KeyType.PASSPORT, blind_index(clean_passport(passport))),
    ):
        if value:
            rows.append((key_type, value[:_MAX_VALUE], main, False))
    grams: set[str] = set()
    for text, is_alias, keys in names:
        normalized = keys["normalized"][:_MAX_VALUE]
        if not normalized:
            continue
        shown = text[:_MAX_VALUE]
        rows.append((KeyType.ALIAS if is_alias else KeyType.NAME, normalized, shown, is_alias))
        if kind == PartyKind.PERSON:
            spoken = normalized
        else:
            rows.append((KeyType.CORE, keys["core"][:_MAX_VALUE], shown, is_alias))
            rows.append((KeyType.TRADE, keys["trade"][:_MAX_VALUE], shown, is_alias))
            spoken = keys["trade"]
        rows.extend((KeyType.PINYIN, key, shown, is_alias) for key in pinyin_keys(spoken))
        grams |= name_grams(normalized)
        if kind != PartyKind.PERSON:
            # Dropping a bracketed tag joins characters that were not adjacent (华为(深圳)技术
            # → 华为技术); fuzzy matching scores the core name, so its grams must be found.
            grams |= name_grams(keys["core"])
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in rows:
        if (row[0], row[1]) not in seen:
            seen.add((row[0], row[1]))
            unique.append(row)
    return unique, grams


# --- indexing -------------------------------------------------------------------------------


def _party_names(party: Party, aliases: Iterable[PartyAlias]) -> list[NameEntry]:
    # The party services already store the derived keys; recomputing them (OpenCC t2s in
    # pure Python) would dominate a bulk rebuild. Computed only where a key is missing.
    if party.name_normalized and party.name_core and party.name_trade:
        main = {
            "normalized": party.name_normalized,
            "core": party.name_core,
            "trade": party.name_trade,
        }
    else:
        main = name_keys(party.name, kind=party.kind)
    entries: list[NameEntry] = [(party.name, False, main)]
    for alias in aliases:
        if party.kind == PartyKind.PERSON and alias.name_normalized:
            keys = {"normalized": alias.name_normalized}
            keys["core"] = keys["trade"] = alias.name_normalized
        else:
            # PartyAlias stores no trade name: derive all three together, consistently.
            keys = name_keys(alias.name, kind=party.kind)
        entries.append((alias.name, True, keys))
    return entries


def _party_rows(party: Party, aliases: Iterable[PartyAlias]) -> tuple[list[tuple], list[tuple]]:
    keys, grams = _owner_keys(
        kind=party.kind,
        names=_party_names(party, aliases),
        id_number=party.id_number,
        credit_code=party.credit_code,
        passport=party.passport,
    )
    key_rows = [(party.pk, None, t, v, x, a) for t, v, x, a in keys]
    gram_rows = [(party.pk, None, g) for g in sorted(grams)]
    return key_rows, gram_rows


_KEY_COLUMNS = ("party_id", "relative_id", "key_type", "value", "text", "from_alias")
_GRAM_COLUMNS = ("party_id", "relative_id", "gram")


def _insert(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain multi-row INSERTs: the index holds ~15 rows per party, and going through model
    instances (bulk_create) made a rebuild several times slower for no benefit."""
    bulk_insert(model, columns, rows, returning=False)


@transaction.atomic
def index_party(party: Party) -> None:
    """Rebuild the index rows of one party (name, aliases, identifiers). Idempotent."""
    keys, grams = _party_rows(party, PartyAlias.objects.filter(party=party).order_by("pk"))
    PartyKey.objects.filter(party=party).delete()
    NameGram.objects.filter(party=party).delete()
    _insert(PartyKey, _KEY_COLUMNS, keys)
    _insert(NameGram, _GRAM_COLUMNS, grams)


def _chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(ids)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class IndexModels:
    """The models the indexer reads and writes. A data migration passes its historical
    models, so it rebuilds index rows exactly as the current code would."""

    # A migration's historical models have the same fields and managers as these.
    party: type[Party] = Party
    alias: type[PartyAlias] = PartyAlias
    key: type[PartyKey] = PartyKey
    gram: type[NameGram] = NameGram


_MODELS = IndexModels()


@transaction.atomic
def index_parties(party_ids: Iterable[int], *, using: IndexModels = _MODELS) -> int:
    """Rebuild the index rows of many parties in batches; return how many were indexed."""
    count = 0
    for chunk in _chunks(party_ids, _INDEX_BATCH):
        aliases: dict[int, list[PartyAlias]] = {}
        for alias in using.alias.objects.filter(party_id__in=chunk).order_by("pk"):
            aliases.setdefault(alias.party_id, []).append(alias)
        keys: list[tuple] = []
        grams: list[tuple] = []
        for party in using.party.objects.filter(pk__in=chunk).only(
            "kind",
            "name",
            "name_normalized",
            "name_core",
            "name_trade",
            "id_number",
            "credit_code",
            "passport",
        ):
            party_keys, party_grams = _party_rows(party, aliases.get(party.pk, []))
            keys += party_keys
            grams += party_grams
            count += 1
        using.key.objects.filter(party_id__in=chunk).delete()
        using.gram.objects.filter(party_id__in=chunk).delete()
        _insert(using.key, _KEY_COLUMNS, keys)
        _insert(using.gram, _GRAM_COLUMNS, grams)
    return count


@transaction.atomic
def index_staff_relative(rel: StaffRelative, *, using: IndexModels = _MODELS) -> None:
    """Rebuild the index rows of one staff relative. Idempotent."""
    keys, grams = _owner_keys(
        kind=rel.kind,
        names=[(rel.name, False, name_keys(rel.name, kind=rel.kind))],
        id_number=rel.id_number,
    )
    using.key.objects.filter(relative_id=rel.pk).delete()
    using.gram.objects.filter(relative_id=rel.pk).delete()
    _insert(using.key, _KEY_COLUMNS, [(None, rel.pk, t, v, x, a) for t, v, x, a in keys])
    _insert(using.gram, _GRAM_COLUMNS, [(None, rel.pk, g) for g in sorted(grams)])


@transaction.atomic
def index_rebuild() -> int:
    """Drop and rebuild the whole index; return the number of parties and relatives indexed."""
    # Neither table has dependants or signals, so Django deletes each in one statement.
    PartyKey.objects.all().delete()
    NameGram.objects.all().delete()
    count = index_parties(Party.objects.order_by("pk").values_list("pk", flat=True).iterator())
    for rel in StaffRelative.objects.order_by("pk").iterator():
        index_staff_relative(rel)
        count += 1
    return count


def staff_relative_add(
    *, user: User, name: str, relation: str, kind: str = PartyKind.PERSON, id_number: str = ""
) -> StaffRelative:
    """Record a relative of a staff member and index it at once."""
    with transaction.atomic():
        rel = StaffRelative.objects.create(
            user=user,
            name=clean_display_name(name),
            kind=kind,
            id_number=clean_id_number(id_number),
            relation=relation,
        )
        index_staff_relative(rel)
    return rel


# --- matching -------------------------------------------------------------------------------


Owner = tuple[int | None, int | None]  # (party_id, relative_id): exactly one is set


def _selectivity(gram: str) -> tuple[bool, int, str]:
    # Uncommon before common, bigrams before unigrams; the gram itself for a stable order.
    return (gram in COMMON_GRAMS or (len(gram) == 1 and gram in _COMMON_CHARS), -len(gram), gram)


_COMMON_CHARS = frozenset("".join(_COMMON_WORDS))


def _substring_grams(text: str) -> set[str]:
    """The grams a name containing `text` must hold: a few selective ones suffice, since
    every candidate is verified with `in` afterwards."""
    grams = _query_grams(text)
    if len(grams) <= _SUBSTRING_GRAMS:
        return grams
    return set(sorted(grams, key=_selectivity)[:_SUBSTRING_GRAMS])


def _owners_sharing(grams: set[str], minimum: int, limit: int) -> tuple[list[Owner], bool]:
    """Owners holding at least `minimum` of `grams`, read through a prefix filter.

    Any such owner holds at least one of any len(grams) − minimum + 1 of them, so only the
    owners holding one of the most selective grams of that many are counted against all
    grams. The database narrows to them in the same statement (a semi-join): no id lists
    travel to Python and back.
    """
    prefix = set(sorted(grams, key=_selectivity)[: len(grams) - minimum + 1])
    if prefix == grams or minimum <= 1:
        return _owners_with_grams(grams, minimum, limit)
    return _owners_with_grams(grams, minimum, limit, prefix=prefix)


def _owners_with_grams(
    grams: set[str], minimum: int, limit: int, prefix: set[str] | None = None
) -> tuple[list[Owner], bool]:
    """Owners holding at least `minimum` of `grams`; the bool says the limit was reached.

    Staff relatives sort first (they are few and always matter), then the parties sharing
    the most grams, newest first. With `prefix`, only owners holding one of those grams are
    counted.

    Parties and relatives are read by two queries, each naming one owner column only, so
    each is answered from its (gram, owner) index alone (covering, no table lookups); one
    query over both columns made SQLite visit the table row of every posting.
    """
    relatives = _owner_ids("relative_id", grams, minimum, limit, prefix)
    owners: list[Owner] = [(None, r) for r in relatives]
    if len(owners) <= limit:
        parties = _owner_ids("party_id", grams, minimum, limit - len(owners), prefix)
        owners += [(p, None) for p in parties]
    return owners[:limit], len(owners) > limit


def _owner_ids(
    column: str, grams: set[str], minimum: int, limit: int, prefix: set[str] | None
) -> list[int]:
    """Up to limit + 1 ids in `column` holding at least `minimum` grams, most shared first."""
    present = {f"{column}__isnull": False}
    rows = NameGram.objects.filter(gram__in=grams, **present)
    if prefix is not None:
        holders = NameGram.objects.filter(gram__in=prefix, **present).values(column)
        rows = rows.filter(**{f"{column}__in": holders})
    if len(grams) == 1 and minimum == 1:
        # One posting list holds one row per owner: no grouping needed.
        query = rows.order_by(F(column).desc()).values_list(column, flat=True)
    else:
        query = (
            rows.values(column)
            .annotate(shared=Count("gram", distinct=True))
            .filter(shared__gte=minimum)
            # When a cap cuts the list, keep the owners that share the most grams.
            .order_by("-shared", F(column).desc())
            .values_list(column, flat=True)
        )
    return list(query[: limit + 1])


def _stored_names(owners: list[Owner]) -> dict[Owner, list[tuple[str, str, str]]]:
    """(key_type, normalised value, original text) of the names, aliases and core names."""
    names: dict[Owner, list[tuple[str, str, str]]] = {owner: [] for owner in owners}
    party_ids = [p for p, _r in owners if p is not None]
    relative_ids = [r for p, r in owners if p is None and r is not None]
    if not names:
        return names
    rows = PartyKey.objects.filter(
        Q(party_id__in=party_ids) | Q(relative_id__in=relative_ids),
        key_type__in=[KeyType.NAME, KeyType.ALIAS, KeyType.CORE],
    ).values_list("party_id", "relative_id", "key_type", "value", "text")
    for party_id, relative_id, key_type, value, text in rows:
        names[(party_id, relative_id)].append((key_type, value, text))
    return names


def min_shared_grams(length: int, distinct_grams: int) -> int:
    """The fewest distinct uni+bigrams of a query of `length` characters that any name with
    `fuzz.ratio` ≥ FUZZY_MIN_RATIO must share with it (at least 1).

    ratio = 200·L/(n+m) for an LCS of L, so L ≥ ⌈2(n+m)/5⌉. Each query character outside
    the LCS removes at most one unigram and two bigrams; each gap the other name opens
    between two adjacent LCS characters removes one bigram (at most m−L gaps). The worst
    case over every feasible length m bounds the grams lost.
    """
    n = length
    worst = 0
    for m in range(1, 2 * n + 2):
        lcs = -(-2 * (n + m) // 5)
        if lcs > min(n, m):
            continue
        worst = max(worst, 3 * (n - lcs) + (m - lcs))
    return max(1, distinct_grams - worst)


def _direct(owner: Owner, matched_on: str, score: int, text: str, conclusive: bool) -> Candidate:
    return Candidate(owner[0], owner[1], matched_on, score, text, conclusive=conclusive)


class _Collector:
    """Keeps the best candidate per owner."""

    def __init__(self) -> None:
        self.best: dict[tuple[str, int], Candidate] = {}
        self.truncated = False

    def add(self, candidate: Candidate) -> None:
        current = self.best.get(candidate.owner)
        if current is None or _sort_key(candidate) < _sort_key(current):
            self.best[candidate.owner] = candidate


def _sort_key(c: Candidate) -> tuple[int, int, int, int]:
    return (-c.score, _MATCH_RANK[c.matched_on], c.party_id or 0, c.relative_id or 0)


@dataclass
class _QueryKeys:
    normalized: str
    core: str
    trade: str
    is_org: bool
    # (key type, the values to look up: a personal identifier's keyed hash under every key)
    identifiers: list[tuple[KeyType, list[str]]] = field(default_factory=list)


def _query_keys(q: QueryParty) -> _QueryKeys:
    keys = name_keys(q.name or "", kind=q.kind)
    credit_code = clean_credit_code(q.credit_code)
    identifiers = [
        (t, v)
        for t, v in (
            (KeyType.ID_NUMBER, blind_indexes(clean_id_number(q.id_number))),
            (KeyType.CREDIT_CODE, [credit_code] if credit_code else []),
            (KeyType.PASSPORT, blind_indexes(clean_passport(q.passport))),
        )
        if v
    ]
    return _QueryKeys(
        normalized=keys["normalized"][:_MAX_VALUE],
        core=keys["core"][:_MAX_VALUE],
        trade=keys["trade"][:_MAX_VALUE],
        is_org=q.kind != PartyKind.PERSON,
        identifiers=identifiers,
    )


def _person_owners(owners: list[Owner]) -> set[Owner]:
    """The owners that are persons."""
    party_ids = [p for p, _r in owners if p is not None]
    relative_ids = [r for p, r in owners if p is None and r is not None]
    persons: set[Owner] = {
        (pk, None)
        for pk in Party.objects.filter(pk__in=party_ids, kind=PartyKind.PERSON).values_list(
            "pk", flat=True
        )
    }
    persons |= {
        (None, pk)
        for pk in StaffRelative.objects.filter(
            pk__in=relative_ids, kind=PartyKind.PERSON
        ).values_list("pk", flat=True)
    }
    return persons


def _match_keys(keys: _QueryKeys, out: _Collector) -> None:
    """Exact lookups in PartyKey: identifiers, names, aliases, core, trade, pinyin."""
    lookups = Q()
    for id_type, values in keys.identifiers:
        lookups |= Q(key_type=id_type, value__in=values)
    if keys.normalized:
        lookups |= Q(key_type__in=[KeyType.NAME, KeyType.ALIAS], value=keys.normalized)
        if keys.is_org:
            lookups |= Q(key_type=KeyType.CORE, value=keys.core)
            lookups |= Q(key_type=KeyType.TRADE, value=keys.trade)
        spoken = keys.trade if keys.is_org else keys.normalized
        if spoken_keys := pinyin_keys(spoken):
            lookups |= Q(key_type=KeyType.PINYIN, value__in=spoken_keys)
    if not lookups:
        return
    rows = list(
        PartyKey.objects.filter(lookups).values_list(
            "party_id", "relative_id", "key_type", "value", "text"
        )
    )
    # An exact name is conclusive for organisations only: personal names collide.
    persons = _person_owners(
        [(p, r) for p, r, t, _v, _x in rows if t in {KeyType.NAME, KeyType.ALIAS}]
    )
    identifier_types = {KeyType.ID_NUMBER, KeyType.CREDIT_CODE, KeyType.PASSPORT}
    for party_id, relative_id, key_type, _value, text in rows:
        owner = (party_id, relative_id)
        is_org_owner = owner not in persons
        if key_type in identifier_types:
            out.add(_direct(owner, "id", SCORE_ID, text, True))
        elif key_type == KeyType.NAME:
            out.add(_direct(owner, "name", SCORE_NAME, text, is_org_owner))
        elif key_type == KeyType.ALIAS:
            out.add(_direct(owner, "alias", SCORE_ALIAS, text, is_org_owner))
        elif key_type == KeyType.CORE:
            # Same name up to an equivalent legal form (有限公司 = 有限责任公司) is the same
            # name in law; a dropped bracketed tag such as (深圳) may be a sister company.
            same = equivalent_form(normalize_name(text)) == equivalent_form(keys.normalized)
            out.add(_direct(owner, "core_name", SCORE_CORE, text, same))
        elif key_type == KeyType.TRADE:
            out.add(_direct(owner, "trade", SCORE_TRADE, text, False))
        else:
            out.add(_direct(owner, "pinyin", SCORE_PINYIN, text, False))


def _match_substrings(keys: _QueryKeys, out: _Collector) -> None:
    searched = [keys.normalized]
    if keys.is_org:
        # A proposed organisation is also looked for by its core and trade names, which
        # appear inside the registered names of the same business (大疆创新 in 深圳市大疆…).
        searched += [keys.core, keys.trade]
    for text in dict.fromkeys(s for s in searched if s):
        grams = _substring_grams(text)
        score = SCORE_SHORT_SUBSTRING if len(text) <= 2 else SCORE_SUBSTRING
        owners, capped = _owners_with_grams(grams, len(grams), SUBSTRING_FETCH_CAP)
        found = 0
        for owner, names in _stored_names(owners).items():
            # Holding every bigram is not holding them contiguously: verify on the names.
            shown = next((x for t, v, x in names if t != KeyType.CORE and text in v), None)
            if shown is None:
                continue
            found += 1
            if found > SUBSTRING_CAP:
                break
            out.add(_direct(owner, "substring", score, shown, False))
        if capped or found > SUBSTRING_CAP:
            out.truncated = True


def _match_fuzzy(keys: _QueryKeys, out: _Collector) -> None:
    key = keys.core if keys.is_org else keys.normalized
    if len(key) < 3:
        # Below 3 characters a ratio ≥ 80 needs the key itself inside the other name, which
        # the substring matcher already finds.
        return
    grams = name_grams(key)
    minimum = min_shared_grams(len(key), len(grams))
    owners, capped = _owners_sharing(grams, minimum, FUZZY_FETCH_CAP)
    out.truncated |= capped
    for owner, names in _stored_names(owners).items():
        best, shown = 0.0, ""
        for _type, value, text in names:
            if value == key:
                continue  # identical: the exact name/core lookups explain it better
            score = fuzz.ratio(key, value, score_cutoff=FUZZY_MIN_RATIO)
            if score > best:
                best, shown = score, text
        if best >= FUZZY_MIN_RATIO:
            out.add(_direct(owner, "fuzzy", min(SCORE_FUZZY_MAX, int(best)), shown, False))


_RELATION_NAMES: dict[tuple[str, bool], str] = {
    # (kind, candidate is the source) → how the candidate relates to the party that matched.
    (PartyRelation.Kind.LEGAL_REPRESENTATIVE, True): "legal_rep_of",
    (PartyRelation.Kind.LEGAL_REPRESENTATIVE, False): "has_legal_rep",
    (PartyRelation.Kind.PARENT, True): "parent_of",
    (PartyRelation.Kind.PARENT, False): "subsidiary_of",
    (PartyRelation.Kind.SHAREHOLDER, True): "shareholder_of",
    (PartyRelation.Kind.SHAREHOLDER, False): "has_shareholder",
    (PartyRelation.Kind.RELATIVE, True): "relative_of",
    (PartyRelation.Kind.RELATIVE, False): "relative_of",
}


def _expand_related(out: _Collector, names: dict[int, str]) -> None:
    # Substring hits are not expanded: a short query hits hundreds of names, and the
    # relations of unconfirmed look-alikes would bury the reviewer.
    direct = {
        c.party_id: c
        for c in out.best.values()
        if c.party_id is not None and c.matched_on not in {"substring", "related"}
    }
    if not direct:
        return
    relations = PartyRelation.objects.filter(
        Q(source_id__in=list(direct)) | Q(target_id__in=list(direct))
    ).values_list("source_id", "target_id", "kind")
    for source_id, target_id, kind in relations:
        for hit_id, other_id, other_is_source in (
            (source_id, target_id, False),
            (target_id, source_id, True),
        ):
            via = direct.get(hit_id)
            if via is None or other_id in direct:
                continue
            out.add(
                Candidate(
                    party_id=other_id,
                    relative_id=None,
                    matched_on="related",
                    score=SCORE_RELATED,
                    matched_text=names.get(hit_id, via.matched_text),
                    via_party_id=hit_id,
                    conclusive=via.conclusive,
                    relation=_RELATION_NAMES[(kind, other_is_source)],
                )
            )


def find_candidates(q: QueryParty) -> CandidateList:
    """Every stored party or staff relative that may be `q`, best first.

    Exact identifiers, names, aliases, core and trade names, substrings (also of 1–2
    characters), fuzzy names (rapidfuzz ratio ≥ 80 over gram-index candidates), pinyin, and
    one hop of related parties of every non-substring hit.
    """
    keys = _query_keys(q)
    out = _Collector()
    _match_keys(keys, out)
    if keys.normalized:
        _match_substrings(keys, out)
        _match_fuzzy(keys, out)
    names = dict(
        Party.objects.filter(
            pk__in=[c.party_id for c in out.best.values() if c.party_id is not None]
        ).values_list("pk", "name")
    )
    _expand_related(out, names)
    result = CandidateList(sorted(out.best.values(), key=_sort_key))
    result.truncated = out.truncated
    return result
