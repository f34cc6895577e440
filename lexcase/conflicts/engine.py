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
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from django.db import connection, connections, models, transaction
from django.db.models import Count, F, Q

from lexcase.accounts.models import User
from lexcase.conflicts.models import (
    GramCount,
    KeyCount,
    KeyType,
    NameGram,
    PartyKey,
    StaffRelative,
)
from lexcase.core.db import bulk_insert
from lexcase.core.fieldcrypt import blind_index, blind_indexes
from lexcase.matters.models import Matter, MatterParty, PartyRole, Status
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
    "Group",
    "IndexModels",
    "QueryParty",
    "clean_credit_code",
    "clean_id_number",
    "clean_passport",
    "deletions",
    "equivalent_form",
    "find_candidates",
    "group_members",
    "index_parties",
    "index_party",
    "index_rebuild",
    "index_staff_relative",
    "key_counts_rebuild",
    "name_grams",
    "org_features",
    "party_unindex",
    "pinyin_keys",
    "shared_flags_rebuild",
    "staff_relative_add",
]

# Bump when matching or verdict rules change: stored check records cite it.
ENGINE_VERSION = "lexcase-conflicts/2.6"

# Names of up to this many characters (and trade names) are found with one character
# substituted, inserted, deleted or two neighbours swapped (deletion neighbourhoods).
TYPO_MAX_CHARS = 8
# A large set of weak matches of one kind (namesakes, homophones, one-edit neighbours)
# lists this many owners and counts the rest in a Group.
GROUP_LISTED = 20
# Names containing the query: listed up to this many, the rest counted in a Group.
SUBSTRING_LISTED = 50
# Gram-index owners fetched for verification before the rest is only counted.
SUBSTRING_FETCH = 2000
# A large group of one-edit neighbours or trade-name holders is ranked by shared region and
# industry among the newest this many holders of each key; the rest are counted.
RANK_PREFIX = 64
# Keys held by more than this many parties have a stored holder count (KeyCount); the
# others are counted from the index (at most this many entries each).
KEY_COUNT_MIN = 50
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
SCORE_TYPO = 80  # + 1 per organisation feature shared (trade name, region, industry, form)
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
    "typo": 5,
    "fuzzy": 5,  # engine 1.x (rapidfuzz ratio), in stored checks only
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
    # What an organisation hit shares with the query besides the match itself: "trade" (or
    # "trade_typo"), "region", "industry", "form" (org_features).
    features: tuple[str, ...] = ()

    @property
    def owner(self) -> tuple[str, int]:
        if self.party_id is not None:
            return ("party", self.party_id)
        return ("relative", self.relative_id or 0)


class CandidateList(list[Candidate]):
    """The candidates, best first; `groups` counts the weak matches not listed one by one
    (see Group); `truncated` is kept for stored checks of engine 1.x and is never set."""

    truncated: bool = False
    groups: list[Group]

    def __init__(self, *args: Iterable[Candidate]) -> None:
        super().__init__(*args)
        self.groups = []


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
    pinyin, _lazy_pinyin, style = _pinyin_module()
    # One segmentation: the first of each character's readings is the context reading
    # (what lazy_pinyin gives, from the phrase dictionary when a phrase matches).
    readings = pinyin(text, style=style.NORMAL, heteronym=True)  # type: ignore[operator,attr-defined]
    per_char = []
    for options in readings:
        best = options[0].lower()
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


def deletions(text: str) -> list[str]:
    """The distinct strings left by deleting one character of `text` (none of them empty).

    Two names are one edit apart (substitution, insertion, deletion, or two neighbours
    swapped) only if one of them, or one of its deletions, equals the other or one of the
    other's deletions: the SymSpell deletion neighbourhood, looked up as exact keys.
    """
    return sorted({text[:i] + text[i + 1 :] for i in range(len(text))} - {""})


def equivalent_form(normalized: str) -> str:
    """The normalised name with equivalent legal forms unified (有限责任公司 → 有限公司)."""
    for long, short in _EQUIVALENT_FORMS:
        if normalized.endswith(long):
            return normalized[: -len(long)] + short
    return normalized


KeyRow = tuple[str, str, str, bool]  # key_type, value, text, from_alias
# The same and `shared` (_shared_flags).
SharedKeyRow = tuple[str, str, str, bool, bool]
# (original text, is an alias, its name keys as returned by parties.names.name_keys)
NameEntry = tuple[str, bool, dict[str, str]]


def _owner_keys(
    *,
    kind: str,
    names: Iterable[NameEntry],
    id_number: str = "",
    credit_code: str = "",
    passport: str = "",
) -> tuple[list[SharedKeyRow], set[str]]:
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
        rows += _deletion_rows(kind, text, is_alias, keys)
        grams |= name_grams(normalized)
        if kind != PartyKind.PERSON:
            # Dropping a bracketed tag joins characters that were not adjacent (华为(深圳)技术
            # → 华为技术); the core name is searched as a substring, so its grams are kept.
            grams |= name_grams(keys["core"])
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in rows:
        if (row[0], row[1]) not in seen:
            seen.add((row[0], row[1]))
            unique.append(row)
    return _shared_flags(unique), grams


# A key family: the key types one name yields a value of, and the source keys (the names
# yielding them). A party holds several keys of one family only through several sources.
_FAMILIES: dict[str, tuple[tuple[str, ...], int]] = {
    # key type → (source key types, longest source yielding keys of the type)
    KeyType.NAME: ((KeyType.NAME, KeyType.ALIAS), _MAX_VALUE),
    KeyType.ALIAS: ((KeyType.NAME, KeyType.ALIAS), _MAX_VALUE),
    KeyType.DELETION: ((KeyType.NAME, KeyType.ALIAS), TYPO_MAX_CHARS),
    KeyType.TRADE: ((KeyType.TRADE,), _MAX_VALUE),
    KeyType.TRADE_DELETION: ((KeyType.TRADE,), TYPO_MAX_CHARS),
}


def _shared_flags(rows: list[KeyRow]) -> list[SharedKeyRow]:
    """Each row with `shared`: its owner has two or more source keys of the row's family
    (two names of up to TYPO_MAX_CHARS characters for deletion keys, two trade names, a name
    and an alias, …), the only way an owner can hold two keys of one group other than one
    name yielding several deletion keys (see _summed_total)."""
    sources: Counter[str] = Counter()
    for key_type, family in _FAMILIES.items():
        types, longest = family
        sources[key_type] = sum(1 for r in rows if r[0] in types and len(r[1]) <= longest)
    return [(t, v, x, a, sources[t] >= 2) for t, v, x, a in rows]


def _deletion_rows(kind: str, text: str, is_alias: bool, keys: dict[str, str]) -> list[KeyRow]:
    """Deletion neighbourhoods: a one-character edit of a short name (or of a trade name)
    becomes an exact lookup of the query's own deletions (see _typo_branches)."""
    normalized = keys["normalized"][:_MAX_VALUE]
    shown = text[:_MAX_VALUE]
    rows: list[KeyRow] = []
    if normalized and len(normalized) <= TYPO_MAX_CHARS:
        rows += [(KeyType.DELETION, d, shown, is_alias) for d in deletions(normalized)]
    trade = keys["trade"][:_MAX_VALUE]
    if normalized and kind != PartyKind.PERSON and len(trade) <= TYPO_MAX_CHARS:
        rows += [(KeyType.TRADE_DELETION, d, shown, is_alias) for d in deletions(trade)]
    return rows


def deletion_key_rows(party: Party, aliases: Iterable[PartyAlias]) -> list[tuple]:
    """Only the deletion-neighbourhood rows of `_party_rows` (the same rows, same order):
    what migration 0007 adds to an index built by engine 1.x."""
    rows: list[KeyRow] = []
    for text, is_alias, keys in _party_names(party, aliases):
        rows += _deletion_rows(party.kind, text, is_alias, keys)
    seen: set[tuple[str, str]] = set()
    out = []
    for key_type, value, text, from_alias in rows:
        if (key_type, value) not in seen:
            seen.add((key_type, value))
            out.append((party.pk, None, key_type, value, text, from_alias))
    return out


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
    key_rows = [(party.pk, None, *row) for row in keys]
    gram_rows = [(party.pk, None, g) for g in sorted(grams)]
    return key_rows, gram_rows


_KEY_COLUMNS = ("party_id", "relative_id", "key_type", "value", "text", "from_alias", "shared")
_GRAM_COLUMNS = ("party_id", "relative_id", "gram")


def _insert(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain multi-row INSERTs: the index holds ~15 rows per party, and going through model
    instances (bulk_create) made a rebuild several times slower for no benefit. A data
    migration's historical PartyKey may predate later columns (`shared`, conflicts 0008):
    those are left out."""
    known = {f.column for f in model._meta.concrete_fields}
    if not set(columns) <= known:
        keep = [i for i, c in enumerate(columns) if c in known]
        columns = tuple(columns[i] for i in keep)
        rows = [tuple(row[i] for i in keep) for row in rows]
    bulk_insert(model, columns, rows, returning=False)


# The key types whose groups are counted (KeyCount): the branches that list a limited number
# of holders and count the rest. Identifiers, organisation names and core names are listed
# in full.
COUNTED_TYPES = (
    KeyType.NAME,
    KeyType.ALIAS,
    KeyType.TRADE,
    KeyType.PINYIN,
    KeyType.DELETION,
    KeyType.TRADE_DELETION,
)
# PostgreSQL transaction-level advisory lock taken by every KeyCount writer (one lock: the
# writers of one transaction may touch hot keys in any order without deadlocking, and a key
# crossing KEY_COUNT_MIN is counted once).
_COUNT_LOCK = 0x1EC5C0DE


def _held(rows: Iterable[tuple]) -> Counter[tuple[str, str]]:
    """(key_type, value) → parties holding it, of PartyKey rows (party_id, relative_id,
    key_type, value, …) of parties: each party holds a key once."""
    return Counter((r[2], r[3]) for r in rows if r[0] is not None and r[2] in COUNTED_TYPES)


def _held_grams(rows: Iterable[tuple]) -> Counter[tuple[str]]:
    """(gram,) → parties holding it, of NameGram rows (party_id, relative_id, gram)."""
    return Counter((r[2],) for r in rows if r[0] is not None)


def _old_keys(key_model: type[PartyKey], **owner: object) -> Counter[tuple[str, str]]:
    rows = key_model.objects.filter(
        party__isnull=False, key_type__in=COUNTED_TYPES, **owner
    ).values_list("key_type", "value")
    return Counter(rows)


def _old_grams(gram_model: type[NameGram], **owner: object) -> Counter[tuple[str]]:
    return Counter(gram_model.objects.filter(party__isnull=False, **owner).values_list("gram"))


def _tuples_q(fields: tuple[str, ...], tuples: Iterable[tuple[str, ...]]) -> Q:
    """Rows whose `fields` equal one of `tuples` (grouped by the first field)."""
    by_first: dict[str, list[str]] = {}
    for t in tuples:
        by_first.setdefault(t[0], []).append(t[-1])
    if len(fields) == 1:
        return Q(**{f"{fields[0]}__in": list(by_first)})
    q = Q()
    for first, rest in by_first.items():
        q |= Q(**{fields[0]: first, f"{fields[1]}__in": rest})
    return q


@dataclass(frozen=True)
class _Counted:
    """A stored count (KeyCount or GramCount) and the index rows it counts."""

    count: Any  # a model class (KeyCount, GramCount, or a migration's historical one)
    index: Any
    fields: tuple[str, ...]  # the counted columns, the same in both tables


def _apply_counts(delta: Counter[Any], counted: _Counted) -> None:
    """Apply the net change of the parties holding each key (gram) to its stored count:
    existing rows move by the change and are dropped at KEY_COUNT_MIN or below; one without
    a row that gained holders is counted from the index (at most KEY_COUNT_MIN + its gain
    entries) and gets a row when over KEY_COUNT_MIN. The caller holds the count lock."""
    changed = sorted((k, n) for k, n in delta.items() if n)
    table = connection.ops.quote_name(counted.count._meta.db_table)
    where = " AND ".join(f"{field} = %s" for field in counted.fields)
    for start in range(0, len(changed), _INDEX_BATCH):
        chunk = dict(changed[start : start + _INDEX_BATCH])
        existing = set(
            counted.count.objects.filter(_tuples_q(counted.fields, chunk)).values_list(
                *counted.fields
            )
        )
        if existing:
            with connection.cursor() as cur:
                cur.executemany(
                    f"UPDATE {table} SET holders = holders + %s WHERE {where}",  # noqa: S608 - table and column names; values are parameters
                    [(chunk[k], *k) for k in sorted(existing)],
                )
            counted.count.objects.filter(
                _tuples_q(counted.fields, existing), holders__lte=KEY_COUNT_MIN
            ).delete()
        grown = [k for k, n in chunk.items() if n > 0 and k not in existing]
        if not grown:
            continue
        held = (
            counted.index.objects.filter(_tuples_q(counted.fields, grown), party__isnull=False)
            .values_list(*counted.fields)
            .annotate(n=Count("id"))
            .filter(n__gt=KEY_COUNT_MIN)
        )
        counted.count.objects.bulk_create(
            [
                counted.count(**dict(zip(counted.fields, row[:-1], strict=True)), holders=row[-1])
                for row in held
            ]
        )


def _count_keys(
    keys: Counter[tuple[str, str]],
    grams: Counter[tuple[str]],
    using: IndexModels,
) -> None:
    """Apply the net change of the parties holding each key and gram to KeyCount and
    GramCount, in the caller's transaction (the one writing the index rows). Serialised by
    one advisory lock on PostgreSQL (READ COMMITTED: each statement after it sees the
    previous writers' committed rows; one lock, so that the writers of one transaction may
    touch hot keys in any order without deadlocking); SQLite serialises writers itself."""
    keys = Counter({k: n for k, n in keys.items() if n and k[0] in COUNTED_TYPES})
    grams = Counter({k: n for k, n in grams.items() if n})
    if using.count is None or using.gram_count is None or not (keys or grams):
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_COUNT_LOCK])
    _apply_counts(keys, _Counted(using.count, using.key, ("key_type", "value")))
    _apply_counts(grams, _Counted(using.gram_count, using.gram, ("gram",)))


def key_counts_rebuild(
    *,
    key_model: type[PartyKey] = PartyKey,
    count_model: type[KeyCount] = KeyCount,
    gram_model: type[NameGram] = NameGram,
    gram_count_model: type[GramCount] = GramCount,
    using: str = "default",
) -> int:
    """Count every grouped key and every name gram of the index again (after a bulk load, a
    rebuild, or in the migration that introduced the counts); return the number of rows."""
    conn = connections[using]
    quote = conn.ops.quote_name
    keys, counts = quote(key_model._meta.db_table), quote(count_model._meta.db_table)
    grams, gram_counts = quote(gram_model._meta.db_table), quote(gram_count_model._meta.db_table)
    with transaction.atomic(using=using), conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_COUNT_LOCK])
        cur.execute(f"DELETE FROM {counts}")  # noqa: S608 - table name
        cur.execute(
            f"INSERT INTO {counts} (key_type, value, holders) SELECT key_type, value, "  # noqa: S608 - table names; values are parameters
            f"COUNT(*) FROM {keys} WHERE party_id IS NOT NULL AND key_type IN "
            f"({_in(COUNTED_TYPES)}) GROUP BY key_type, value HAVING COUNT(*) > %s",
            [*COUNTED_TYPES, KEY_COUNT_MIN],
        )
        cur.execute(f"DELETE FROM {gram_counts}")  # noqa: S608 - table name
        cur.execute(
            f"INSERT INTO {gram_counts} (gram, holders) SELECT gram, COUNT(*) FROM {grams} "  # noqa: S608 - table names; values are parameters
            "WHERE party_id IS NOT NULL GROUP BY gram HAVING COUNT(*) > %s",
            [KEY_COUNT_MIN],
        )
        cur.execute(
            f"SELECT (SELECT COUNT(*) FROM {counts}) + (SELECT COUNT(*) FROM {gram_counts})"  # noqa: S608 - table names
        )
        return int(cur.fetchone()[0])


def shared_flags_rebuild(*, key_model: type[PartyKey] = PartyKey, using: str = "default") -> None:
    """Set `shared` on every index row as the indexer would (_shared_flags), in SQL: for the
    migration that added the column."""
    conn = connections[using]
    keys = conn.ops.quote_name(key_model._meta.db_table)
    with transaction.atomic(using=using), conn.cursor() as cur:
        cur.execute(f"UPDATE {keys} SET shared = %s WHERE shared", [False])  # noqa: S608 - table name
        for key_type, (sources, longest) in _FAMILIES.items():
            for owner in ("party_id", "relative_id"):
                cur.execute(
                    f"UPDATE {keys} SET shared = %s WHERE key_type = %s AND {owner} IN "  # noqa: S608 - table and column names; values are parameters
                    f"(SELECT {owner} FROM {keys} WHERE key_type IN ({_in(sources)}) AND "
                    f"LENGTH(value) <= %s AND {owner} IS NOT NULL GROUP BY {owner} "
                    "HAVING COUNT(*) >= 2)",
                    [True, key_type, *sources, longest],
                )


@transaction.atomic
def index_party(party: Party) -> None:
    """Rebuild the index rows of one party (name, aliases, identifiers), and the holder
    counts of the keys it gained or lost. Idempotent."""
    keys, grams = _party_rows(party, PartyAlias.objects.filter(party=party).order_by("pk"))
    old = _old_keys(PartyKey, party=party)
    old_grams = _old_grams(NameGram, party=party)
    PartyKey.objects.filter(party=party).delete()
    NameGram.objects.filter(party=party).delete()
    _insert(PartyKey, _KEY_COLUMNS, keys)
    _insert(NameGram, _GRAM_COLUMNS, grams)
    delta = _held(keys)
    delta.subtract(old)
    gram_delta = _held_grams(grams)
    gram_delta.subtract(old_grams)
    _count_keys(delta, gram_delta, _MODELS)


def party_unindex(party: Party) -> None:
    """Before a party is deleted (its index rows go with it, ON DELETE CASCADE): the holder
    counts of its keys lose it."""
    delta: Counter[tuple[str, str]] = Counter()
    delta.subtract(_old_keys(PartyKey, party=party))
    gram_delta: Counter[tuple[str]] = Counter()
    gram_delta.subtract(_old_grams(NameGram, party=party))
    _count_keys(delta, gram_delta, _MODELS)


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
    # None: the holder counts are not maintained (migrations before KeyCount existed; a
    # rebuild counts once at the end).
    count: type[KeyCount] | None = None
    gram_count: type[GramCount] | None = None


_MODELS = IndexModels(count=KeyCount, gram_count=GramCount)


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
        counted = using.count is not None
        old = _old_keys(using.key, party_id__in=chunk) if counted else Counter()
        old_grams = _old_grams(using.gram, party_id__in=chunk) if counted else Counter()
        using.key.objects.filter(party_id__in=chunk).delete()
        using.gram.objects.filter(party_id__in=chunk).delete()
        _insert(using.key, _KEY_COLUMNS, keys)
        _insert(using.gram, _GRAM_COLUMNS, grams)
        delta = _held(keys)
        delta.subtract(old)
        gram_delta = _held_grams(grams)
        gram_delta.subtract(old_grams)
        _count_keys(delta, gram_delta, using)
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
    _insert(using.key, _KEY_COLUMNS, [(None, rel.pk, *row) for row in keys])
    _insert(using.gram, _GRAM_COLUMNS, [(None, rel.pk, g) for g in sorted(grams)])


@transaction.atomic
def index_rebuild() -> int:
    """Drop and rebuild the whole index; return the number of parties and relatives indexed."""
    # Neither table has dependants or signals, so Django deletes each in one statement.
    PartyKey.objects.all().delete()
    NameGram.objects.all().delete()
    count = index_parties(
        Party.objects.order_by("pk").values_list("pk", flat=True).iterator(),
        using=IndexModels(),  # counted once, at the end
    )
    for rel in StaffRelative.objects.order_by("pk").iterator():
        index_staff_relative(rel)
        count += 1
    key_counts_rebuild()
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


def _selectivity(gram: str) -> tuple[bool, bool, int, str]:
    # Uncommon before common, without a space before with one (" s" starts half the Latin
    # names), bigrams before unigrams; the gram itself for a stable order.
    common = gram in COMMON_GRAMS or (len(gram) == 1 and gram in _COMMON_CHARS)
    return (common, " " in gram, -len(gram), gram)


_COMMON_CHARS = frozenset("".join(_COMMON_WORDS))


def _substring_grams(text: str) -> set[str]:
    """The grams a name containing `text` must hold: a few selective ones suffice, since
    every candidate is verified with `in` afterwards."""
    ranked = sorted(_query_grams(text), key=_selectivity)
    # A common gram (公司: every organisation holds it) narrows nothing an uncommon one
    # does not, and reading it was the 8 s tail at 1M (鑫股份有限公司): never intersected
    # when the text has an uncommon gram.
    uncommon = [g for g in ranked if not _selectivity(g)[0]]
    return set((uncommon or ranked)[:_SUBSTRING_GRAMS])


def _holders(column: str, grams: set[str]) -> models.QuerySet:
    """Ids in `column` (party_id / relative_id) holding every gram of `grams`."""
    present = {f"{column}__isnull": False}
    rows = NameGram.objects.filter(gram__in=grams, **present)
    if len(grams) == 1:
        return rows.values_list(column, flat=True)
    return (
        rows.values(column)
        .annotate(shared=Count("gram", distinct=True))
        .filter(shared__gte=len(grams))
        .values_list(column, flat=True)
    )


def _owners_with_grams(grams: set[str], limit: int | None) -> tuple[list[Owner], bool]:
    """Owners holding every gram of `grams`, staff relatives first, then newest parties;
    the bool says more than `limit` exist (only `limit` returned).

    Parties and relatives are read by two queries, each naming one owner column only, so
    each is answered from its (gram, owner) index alone (covering, no table lookups).
    """
    owners: list[Owner] = [(None, r) for r in _holders("relative_id", grams)]
    parties = _holders("party_id", grams).order_by(F("party_id").desc())
    if limit is not None:
        parties = parties[: limit + 1]
    owners += [(p, None) for p in parties]
    if limit is not None and len(owners) > limit:
        return owners[:limit], True
    return owners, False


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


@dataclass(frozen=True)
class Group:
    """Owners that matched the same way, counted in the report rather than all listed.

    A common personal name (王伟) has hundreds of namesakes at a large firm, its pinyin
    reading more, and a two-character name thousands of names one character away. Up to
    GROUP_LISTED of them are candidates (those with a staff relative or on a live matter on
    the other side first); the rest are counted here, never dropped: `group_members` lists
    them all. `approximate` marks a count that is an upper bound (a substring group whose
    candidates were not all verified).
    """

    matched_on: str
    key: str  # what the query and the group share, as shown to the reviewer
    total: int  # owners matched this way, the listed ones included
    listed: int  # how many of them are among the candidates
    lookup: tuple[tuple[str, ...], tuple[str, ...]]  # key types and values, or substring
    approximate: bool = False

    @property
    def grouped(self) -> int:
        return max(0, self.total - self.listed)

    def as_dict(self) -> dict[str, object]:
        return {
            "matched_on": self.matched_on,
            "key": self.key,
            "total": self.total,
            "listed": self.listed,
            "grouped": self.grouped,
            "approximate": self.approximate,
            "lookup": [list(self.lookup[0]), list(self.lookup[1])],
        }


def _direct(
    owner: Owner,
    matched_on: str,
    score: int,
    text: str,
    conclusive: bool,
    features: tuple[str, ...] = (),
) -> Candidate:
    return Candidate(
        owner[0], owner[1], matched_on, score, text, conclusive=conclusive, features=features
    )


class _Collector:
    """Keeps the best candidate per owner, and the groups."""

    def __init__(self) -> None:
        self.best: dict[tuple[str, int], Candidate] = {}
        self.truncated = False
        self.groups: list[Group] = []

    def add(self, candidate: Candidate) -> None:
        current = self.best.get(candidate.owner)
        if current is None or _better(candidate, current):
            self.best[candidate.owner] = candidate


# A one-character difference that is also a containment (鲁 in 鲁迅) is better explained as
# such, and so is a homophone (王小明 / 王晓明), except for an organisation's trade-name typo,
# which reports the features the two names share.
def _explains_typo(c: Candidate, typo: Candidate) -> bool:
    return c.matched_on == "substring" or (c.matched_on == "pinyin" and not typo.features)


def _better(new: Candidate, current: Candidate) -> bool:
    if current.matched_on == "typo" and _explains_typo(new, current):
        return True
    if new.matched_on == "typo" and _explains_typo(current, new):
        return False
    return _sort_key(new) < _sort_key(current)


def _sort_key(c: Candidate) -> tuple[int, int, int, int]:
    return (-c.score, _MATCH_RANK[c.matched_on], c.party_id or 0, c.relative_id or 0)


@dataclass
class _QueryKeys:
    normalized: str
    core: str
    trade: str
    is_org: bool
    role: str = ""
    # (key type, the values to look up: a personal identifier's keyed hash under every key)
    identifiers: list[tuple[KeyType, list[str]]] = field(default_factory=list)
    features: dict[str, str] = field(default_factory=dict)


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
    is_org = q.kind != PartyKind.PERSON
    normalized = keys["normalized"][:_MAX_VALUE]
    return _QueryKeys(
        normalized=normalized,
        core=keys["core"][:_MAX_VALUE],
        trade=keys["trade"][:_MAX_VALUE],
        is_org=is_org,
        role=q.role,
        identifiers=identifiers,
        features=org_features(normalized) if is_org and normalized else {},
    )


# --- organisation features -------------------------------------------------------------------

_FORMS_LONGEST_FIRST = tuple(sorted(names_module._ORG_SUFFIXES, key=len, reverse=True))


def org_features(normalized: str) -> dict[str, str]:
    """What identifies an organisation besides its trade name (字号): region, industry word
    and legal form, each compared on its own (never a hit alone, only reported).

    深圳市大疆创新科技有限公司 → region 深圳, industry 科技, form 有限公司.
    """
    text = names_module._drop_groups(normalized)
    form = next((f for f in _FORMS_LONGEST_FIRST if text.endswith(f) and text != f), "")
    core = text[: len(text) - len(form)] if form else text
    region = names_module._REGION_PREFIX.match(core)
    region_text = region.group(0) if region else ""
    rest = core[len(region_text) :]
    industry = names_module._INDUSTRY_SUFFIX.search(rest)
    features = {
        # 深圳市 and 深圳 are the same place: compared without the administrative suffix.
        "region": re.sub(r"(特别行政区|自治区|省|市)", "", region_text),
        "industry": industry.group(0) if industry else "",
        "form": equivalent_form(form) if form else "",
    }
    return {k: v for k, v in features.items() if v}


def _shared_features(
    query: dict[str, str], text: str, normalized: str | None = None
) -> tuple[str, ...]:
    if not query:
        return ()
    stored = org_features(normalized or normalize_name(text))
    return tuple(
        k for k in ("region", "industry", "form") if k in query and stored.get(k) == query[k]
    )


# --- exact keys: one statement for every lookup ------------------------------------------------


@dataclass(frozen=True)
class _Branch:
    """One exact lookup in PartyKey. `limit` None reads every row (identifiers, organisation
    names: few by nature); otherwise up to `limit` rows are read and the rest counted."""

    matched_on: str
    key_types: tuple[str, ...]
    values: tuple[str, ...]
    limit: int | None
    shown: str = ""  # the query's key, for the group
    order: str = ""  # SQL ORDER BY for the listed rows (priority), with its params
    order_params: tuple[str, ...] = ()
    # Rank only among the newest RANK_PREFIX holders of each key (a ranking by shared
    # features, not a promise); the live-adverse order of namesakes runs over all of them.
    bounded: bool = False


def _in(values: Iterable[str]) -> str:
    return ", ".join(["%s"] * len(list(values)))


def _any(column: str, values: Iterable[str]) -> tuple[str, list[Any]]:
    """`column` equal to one of `values`. On PostgreSQL one array parameter, so that the
    statement's text does not depend on how many values a name yields (a prepared statement
    and its generic plan serve every name of the same shape, see _Statement.run)."""
    values = list(values)
    if _vendor() == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({_in(values)})", values


def _unnest(
    types: tuple[str, ...], rows: list[tuple[Any, ...]], alias: str
) -> tuple[str, list[Any]]:
    """PostgreSQL: a FROM item of `rows` with columns column1, column2, … (as VALUES names
    them), unnest() of one array parameter per column (`types` their SQL types): the same
    text for any number of rows."""
    names = ", ".join(f"column{j}" for j in range(1, len(types) + 1))
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    return f"unnest({arrays}) AS {alias}({names})", [
        [r[j] for r in rows] for j in range(len(types))
    ]


_CONSTANT = re.compile(r"[a-z0-9_]+")


@cache
def _lit(constant: str) -> str:
    """A key type, role or status (the code's own choice values, never user input) as an
    SQL literal: a statement carries a few hundred parameters, and adapting each one costs
    the client ≈ 2 µs (psycopg's client-side binding)."""
    text = str(constant)
    if not _CONSTANT.fullmatch(text):
        raise ValueError(text)
    return f"'{text}'"


def _lits(constants: Iterable[str]) -> str:
    return ", ".join(_lit(c) for c in constants)


def _branch_where(b: _Branch) -> tuple[str, list[str]]:
    values, params = _any("k.value", b.values)
    return f"k.key_type IN ({_lits(b.key_types)}) AND {values}", params


def _live_adverse_order(role: str) -> tuple[str, tuple[str, ...]]:
    """Parties on a live matter on the other side of the queried role sort first: the hits
    that can make an absolute conflict or need consent."""
    adverse_roles: dict[str, list[str]] = {
        PartyRole.CLIENT: [PartyRole.OPPOSING],
        PartyRole.OPPOSING: [PartyRole.CLIENT],
    }
    adverse = adverse_roles.get(role, [PartyRole.CLIENT, PartyRole.OPPOSING])
    live = [Status.INTAKE, Status.OPEN]
    quote = _quoted
    sql = (
        f"CASE WHEN EXISTS (SELECT 1 FROM {quote(MatterParty._meta.db_table)} mp "  # noqa: S608 - table names and the code's constants
        f"JOIN {quote(Matter._meta.db_table)} m ON m.id = mp.matter_id "
        f"WHERE mp.party_id = k.party_id AND mp.role IN ({_lits(adverse)}) "
        f"AND m.status IN ({_lits(live)})) THEN 0 ELSE 1 END, k.party_id DESC"
    )
    return sql, ()


def _feature_order(features: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """Organisations sharing the query's region / industry word sort first."""
    parts, params = [], []
    for key in ("region", "industry"):
        if value := features.get(key):
            parts.append("CASE WHEN k.text LIKE %s THEN 0 ELSE 1 END")
            params.append(f"%{value}%")
    if not parts:
        return "", ()
    return " + ".join(parts) + ", k.party_id DESC", tuple(params)


# --- one statement per checked name ------------------------------------------------------------
#
# Every part of the statement yields the same columns, told apart by a tag:
# (tag, branch or search index, party_id, relative_id, key_type, value, text, owner kind).
# At load every statement costs about the floor (one primary-key read), so what a check
# needs is read in one round trip: the key branches, their group counts (evaluated only for
# the branches that fill their limit), and the substring searches with their counts.
(
    _KEY_ROW,
    _RELATIVE_ROW,
    _COUNT_ROW,
    _SUB_ROW,
    _SUB_COUNT_ROW,
    _SUB_RELATIVE_ROW,
    _HOLDERS_ROW,
    _MULTI_ROW,
    _RELATION_ROW,
) = range(9)
_NULL_ID = "CAST(NULL AS INTEGER)"
_NULL_TEXT = "CAST(NULL AS TEXT)"


class _Statement:
    """The parts of one UNION ALL statement, with their parameters in text order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[str] = []

    def add(self, sql: str, params: Iterable[str]) -> None:
        self.parts.append(f"SELECT * FROM ({sql}) s{len(self.parts)}")  # noqa: S608 - built from table names; values are parameters
        self.params += list(params)

    def run(self) -> list[tuple]:
        if not self.parts:
            return []
        sql = " UNION ALL ".join(self.parts)
        params = self.params
        if _vendor() != "postgresql":
            with connection.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        # PostgreSQL: planning the statement cost about twice its execution. Its text depends
        # only on the name's shape (lists are array parameters), so it is prepared on the
        # server once per shape and connection, and run with the shape's generic plan: the
        # plan is reused, not made again for every name. SET LOCAL holds to the end of the
        # transaction: the check's own when it runs outside one; inside the caller's (no
        # savepoint, two round trips less), only prepared statements heed it, and nothing
        # but this module prepares any.
        in_transaction = not connection.get_autocommit()
        with transaction.atomic() if not in_transaction else nullcontext():
            with connection.cursor() as cur:
                cur.execute(f"SET LOCAL plan_cache_mode = {PLAN_CACHE_MODE}")
            with _prepared_cursor() as prepared:
                prepared.execute(sql, params)
                return prepared.fetchall()


# How PostgreSQL plans the check's prepared statements (SET LOCAL for the check only):
# force_generic_plan reuses one plan per shape; "auto" would plan each of a shape's first five
# runs for its values, then keep the generic plan only when it looks as cheap.
PLAN_CACHE_MODE = "force_generic_plan"
# psycopg keeps up to `prepared_max` (100) prepared statements per connection, the least
# recently used deallocated first: one per shape of a checked name (person or organisation,
# which features, how many grams, …; 34 shapes for the bench's 360 names), each plan about
# 1.2 MB of the server connection's memory (pg_backend_memory_contexts).


@cache
def _prepared_cursor_class() -> type:
    # PostgreSQL only: Django's PostgreSQL backend imports psycopg, which a SQLite install
    # need not have.
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True)  # type: ignore[misc]

    return PreparedCursor


def _prepared_cursor() -> Any:
    """A cursor of the connection whose statements psycopg prepares on the server (Django's
    own cursors bind parameters on the client, so nothing they send is prepared), wrapped
    like Django's so that it is logged and counted."""
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparing off (None: not even on request). A threshold
        # never reached turns it on for the statements that ask (prepare=True) only; the
        # others are sent as before (Django's cursors bind on the client and never prepare).
        raw.prepare_threshold = 2**31 - 1
    with connection.wrap_database_errors:
        # Django wraps a cursor it did not create as it wraps its own (logged, counted).
        return connection._prepare_cursor(_prepared_cursor_class()(raw))  # type: ignore[attr-defined]


def _tables() -> tuple[str, str, str, str]:
    return (
        _quoted(PartyKey._meta.db_table),
        _quoted(Party._meta.db_table),
        _quoted(StaffRelative._meta.db_table),
        _quoted(NameGram._meta.db_table),
    )


@cache
def _quoted(table: str) -> str:
    # A check's statement names its tables some 15 times: quoted once.
    return connection.ops.quote_name(table)


@cache
def _vendor() -> str:
    """The default database's kind, read once: it is fixed for the life of the process
    (Django reads DATABASES once), and every connection.vendor read goes through Django's
    connection proxy (≈ 3 µs; a check's statement asked some 40 times)."""
    return connection.vendor


def _pairs(b: _Branch) -> list[tuple[str, str]]:
    return [(t, v) for t in b.key_types for v in b.values]


def _largest_pair(b: _Branch) -> tuple[str, str]:
    # A guess, used only to make the exact count cheap: the shortest value of the first key
    # type (a deletion key of one character, 王, is held by every two-character name with 王;
    # a personal name's NAME key by more owners than its ALIAS key), the query's first
    # character before its others (a surname: 王 of 王淑, not 淑).
    return (
        b.key_types[0],
        min(b.values, key=lambda v: (len(v), not b.shown.startswith(v))),
    )


def _count_sql(b: _Branch) -> tuple[str, list[str]]:
    """The exact number of parties holding any key of `b`: the holders of its (presumably)
    largest key, counted from the index alone, plus the distinct holders of the other keys
    that do not hold it (a few index probes each). COUNT(DISTINCT) over the union read and
    sorted every entry of the large key (27,000 for the deletion key 王 at 1M parties)."""
    key_table = _tables()[0]
    big_type, big_value = _largest_pair(b)
    sql = (
        f"(SELECT COUNT(*) FROM {key_table} k WHERE k.key_type = {_lit(big_type)} "  # noqa: S608 - table names; values are parameters
        "AND k.value = %s AND k.party_id IS NOT NULL)"
    )
    params = [big_value]
    rects: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    rest_values = tuple(v for v in b.values if v != big_value)
    if rest_values or _vendor() == "postgresql":
        # PostgreSQL: also when empty (an empty array), so that one reading or several make
        # one statement text.
        rects.append(((big_type,), rest_values))
    rest_types = tuple(t for t in b.key_types if t != big_type)
    if rest_types:
        rects.append((rest_types, b.values))
    if not rects:
        return sql, params
    selects = []
    for types, values in rects:
        value_sql, value_params = _any("k.value", values)
        selects.append(
            f"SELECT k.party_id FROM {key_table} k WHERE k.key_type IN ({_lits(types)}) "  # noqa: S608 - table names; values are parameters
            f"AND {value_sql} AND k.party_id IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {key_table} k2 WHERE k2.key_type = {_lit(big_type)} "
            "AND k2.value = %s AND k2.party_id = k.party_id)"
        )
        params += [*value_params, big_value]
    # DISTINCT: one party may hold several of the other keys (王X with the alias 王淑Y holds
    # the deletion keys 王 and 王淑).
    sql += f" + (SELECT COUNT(DISTINCT rest.party_id) FROM ({' UNION ALL '.join(selects)}) rest)"  # noqa: S608 - built above
    return sql, params


# --- group counts from KeyCount -------------------------------------------------------------
#
# A group's exact count is the sum of its keys' holders (a KeyCount row, or the index entries
# of a key without one: at most KEY_COUNT_MIN) minus, for every party holding several of its
# keys, the keys it holds beyond one. A party holds two keys of one branch only
#   * through two source keys of the family (a name and an alias, two trade names): its rows
#     of the family are `shared`, and the partial index conflicts_key_shared finds those few
#     rows among the branch's keys, or
#   * through one name yielding several of a deletion branch's keys (王晴 and 晴王 yield the
#     deletion keys 王 and 晴): the names that do are computed from the query
#     (_multi_key_names), and their holders counted by their source keys (name, alias or
#     trade name), which have KeyCount rows too.
# Pinyin is the exception (one name yields several readings): its branch keeps the count of
# the largest key plus the others' holders without it (_count_sql).

# A deletion key type → the key types of the names it is derived from.
_SOURCE_TYPES: dict[str, tuple[str, ...]] = {
    KeyType.DELETION: (KeyType.NAME, KeyType.ALIAS),
    KeyType.TRADE_DELETION: (KeyType.TRADE,),
}


def _summed(b: _Branch) -> bool:
    return b.limit is not None and KeyType.PINYIN not in b.key_types


# Bounded: the key is what users type, so an unbounded cache would grow for the worker's life.
@lru_cache(maxsize=4096)
def _multi_key_names(values: tuple[str, ...]) -> tuple[str, ...]:
    """Every string of at most TYPO_MAX_CHARS characters that has two of `values` among its
    deletions. Such a string s is one value k1 with a character c inserted, and another
    value k2 is s with another character deleted, so c survives in k2: inserting the
    characters of the values, at every position, into every value finds them all."""
    alphabet = sorted(set("".join(values)))
    by_length: dict[int, list[str]] = {}
    for value in set(values):
        by_length.setdefault(len(value), []).append(value)
    out: set[str] = set()
    for length, same in by_length.items():
        if len(same) < 2 or length + 1 > TYPO_MAX_CHARS:
            continue
        made: dict[str, str] = {}  # candidate → the first value it was made from
        for value in same:
            for i in range(length + 1):
                head, tail = value[:i], value[i:]
                for c in alphabet:
                    candidate = head + c + tail
                    first = made.setdefault(candidate, value)
                    if first != value:
                        out.add(candidate)
    return tuple(sorted(out))


def _multi_names(b: _Branch) -> list[tuple[str, list[tuple[str, str]]]]:
    """For a deletion branch: each name yielding several of its keys, with its source keys."""
    sources = _SOURCE_TYPES.get(b.key_types[0]) if len(b.key_types) == 1 else None
    if sources is None:
        return []
    names = _multi_key_names(tuple(sorted(b.values)))
    return [(name, [(t, name) for t in sources]) for name in names]


def _shared_sql(alias: str) -> str:
    # The condition of the partial index conflicts_key_shared, as each database writes it.
    flag = f"{alias}.shared = 1" if _vendor() == "sqlite" else f"{alias}.shared"
    return f"{alias}.party_id IS NOT NULL AND {flag}"


def _add_holders(stmt: _Statement, branches: list[_Branch]) -> None:
    """The holders of every key of the summed branches (and of the source keys of the names
    yielding several deletion keys), and the shared rows among those keys."""
    pairs: list[tuple[str, str]] = []
    corrected: list[tuple[str, str]] = []
    sources: list[tuple[str, str]] = []
    for b in branches:
        if not _summed(b):
            continue
        pairs += _pairs(b)
        if len(_pairs(b)) > 1:
            corrected += _pairs(b)
            for _name, name_sources in _multi_names(b):
                sources += name_sources
    corrected = list(dict.fromkeys(corrected))
    sources = list(dict.fromkeys(sources))
    pairs = list(dict.fromkeys(pairs + sources))
    if not pairs:
        return
    key_table = _tables()[0]
    count_table = _quoted(KeyCount._meta.db_table)
    pairs_from, pairs_params = _pairs_from(pairs)
    stmt.add(
        f"SELECT {_HOLDERS_ROW} AS tag, -1 AS b, COALESCE((SELECT c.holders FROM {count_table} c "  # noqa: S608 - table names; values are parameters
        "WHERE c.key_type = v.column1 AND c.value = v.column2), (SELECT COUNT(*) FROM "
        f"{key_table} k WHERE k.key_type = v.column1 AND k.value = v.column2 AND k.party_id IS "
        f"NOT NULL)), {_NULL_ID}, v.column1, v.column2, {_NULL_TEXT}, {_NULL_TEXT} FROM "
        f"{pairs_from}",
        pairs_params,
    )
    if not corrected:
        return
    # The shared rows among the keys, probed key by key in the partial index (the planner
    # once chose to filter every alias row of the index for a list of 16 values), of the
    # parties holding two or more of them (the others hold no key beyond one), and the
    # source keys of those parties among the names yielding several deletion keys.
    corrected_from, params = _pairs_from(corrected)
    others = within = ""
    if _vendor() == "sqlite":
        # A party holds a key once, so one holding two of the keys holds one besides the
        # largest: only the parties with a shared row of the other keys are counted, and the
        # window sorts their rows alone. SQLite sorted every shared row of the largest key
        # for the window (944 rows of the deletion key 王 at 1M, ≈ 1 ms).
        # The largest key, a guess as in _largest_pair (only the speed depends on it): a
        # deletion key, the shortest, the query's first character (the surname 王 of 王慧).
        shown = next((b.shown for b in branches if _summed(b) and len(_pairs(b)) > 1), "")
        big = min(
            corrected,
            key=lambda p: (p[0] not in _SOURCE_TYPES, len(p[1]), not shown.startswith(p[1]), p),
        )
        others_from, others_params = _pairs_from([p for p in corrected if p != big], "o")
        others = (
            f"others AS MATERIALIZED (SELECT DISTINCT s.party_id FROM {others_from} JOIN "  # noqa: S608 - table names; values are parameters
            f"{key_table} s ON s.key_type = o.column1 AND s.value = o.column2 WHERE "
            f"{_shared_sql('s')}), "
        )
        within = " AND +k.party_id IN (SELECT party_id FROM others)"
        params = [*others_params, *params]
    several = (
        f"SELECT x.party_id, x.key_type, x.value FROM (SELECT k.party_id, k.key_type, "  # noqa: S608 - table names; values are parameters
        f"k.value, COUNT(*) OVER (PARTITION BY k.party_id) AS n FROM {corrected_from} "
        f"JOIN {key_table} k ON k.key_type = v.column1 AND k.value = v.column2 WHERE "
        f"{_shared_sql('k')}{within}) x WHERE x.n > 1"
    )
    sql = f"WITH {others}several AS ({several}) SELECT * FROM several"  # noqa: S608 - built above
    if sources:
        by_type: dict[str, list[str]] = {}
        for key_type, value in sources:
            by_type.setdefault(key_type, []).append(value)
        wheres = []
        for t, values in by_type.items():
            value_sql, value_params = _any("k.value", values)
            wheres.append(f"(k.key_type = {_lit(t)} AND {value_sql})")
            params += value_params
        sql += (
            f" UNION ALL SELECT k.party_id, k.key_type, k.value FROM {key_table} k WHERE "  # noqa: S608 - table names; values are parameters
            f"({' OR '.join(wheres)}) AND k.party_id IN (SELECT party_id FROM several)"
        )
    stmt.add(
        f"SELECT {_MULTI_ROW} AS tag, -1 AS b, y.party_id, {_NULL_ID}, y.key_type, y.value, "  # noqa: S608 - built above
        f"{_NULL_TEXT}, {_NULL_TEXT} FROM ({sql}) y",
        params,
    )


def _pairs_from(pairs: list[tuple[str, str]], alias: str = "v") -> tuple[str, list[Any]]:
    """A FROM item `alias` of (key type, value) pairs, columns column1 and column2."""
    if _vendor() == "postgresql":
        return _unnest(("text", "text"), pairs, alias)
    rows = ", ".join(f"({_lit(t)}, %s)" for t, _v in pairs)
    return f"(VALUES {rows}) {alias}", [v for _t, v in pairs]


def _summed_total(
    b: _Branch,
    holders: dict[tuple[str, str], int],
    shared: dict[int, set[tuple[str, str]]],
) -> int:
    """The exact number of parties holding a key of `b` (see above): `holders` per key,
    `shared` the shared rows of the parties among the corrected keys."""
    pairs = set(_pairs(b))
    total = sum(holders[pair] for pair in pairs)
    if len(pairs) == 1:
        return total
    # Parties with several sources of the family: their keys beyond one.
    several = {p: held & pairs for p, held in shared.items() if held & pairs}
    total -= sum(len(held) - 1 for held in several.values())
    values = set(b.values)
    for name, sources in _multi_names(b):
        # The other holders of the name (one source only) hold exactly its deletions among
        # the branch's keys.
        alone = sum(holders[source] for source in sources) - sum(
            1 for p in several for source in sources if source in shared[p]
        )
        total -= (len(set(deletions(name)) & values) - 1) * alone
    return total


_PREFIX_ROW = "k.party_id, k.relative_id, k.key_type, k.value, k.text, k.from_alias"


def _ranked(b: _Branch) -> bool:
    return b.limit is not None and bool(b.order) and b.bounded


def _ranked_rows_sql(branches: list[tuple[int, _Branch]]) -> tuple[str, list[str]]:
    """PostgreSQL: the rows of several bounded branches of one order and limit in one part
    (as _branch_rows_sql would read each): the newest RANK_PREFIX holders of every key, one
    LATERAL subquery planned once and run per key, ranked per branch by a window. Planning
    one UNION ALL subquery per key cost more than running them (16 keys for the typo
    branch of an 8-character name, 5 bounded branches for an organisation)."""
    key_table, party_table, _rel, _gram = _tables()
    first = branches[0][1]
    keys_from, params = _unnest(
        ("int", "text", "text"), [(i, t, v) for i, b in branches for t, v in _pairs(b)], "v"
    )
    newest = (
        f"SELECT {_PREFIX_ROW} FROM {key_table} k WHERE k.key_type = v.column2 AND "  # noqa: S608 - table names; values are parameters
        "k.value = v.column3 AND k.party_id IS NOT NULL ORDER BY k.party_id DESC "
        f"LIMIT {RANK_PREFIX}"
    )
    ranked = (
        f"SELECT v.column1 AS b, k.*, ROW_NUMBER() OVER (PARTITION BY v.column1 ORDER BY "  # noqa: S608 - built above
        f"{first.order}) AS rn FROM {keys_from} CROSS JOIN LATERAL "
        f"({newest}) k"
    )
    sql = (
        f"SELECT {_KEY_ROW} AS tag, k.b, k.party_id, k.relative_id, k.key_type, CASE WHEN "  # noqa: S608 - table names; values are parameters
        f"k.from_alias THEN NULL ELSE p.name_normalized END, k.text, p.kind FROM ({ranked}) k "
        f"JOIN {party_table} p ON p.id = k.party_id WHERE k.rn <= {(first.limit or 0) + 1} "
        "ORDER BY k.b, k.rn"
    )
    # The window's ORDER BY comes before the VALUES in the text.
    return sql, [*first.order_params, *params]


def _branch_rows_sql(i: int, b: _Branch) -> tuple[str, list[str]]:
    key_table, party_table, _rel, _gram = _tables()
    # A key row's value column carries the owner's normalised name when the row derives from
    # it (not an alias): the organisation features of a listed hit are read from it.
    columns = (
        f"{_KEY_ROW} AS tag, {i} AS b, k.party_id, k.relative_id, k.key_type, CASE WHEN "
        "k.from_alias THEN NULL ELSE p.name_normalized END, k.text, p.kind"
    )
    if _ranked(b):
        # Ranked among the newest RANK_PREFIX holders of each key only: ranking a group of
        # thousands (every two-character trade name with 汇) read every row of it.
        newest = (
            f"SELECT {_PREFIX_ROW} FROM {key_table} k WHERE k.key_type = %s AND k.value = %s "  # noqa: S608 - table names; values are parameters
            f"AND k.party_id IS NOT NULL ORDER BY k.party_id DESC LIMIT {RANK_PREFIX}"
        )
        params: list[str] = []
        parts = []
        for t, v in _pairs(b):
            parts.append(f"SELECT * FROM ({newest.replace('%s', _lit(t), 1)}) q")  # noqa: S608 - built above
            params += [v]
        prefixes = " UNION ALL ".join(parts)
        ranked = (
            f"SELECT * FROM ({prefixes}) k "  # noqa: S608 - built above
            f"ORDER BY {b.order} LIMIT {(b.limit or 0) + 1}"
        )
        params += list(b.order_params)
        sql = (
            f"SELECT {columns} FROM ({ranked}) k JOIN {party_table} p ON p.id = k.party_id "  # noqa: S608 - table names; values are parameters
            f"ORDER BY {b.order}"
        )
        return sql, [*params, *b.order_params]
    where, params = _branch_where(b)
    if b.limit is not None and b.order:
        # Ordered over every holder (the live-adverse order of namesakes, a promise), from
        # the lookup index alone (key type, value, party); the key row and the party are
        # read for the listed ones only. Joining each of 166 namesakes of 王慧 to its key row
        # and its party to sort them read ≈ 750 of the check's 2,600 pages (engine 2.5).
        ranked = (
            f"SELECT k.key_type, k.value, k.party_id, ROW_NUMBER() OVER (ORDER BY {b.order}) "  # noqa: S608 - table names; values are parameters
            f"AS rn FROM {key_table} k WHERE {where} AND k.party_id IS NOT NULL "
            f"ORDER BY rn LIMIT {b.limit + 1}"
        )
        sql = (
            f"SELECT {columns} FROM ({ranked}) o JOIN {key_table} k ON k.key_type = o.key_type "  # noqa: S608 - table names; values are parameters
            "AND k.value = o.value AND k.party_id = o.party_id JOIN "
            f"{party_table} p ON p.id = o.party_id ORDER BY o.rn"
        )
        return sql, [*b.order_params, *params]
    sql = (
        f"SELECT {columns} FROM {key_table} k JOIN {party_table} p ON p.id = k.party_id "  # noqa: S608 - table names; values are parameters
        f"WHERE {where}"
    )
    if b.limit is not None:
        sql += f" LIMIT {b.limit + 1}"
    return sql, params


def _add_branches(stmt: _Statement, branches: list[_Branch]) -> None:
    """The rows of every branch, the staff relatives holding any of their keys, and the
    group count of each limited branch, computed only when it has more rows than its limit
    (the CASE evaluates its count subquery only then)."""
    if not branches:
        return
    key_table, _party, relative_table, _gram = _tables()
    together: dict[tuple[str, tuple[str, ...], int | None], list[tuple[int, _Branch]]] = {}
    for i, b in enumerate(branches):
        if _ranked(b) and _vendor() == "postgresql":
            together.setdefault((b.order, b.order_params, b.limit), []).append((i, b))
        else:
            stmt.add(*_branch_rows_sql(i, b))
    for ranked in together.values():
        stmt.add(*_ranked_rows_sql(ranked))
    # Staff relatives: every one, whatever the branch (few, and never grouped away).
    rel_where, rel_params = [], []
    # SQLite: each key's relative rows found in the lookup index (key_type, value, party_id)
    # as those without a party (one owner each: _ONE_OWNER); its planner chose that index
    # for most keys and read every party holding them to find none (王: 27,000 rows at 1M).
    no_party = " AND k.party_id IS NULL" if _vendor() == "sqlite" else ""
    for b in branches:
        where, where_params = _branch_where(b)
        rel_where.append(f"({where}{no_party})")
        rel_params += where_params
    stmt.add(
        f"SELECT {_RELATIVE_ROW} AS tag, -1 AS b, k.party_id, k.relative_id, k.key_type, "  # noqa: S608 - table names; values are parameters
        f"k.value, k.text, r.kind FROM {key_table} k JOIN {relative_table} r "
        f"ON r.id = k.relative_id WHERE k.relative_id IS NOT NULL AND ({' OR '.join(rel_where)})",
        rel_params,
    )
    _add_holders(stmt, branches)
    for i, b in enumerate(branches):
        if b.limit is None or _summed(b):
            continue
        where, where_params = _branch_where(b)
        count, count_params = _count_sql(b)
        stmt.add(
            f"SELECT {_COUNT_ROW} AS tag, {i} AS b, CASE WHEN (SELECT COUNT(*) FROM "  # noqa: S608 - table names; values are parameters
            f"(SELECT 1 FROM {key_table} k WHERE {where} AND k.party_id IS NOT NULL "
            f"LIMIT {b.limit + 1}) probe) > {b.limit} THEN {count} ELSE -1 END, "
            f"{_NULL_ID}, {_NULL_TEXT}, {_NULL_TEXT}, {_NULL_TEXT}, {_NULL_TEXT}",
            [*where_params, *count_params],
        )


def _collect(branches: list[_Branch], keys: _QueryKeys, out: _Collector, rows: list[tuple]) -> None:
    # Owners listed per branch (a branch may read several rows of one owner: an alias, or
    # several of its deletions equal to the query's).
    listed: dict[int, set[Owner]] = {i: set() for i in range(len(branches))}
    read: Counter[int] = Counter()
    totals: dict[int, int] = {}
    holders: dict[tuple[str, str], int] = {}
    shared: dict[int, set[tuple[str, str]]] = {}
    for tag, b, party_id, relative_id, key_type, value, text, owner_kind in rows:
        normalized = value  # of a key row (_branch_rows_sql)
        if tag == _COUNT_ROW:
            if party_id >= 0:
                totals[b] = party_id
            continue
        if tag == _HOLDERS_ROW:
            holders[(key_type, value)] = party_id
            continue
        if tag == _MULTI_ROW:
            shared.setdefault(party_id, set()).add((key_type, value))
            continue
        if tag == _RELATIVE_ROW:
            # A staff relative: the first branch whose keys it holds.
            b = next(
                i
                for i, branch in enumerate(branches)
                if key_type in branch.key_types and value in branch.values
            )
            matched_on = branches[b].matched_on
            normalized = None
        elif tag == _KEY_ROW:
            branch = branches[b]
            read[b] += 1
            if branch.limit is not None and read[b] > branch.limit:
                continue  # the probe row past the limit: counted in the group
            listed[b].add((party_id, relative_id))
            matched_on = branch.matched_on
        else:
            continue
        owner = (party_id, relative_id)
        out.add(_key_candidate(owner, matched_on, key_type, text, owner_kind, keys, normalized))
    for b, branch in enumerate(branches):
        if _summed(branch):
            totals[b] = _summed_total(branch, holders, shared)
    for b, total in totals.items():
        branch = branches[b]
        if total <= len(listed[b]):
            continue  # the rows past the limit were more rows of listed owners
        out.groups.append(
            Group(
                matched_on=branch.matched_on,
                key=branch.shown,
                total=total,
                listed=len(listed[b]),
                lookup=(branch.key_types, branch.values),
            )
        )


_IDENTIFIER_TYPES = {KeyType.ID_NUMBER, KeyType.CREDIT_CODE, KeyType.PASSPORT}


def _key_branches(keys: _QueryKeys) -> list[_Branch]:
    branches: list[_Branch] = []
    for id_type, values in keys.identifiers:
        branches.append(_Branch("id", (id_type,), tuple(values), None))
    if not keys.normalized:
        return branches
    name_types = (KeyType.NAME, KeyType.ALIAS)
    if keys.is_org:
        # An organisation's exact name is conclusive: every one is listed.
        branches.append(_Branch("name", name_types, (keys.normalized,), None))
        branches.append(_Branch("core_name", (KeyType.CORE,), (keys.core,), None))
        order, params = _feature_order(keys.features)
        branches.append(
            _Branch(
                "trade",
                (KeyType.TRADE,),
                (keys.trade,),
                GROUP_LISTED,
                keys.trade,
                order,
                params,
                bounded=True,
            )
        )
    else:
        # A personal name is not: namesakes are grouped, live adverse parties first.
        order, params = _live_adverse_order(keys.role)
        branches.append(
            _Branch(
                "name", name_types, (keys.normalized,), GROUP_LISTED, keys.normalized, order, params
            )
        )
    spoken = keys.trade if keys.is_org else keys.normalized
    if spoken_keys := pinyin_keys(spoken):
        branches.append(
            _Branch("pinyin", (KeyType.PINYIN,), tuple(spoken_keys), GROUP_LISTED, spoken)
        )
    branches += _typo_branches(keys)
    return branches


def _typo_branches(keys: _QueryKeys) -> list[_Branch]:
    """One-character edits through the deletion neighbourhoods.

    For a stored key s (a name of ≤ TYPO_MAX_CHARS characters, or a trade name) and the
    query's key q, one edit apart means: q is one of s's deletions (a character lost), s is
    one of q's (a character added), or they share one (a character substituted, or two
    neighbours swapped). The stored side keeps its deletions as DELETION / TRADE_DELETION
    keys; the query looks up {q} ∪ deletions(q) there and deletions(q) among the names.
    """
    branches: list[_Branch] = []
    searched: list[tuple[str, str, tuple[str, ...]]] = [
        (keys.normalized, KeyType.DELETION, (KeyType.NAME, KeyType.ALIAS))
    ]
    if keys.is_org:
        searched.append((keys.trade, KeyType.TRADE_DELETION, (KeyType.TRADE,)))
    order, params = _feature_order(keys.features)
    for text, deletion_type, whole_types in searched:
        if not text or len(text) > TYPO_MAX_CHARS + 1:
            continue
        dels = tuple(deletions(text))
        if len(text) <= TYPO_MAX_CHARS:
            values = (text, *dels)
            branches.append(
                _Branch("typo", (deletion_type,), values, GROUP_LISTED, text, order, params, True)
            )
        if dels:
            # A stored name one character shorter than the query (the query has one more).
            branches.append(
                _Branch("typo", whole_types, dels, GROUP_LISTED, text, order, params, True)
            )
    return branches


def _key_candidate(
    owner: Owner,
    matched_on: str,
    key_type: str,
    text: str,
    owner_kind: str,
    keys: _QueryKeys,
    normalized: str | None = None,
) -> Candidate:
    """`normalized`: the normalised `text` when the index had it (the owner's name)."""
    is_org_owner = owner_kind != PartyKind.PERSON
    if matched_on == "id":
        return _direct(owner, "id", SCORE_ID, text, True)
    if matched_on == "name":
        if key_type == KeyType.ALIAS:
            return _direct(owner, "alias", SCORE_ALIAS, text, is_org_owner)
        return _direct(owner, "name", SCORE_NAME, text, is_org_owner)
    if matched_on == "core_name":
        # Same name up to an equivalent legal form (有限公司 = 有限责任公司) is the same
        # name in law; a dropped bracketed tag such as (深圳) may be a sister company.
        same = equivalent_form(normalize_name(text)) == equivalent_form(keys.normalized)
        return _direct(owner, "core_name", SCORE_CORE, text, same)
    if matched_on == "trade":
        features = (
            ("trade", *_shared_features(keys.features, text, normalized)) if is_org_owner else ()
        )
        return _direct(owner, "trade", SCORE_TRADE, text, False, features)
    if matched_on == "pinyin":
        return _direct(owner, "pinyin", SCORE_PINYIN, text, False)
    # typo
    features = ()
    if key_type in {KeyType.TRADE, KeyType.TRADE_DELETION} and is_org_owner:
        features = ("trade_typo", *_shared_features(keys.features, text, normalized))
    return _direct(owner, "typo", SCORE_TYPO + len(features), text, False, features)


# --- substrings ---------------------------------------------------------------------------------


def _verified(text: str, owners: list[Owner]) -> Iterator[tuple[Owner, str]]:
    """The owners whose normalised name or alias contains `text`, with that name shown."""
    for owner, names in _stored_names(owners).items():
        # Holding every bigram is not holding them contiguously: verify on the names.
        shown = next((x for t, v, x in names if t != KeyType.CORE and text in v), None)
        if shown is not None:
            yield owner, shown


def _substring_texts(keys: _QueryKeys) -> tuple[list[str], int]:
    """The texts searched as substrings, and how many of them are always used: a proposed
    organisation is looked for by its trade name, which appears inside the registered names
    of the same business (大疆创新 in 深圳市大疆创新科技有限公司); every name containing its
    core or full name contains the trade name too, so those are used only when the trade
    name has too many holders to list them all (they rank first then, read by a second
    statement)."""
    if not keys.normalized:
        return [], 0
    if not (keys.is_org and keys.trade):
        return [keys.normalized], 1
    inside = keys.trade in keys.core and keys.core in keys.normalized
    texts: list[str] = []
    for text in (keys.trade, keys.core, keys.normalized):
        if text and text not in texts:
            texts.append(text)
    return texts, 1 if inside else len(texts)


def _contains(column: str) -> str:
    if _vendor() == "postgresql":
        return f"strpos({column}, %s) > 0"
    return f"instr({column}, %s) > 0"


def _holders_sql(column: str, text: str) -> tuple[str, list[str]]:
    """Ids in `column` (party_id / relative_id) holding the rarest _SUBSTRING_GRAMS grams of
    `text`: the postings of the rarest, each checked for the others with an index probe.
    Which grams are rarest is read from GramCount by the statement itself (a gram without a
    row has at most KEY_COUNT_MIN holders): a word list cannot know that 制造 or 数据 is as
    common as 科技 (one of them first read 17,000 postings with a probe each)."""
    gram_table = _tables()[3]
    grams = sorted(_query_grams(text))
    if len(grams) == 1:
        chosen, params = ["%s"], [grams[0]]
    else:
        count_table = _quoted(GramCount._meta.db_table)
        if _vendor() == "postgresql":
            grams_from, grams_params = _unnest(("text",), [(g,) for g in grams], "x")
        else:
            grams_from, grams_params = f"(VALUES {', '.join(['(%s)'] * len(grams))}) x", grams
        rarest = (
            f"(SELECT x.column1 FROM {grams_from} LEFT JOIN "  # noqa: S608 - table names; values are parameters
            f"{count_table} c ON c.gram = x.column1 ORDER BY COALESCE(c.holders, 0), "
            "x.column1 LIMIT 1 OFFSET {})"
        )
        n = min(len(grams), _SUBSTRING_GRAMS)
        chosen = [rarest.replace("{}", str(j)) for j in range(n)]
        params = grams_params * n
    sql = (
        f"SELECT g.{column} AS owner_id FROM {gram_table} g "  # noqa: S608 - table names; values are parameters
        f"WHERE g.gram = {chosen[0]} AND g.{column} IS NOT NULL"
    )
    for j, gram in enumerate(chosen[1:], 1):
        sql += (
            f" AND EXISTS (SELECT 1 FROM {gram_table} g{j} WHERE g{j}.gram = {gram} "  # noqa: S608 - table names; values are parameters
            f"AND g{j}.{column} = g.{column})"
        )
    return sql, params


def _add_substring(stmt: _Statement, si: int, text: str) -> None:
    """The newest SUBSTRING_LISTED + 1 parties whose name or alias contains `text` (among
    the newest SUBSTRING_FETCH + 1 holders of its grams), every staff relative whose name
    does, and the number of party holders (capped, then exact when over the cap)."""
    key_table = _tables()[0]
    name_types = _lits([KeyType.NAME, KeyType.ALIAS])
    # SQLite: the newest SUBSTRING_FETCH + 1 holders are found once, for the listing and the
    # count (each walked the rarest gram's postings with a probe per other gram: 2 x 2,518
    # for Michael Smith at 1M), in one part of the statement (a WITH over the whole
    # statement changed the plans of the other parts).
    fetched = "f" if _vendor() == "sqlite" else ""
    parts: list[tuple[str, list[str]]] = []
    for column, tag in (("party_id", _SUB_ROW), ("relative_id", _SUB_RELATIVE_ROW)):
        holders, holder_params = _holders_sql(column, text)
        if column == "party_id" and fetched:
            # The LIMIT keeps the sort apart (a co-routine): without it SQLite computed the
            # name shown for every holder before sorting them.
            holders = (
                f"SELECT f.owner_id FROM {fetched} f ORDER BY f.owner_id DESC "  # noqa: S608 - a CTE's name
                f"LIMIT {SUBSTRING_FETCH + 1}"
            )
            holder_params = []
        elif column == "party_id":
            holders += f" ORDER BY g.party_id DESC LIMIT {SUBSTRING_FETCH + 1}"
        shown = (
            f"(SELECT k.text FROM {key_table} k WHERE k.{column} = h.owner_id "  # noqa: S608 - table names; values are parameters
            f"AND k.key_type IN ({name_types}) AND {_contains('k.value')} "
            "ORDER BY k.key_type DESC LIMIT 1)"
        )
        ids = f"v.owner_id, {_NULL_ID}" if column == "party_id" else f"{_NULL_ID}, v.owner_id"
        # PostgreSQL pulled the subquery up and computed the name shown twice per holder
        # (for the filter and for the row: 2 x 51 probes of the owner's key rows); OFFSET 0
        # keeps it a subquery, so each holder's name is looked up once.
        keep = " OFFSET 0" if _vendor() == "postgresql" else ""
        sql = (
            f"SELECT {tag} AS tag, {si} AS b, {ids}, {_NULL_TEXT}, {_NULL_TEXT}, v.shown, "  # noqa: S608 - built from table names; values are parameters
            f"{_NULL_TEXT} FROM (SELECT h.owner_id, {shown} AS shown FROM ({holders}) h"
            f"{keep}) v WHERE v.shown IS NOT NULL"
        )
        if column == "party_id":
            sql += f" LIMIT {SUBSTRING_LISTED + 1}"
        parts.append((sql, [text, *holder_params]))
    holders, holder_params = _holders_sql("party_id", text)
    capped, capped_params = f"{holders} LIMIT {SUBSTRING_FETCH + 1}", holder_params
    if fetched:
        capped, capped_params = f"SELECT f.owner_id FROM {fetched} f", []  # noqa: S608 - a CTE's name
    count = (
        f"SELECT {_SUB_COUNT_ROW} AS tag, {si} AS b, c.n, CASE WHEN c.n > {SUBSTRING_FETCH} "  # noqa: S608 - built from table names; values are parameters
        f"THEN (SELECT COUNT(*) FROM ({holders}) a) ELSE -1 END, {_NULL_TEXT}, {_NULL_TEXT}, "
        f"{_NULL_TEXT}, {_NULL_TEXT} FROM (SELECT COUNT(*) AS n FROM ({capped}) x) c"
    )
    count_params = [*holder_params, *capped_params]
    if not fetched:
        for sql, params in [*parts, (count, count_params)]:
            stmt.add(sql, params)
        return
    (listing, listing_params), relatives = parts
    stmt.add(*relatives)
    holders, holder_params = _holders_sql("party_id", text)
    stmt.add(
        f"WITH {fetched} AS MATERIALIZED ({holders} ORDER BY g.party_id DESC "  # noqa: S608 - built from table names; values are parameters
        f"LIMIT {SUBSTRING_FETCH + 1}) SELECT * FROM ({listing}) UNION ALL SELECT * FROM "
        f"({count})",
        [*holder_params, *listing_params, *count_params],
    )


def _match_substrings(
    keys: _QueryKeys, texts: list[str], used: int, rows: list[tuple], out: _Collector
) -> None:
    """Stored names containing the query (or its core or trade name), of any length: the
    first `used` texts were searched by `rows`, the others only when the trade name's
    search was incomplete."""
    found: dict[int, list[tuple]] = {}
    for row in rows:
        if row[0] in (_SUB_ROW, _SUB_COUNT_ROW, _SUB_RELATIVE_ROW):
            found.setdefault(row[1], []).append(row)
    complete = True
    for si, text in enumerate(texts[:used]):
        complete &= _substring_result(text, found.get(si, []), out)
    if complete or used >= len(texts) or not keys.is_org:
        return
    stmt = _Statement()
    for si, text in enumerate(texts[used:], used):
        _add_substring(stmt, si, text)
    found = {}
    for row in stmt.run():
        found.setdefault(row[1], []).append(row)
    for si, text in enumerate(texts[used:], used):
        _substring_result(text, found.get(si, []), out)


def _substring_result(text: str, rows: list[tuple], out: _Collector) -> bool:
    """List up to SUBSTRING_LISTED names containing `text`, group the rest; False when some
    were grouped."""
    score = SCORE_SHORT_SUBSTRING if len(text) <= 2 else SCORE_SUBSTRING
    relatives = [(r[3], r[6]) for r in rows if r[0] == _SUB_RELATIVE_ROW]
    parties = [(r[2], r[6]) for r in rows if r[0] == _SUB_ROW]
    capped, full = next(((r[2], r[3]) for r in rows if r[0] == _SUB_COUNT_ROW), (0, -1))
    listed = 0
    for relative_id, shown in relatives:
        out.add(_direct((None, relative_id), "substring", score, shown, False))
        listed += 1
    for party_id, shown in parties[:SUBSTRING_LISTED]:
        out.add(_direct((party_id, None), "substring", score, shown, False))
        listed += 1
    if len(parties) <= SUBSTRING_LISTED and capped <= SUBSTRING_FETCH:
        return True  # every holder of the grams was verified: all listed
    # Not all verified: the holders of the grams bound the count from above (exact for
    # one-character queries, whose one gram is the substring itself).
    total = (full if capped > SUBSTRING_FETCH else capped) + len(relatives)
    out.groups.append(
        Group(
            matched_on="substring",
            key=text,
            total=total,
            listed=listed,
            lookup=(("substring",), (text,)),
            approximate=len(text) > 2 or _core_only_grams_possible(text),
        )
    )
    return False


def _core_only_grams_possible(text: str) -> bool:
    # A core name drops bracketed tags, joining characters that were not adjacent: its
    # bigrams are indexed too (they serve the core-name search), so a bigram holder may not
    # hold the bigram in a name. Single characters always occur in the name itself.
    return len(text) == 2


_NAME_KINDS = {"id", "name", "alias", "core_name", "trade", "typo"}
_COMMON_WORD_SET = frozenset(_COMMON_WORDS)


def _match_trade_inside(keys: _QueryKeys, out: _Collector) -> None:
    """A stored trade name inside the checked organisation's name, when nothing else
    matched it by name: a typo outside the trade name (大疆创新科枝 for 大疆创新科技) hides the
    trade name from the query's own trade-name key. Region and industry words alone never
    count (they are not looked up); longer trade names first, then shared features."""
    if not keys.is_org or any(c.matched_on in _NAME_KINDS for c in out.best.values()):
        return
    rest = keys.core
    prefix = names_module._REGION_PREFIX.match(rest)
    if prefix:
        rest = rest[len(prefix.group(0)) :]
    values = {
        rest[i:j]
        for i in range(len(rest))
        for j in range(i + 2, min(len(rest), i + TYPO_MAX_CHARS) + 1)
    }
    values -= _COMMON_WORD_SET | {keys.trade}
    if not values:
        return
    order, params = _feature_order(keys.features)
    order = "LENGTH(k.value) DESC" + (f", {order}" if order else ", k.party_id DESC")
    branch = _Branch(
        "trade", (KeyType.TRADE,), tuple(sorted(values)), GROUP_LISTED, rest, order, params, True
    )
    stmt = _Statement()
    _add_branches(stmt, [branch])
    _collect([branch], keys, out, stmt.run())


# --- related parties ----------------------------------------------------------------------------

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


_CONCLUSIVE_KINDS = ("id", "name", "core_name")


def _add_relations(stmt: _Statement, branches: list[_Branch]) -> None:
    """The relations (with both parties' names) of every party a branch that can make a
    conclusive hit finds: identifiers, names held by organisations, core names. Which hits
    are conclusive is decided afterwards (_key_candidate); reading the relations of these
    few parties in the check's statement saves a round trip."""
    quote = _quoted
    key_table, party_table, _rel, _gram = _tables()
    relation_table = quote(PartyRelation._meta.db_table)
    wheres, params = [], []
    for b in branches:
        if b.matched_on not in _CONCLUSIVE_KINDS:
            continue
        where, where_params = _branch_where(b)
        if b.matched_on == "name":
            # A name is conclusive only for an organisation (not a person's namesakes).
            where += (
                f" AND EXISTS (SELECT 1 FROM {party_table} p WHERE p.id = k.party_id "  # noqa: S608 - table names and the code's constants
                f"AND p.kind <> {_lit(PartyKind.PERSON)})"
            )
        wheres.append(f"({where})")
        params += where_params
    if not wheres:
        return
    hits = f"SELECT k.party_id FROM {key_table} k WHERE {' OR '.join(wheres)}"  # noqa: S608 - table names; values are parameters
    selects = [
        f"SELECT r.source_id, r.target_id, r.kind FROM {relation_table} r "  # noqa: S608 - table names; values are parameters
        f"WHERE r.{column} IN ({hits})"
        for column in ("source_id", "target_id")
    ]
    name = f"(SELECT n.name FROM {party_table} n WHERE n.id = r.%s)"  # noqa: S608 - table name
    stmt.add(
        f"SELECT {_RELATION_ROW} AS tag, -1 AS b, r.source_id, r.target_id, r.kind, "  # noqa: S608 - table names; values are parameters
        f"{name % 'source_id'}, {name % 'target_id'}, {_NULL_TEXT} FROM "
        f"({' UNION ALL '.join(selects)}) r",
        [*params, *params],
    )


def _expand_related(out: _Collector, rows: list[tuple]) -> None:
    """One hop of related parties of the conclusive hits only (an identifier, an exact
    organisation name, or a person confirmed by identifier): the relations of unconfirmed
    look-alikes (namesakes, substrings, typos) would bury the reviewer. `rows`: the
    statement's relation rows (_add_relations)."""
    direct = {
        c.party_id: c
        for c in out.best.values()
        if c.party_id is not None and c.conclusive and c.matched_on != "related"
    }
    if not direct:
        return
    relations = list(
        dict.fromkeys(
            (source_id, target_id, kind, source_name, target_name)
            for tag, _b, source_id, target_id, kind, source_name, target_name, _x in rows
            if tag == _RELATION_ROW and (source_id in direct or target_id in direct)
        )
    )
    if not relations:
        return
    names = {}
    for source_id, target_id, _kind, source_name, target_name in relations:
        names[source_id] = source_name
        names[target_id] = target_name
    for source_id, target_id, kind, _source_name, _target_name in relations:
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
    """Every stored party or staff relative that may be `q`, best first, and the groups.

    Exact identifiers, names, aliases, core and trade names, substrings (also of 1–2
    characters), one-character edits (deletion neighbourhoods) of names of up to
    TYPO_MAX_CHARS characters and of trade names, pinyin, and one hop of related parties of
    every conclusive hit. Large sets of weak matches (namesakes of a common personal name,
    its homophones and one-edit neighbours, the names containing a short query) list up to
    GROUP_LISTED (SUBSTRING_LISTED) owners and count the rest in `groups`; nothing is
    dropped: `group_members` lists a group in full.
    """
    keys = _query_keys(q)
    out = _Collector()
    # The key lookups and the substring searches in one statement (one round trip).
    stmt = _Statement()
    branches = _key_branches(keys)
    _add_branches(stmt, branches)
    _add_relations(stmt, branches)
    texts, used = _substring_texts(keys)
    for si, text in enumerate(texts[:used]):
        _add_substring(stmt, si, text)
    rows = stmt.run()
    _collect(branches, keys, out, rows)
    _match_substrings(keys, texts, used, rows, out)
    if keys.normalized:
        _match_trade_inside(keys, out)
    _expand_related(out, rows)
    result = CandidateList(sorted(out.best.values(), key=_sort_key))
    result.truncated = out.truncated
    result.groups = out.groups
    return result


def group_members(group: Group) -> list[Owner]:
    """Every owner of a group (the listed ones included), for the full list and the tests."""
    key_types, values = group.lookup
    if key_types == ("substring",):
        text = values[0]
        owners, _capped = _owners_with_grams(_substring_grams(text), None)
        found: list[Owner] = []
        for start in range(0, len(owners), 1000):
            found += [owner for owner, _shown in _verified(text, owners[start : start + 1000])]
        return found
    # Staff relatives are always listed, never grouped: a key group holds parties only.
    rows = (
        PartyKey.objects.filter(key_type__in=key_types, value__in=values, party__isnull=False)
        .values_list("party_id", flat=True)
        .distinct()
    )
    return [(pk, None) for pk in sorted(set(rows), reverse=True)]
