"""T13 conflict_check_recall: the engine against a brute-force oracle over a generated firm.

The corpus is the demo firm (1,000 matters, 2,000 parties of every status incl. closed and
archived), plus former names, party relations and staff relatives. Queries are sampled per
variant class with a fixed seed; the oracle scans every owner in Python (`in`, equality,
Levenshtein distance). Recall is the share of oracle owners the engine returns, listed as
candidates or counted in one of its groups (engine.Group: the namesakes of a common name,
names containing a short query...), whose members `group_members` lists in full.

The promises (issue 15): identifiers, exact, alias, normalised, core-name and substring
matches of any length, 100%; a one-character edit of a name of up to 8 characters, and of an
organisation's trade name, 100%; pinyin homophones; one hop of related parties of every
conclusive hit (an identifier, an exact organisation name); staff relatives.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.test import override_settings
from faker import Faker
from opencc import OpenCC
from rapidfuzz.distance import Levenshtein

from lexcase.accounts.models import User
from lexcase.conflicts.engine import (
    TYPO_MAX_CHARS,
    QueryParty,
    equivalent_form,
    find_candidates,
    group_members,
    index_rebuild,
    pinyin_keys,
    staff_relative_add,
)
from lexcase.conflicts.models import StaffRelative
from lexcase.conflicts.tests.world import module_data
from lexcase.parties.models import Party, PartyAlias, PartyRelation
from lexcase.parties.names import name_keys, normalize_name
from lexcase.web.demo import demo_generate

SEED = 20260601
PER_CLASS = 20
Owner = tuple[int | None, int | None]


@dataclass
class Entry:
    owner: Owner
    kind: str
    names: list[str]  # normalised name and aliases
    cores: list[str]
    trades: list[str]
    identifiers: set[str]
    spoken: set[str] = field(default_factory=set)  # pinyin readings of person names


@dataclass
class Corpus:
    entries: list[Entry]
    relations: list[tuple[int, int]]
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, kind) of parties
    aliases: list[tuple[str, str]] = field(default_factory=list)
    relative_names: list[str] = field(default_factory=list)
    id_pairs: list[tuple[str, str, str]] = field(default_factory=list)  # kind, field, value


def _enrich(rng: random.Random) -> None:
    """Former names, relations and staff relatives on top of the demo firm."""
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    orgs = list(Party.objects.filter(kind="organization").order_by("pk"))
    persons = list(Party.objects.filter(kind="person").order_by("pk"))
    aliases = []
    for party in rng.sample(orgs, 60):
        former = fake.company()
        if former != party.name:
            keys = name_keys(former, kind=party.kind)
            aliases.append(
                PartyAlias(
                    party=party,
                    kind="former",
                    name=former,
                    name_normalized=keys["normalized"],
                    name_core=keys["core"],
                )
            )
    PartyAlias.objects.bulk_create(aliases, ignore_conflicts=True)
    relations = set()
    for _ in range(150):
        kind = rng.choice(["legal_rep", "parent", "shareholder"])
        source = rng.choice(persons if kind == "legal_rep" else orgs)
        target = rng.choice(orgs)
        if source.pk != target.pk:
            relations.add((source.pk, target.pk, kind))
    PartyRelation.objects.bulk_create(
        PartyRelation(source_id=s, target_id=t, kind=k) for s, t, k in sorted(relations)
    )
    staff = list(User.objects.order_by("pk"))
    for i in range(30):
        # Half share a name with a party (the collisions a check must surface).
        name = rng.choice(persons).name if i % 2 else fake.name()
        staff_relative_add(
            user=rng.choice(staff), name=name, relation=rng.choice(["spouse", "child", "other"])
        )


def _load() -> Corpus:
    entries = []
    alias_map: dict[int, list[PartyAlias]] = {}
    for alias in PartyAlias.objects.order_by("pk"):
        alias_map.setdefault(alias.party_id, []).append(alias)
    corpus = Corpus(entries=entries, relations=[])
    for p in Party.objects.order_by("pk"):
        names = [p.name_normalized] + [a.name_normalized for a in alias_map.get(p.pk, [])]
        cores = [p.name_core] + [a.name_core for a in alias_map.get(p.pk, [])]
        trades = [p.name_trade] + [
            name_keys(a.name, kind=p.kind)["trade"] for a in alias_map.get(p.pk, [])
        ]
        ids = {v for v in (p.id_number, p.credit_code, p.passport) if v}
        spoken = {k for n in names for k in pinyin_keys(n)} if p.kind == "person" else set()
        entries.append(Entry((p.pk, None), p.kind, names, cores, trades, ids, spoken))
        corpus.names.append((p.name, p.kind))
        corpus.aliases += [(a.name, p.kind) for a in alias_map.get(p.pk, [])]
        if p.id_number:
            corpus.id_pairs.append((p.kind, "id_number", p.id_number))
        if p.credit_code:
            corpus.id_pairs.append((p.kind, "credit_code", p.credit_code))
    for r in StaffRelative.objects.order_by("pk"):
        keys = name_keys(r.name, kind=r.kind)
        ids = {r.id_number} if r.id_number else set()
        entries.append(
            Entry(
                (None, r.pk),
                r.kind,
                [keys["normalized"]],
                [keys["core"]],
                [keys["trade"]],
                ids,
                set(pinyin_keys(keys["normalized"])),
            )
        )
        corpus.relative_names.append(r.name)
    corpus.relations = list(PartyRelation.objects.values_list("source_id", "target_id"))
    return corpus


@pytest.fixture(scope="module")
def corpus(django_db_setup: None, django_db_blocker: object) -> Iterator[Corpus]:
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with module_data(django_db_blocker), fast_hashing:
        rng = random.Random(SEED)
        demo_generate(matters=1000, seed=SEED)
        _enrich(rng)
        index_rebuild()
        yield _load()


# --- oracles --------------------------------------------------------------------------------


def _exact(corpus: Corpus, q: QueryParty) -> set[Owner]:
    norm = normalize_name(q.name)
    return {e.owner for e in corpus.entries if norm in e.names}


def _substring(corpus: Corpus, q: QueryParty) -> set[Owner]:
    norm = normalize_name(q.name)
    return {e.owner for e in corpus.entries if any(norm in n for n in e.names)}


def _one_edit(corpus: Corpus, q: QueryParty) -> set[Owner]:
    """One character substituted, inserted or deleted: in a name of up to TYPO_MAX_CHARS
    characters (any owner), or in an organisation's trade name."""
    keys = name_keys(q.name, kind=q.kind)
    norm, trade = keys["normalized"], keys["trade"]
    out = set()
    for e in corpus.entries:
        if any(len(n) <= TYPO_MAX_CHARS and Levenshtein.distance(norm, n) == 1 for n in e.names):
            out.add(e.owner)
        elif (
            q.kind != "person"
            and e.kind != "person"
            and any(
                len(t) <= TYPO_MAX_CHARS and Levenshtein.distance(trade, t) == 1 for t in e.trades
            )
        ):
            out.add(e.owner)
    return out


def _identifier(corpus: Corpus, q: QueryParty) -> set[Owner]:
    wanted = {q.id_number, q.credit_code} - {""}
    return {e.owner for e in corpus.entries if e.identifiers & wanted}


def _pinyin(corpus: Corpus, q: QueryParty) -> set[Owner]:
    spoken = set(pinyin_keys(normalize_name(q.name)))
    return {e.owner for e in corpus.entries if spoken & e.spoken}


def _conclusive(corpus: Corpus, q: QueryParty) -> set[Owner]:
    """The hits that identify the party: an identifier, or an organisation's exact name or
    alias, also up to an equivalent legal form (有限公司 = 有限责任公司)."""
    norm = equivalent_form(normalize_name(q.name))
    out = _identifier(corpus, q)
    for e in corpus.entries:
        if e.kind != "person" and norm in {equivalent_form(n) for n in e.names}:
            out.add(e.owner)
    return out


def _related(corpus: Corpus, q: QueryParty) -> set[Owner]:
    direct = {p for p, _r in _conclusive(corpus, q) if p is not None}
    out = set()
    for source, target in corpus.relations:
        if source in direct and target not in direct:
            out.add((target, None))
        if target in direct and source not in direct:
            out.add((source, None))
    return out


# --- query generators -----------------------------------------------------------------------


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _variant(rng: random.Random, name: str) -> str:
    choice = rng.randrange(5)
    if choice == 0:
        return OpenCC("s2t").convert(name)
    if choice == 1:
        i = rng.randrange(1, max(2, len(name)))
        return name[:i] + rng.choice([" ", "\u3000", "  "]) + name[i:]
    if choice == 2:
        return _fullwidth(name) + " "
    if choice == 3:
        return name.upper() if name.isascii() else _fullwidth(name).replace("公司", "公司 ")
    return name.replace("有限公司", "（有限公司）").replace("(", "【").replace(")", "】")


def _typo(rng: random.Random, name: str, pool: str) -> str:
    """One character substituted, inserted or deleted."""
    i = rng.randrange(len(name))
    edit = rng.randrange(3) if len(name) > 2 else rng.randrange(2)
    if edit == 0:
        return name[:i] + rng.choice(pool.replace(name[i], "")) + name[i + 1 :]
    if edit == 1:
        return name[:i] + rng.choice(pool) + name[i:]
    return name[:i] + name[i + 1 :]


def _homophone(rng: random.Random, name: str, by_sound: dict[str, list[str]]) -> str:
    for i in rng.sample(range(len(name)), len(name)):
        options = [c for c in by_sound.get(pinyin_keys(name[i])[0], []) if c != name[i]]
        if options:
            return name[:i] + rng.choice(options) + name[i + 1 :]
    return name


def _queries(corpus: Corpus, cls: str) -> list[QueryParty]:
    rng = random.Random(f"{SEED}-{cls}")
    persons = [n for n, k in corpus.names if k == "person"]
    orgs = [n for n, k in corpus.names if k == "organization"]
    if cls == "exact":
        return [QueryParty(n, k, "client") for n, k in rng.sample(corpus.names, PER_CLASS)]
    if cls == "normalised":
        picked = rng.sample(corpus.names, PER_CLASS)
        return [QueryParty(_variant(rng, n), k, "client") for n, k in picked]
    if cls == "alias":
        return [QueryParty(n, k, "client") for n, k in corpus.aliases[:PER_CLASS]]
    if cls.startswith("substring_"):
        size = int(cls[-1])
        out = []
        for name in rng.sample(persons + orgs, PER_CLASS):
            norm = normalize_name(name)
            i = rng.randrange(max(1, len(norm) - size + 1))
            out.append(QueryParty(norm[i : i + size], "person", "client"))
        return out
    if cls == "typo":
        # Half personal names (2–4 characters), half organisations with the edit in the
        # trade name (the rest of the registered name as it is).
        pool = "".join(sorted({c for n in orgs + persons for c in n}))
        out = [
            QueryParty(_typo(rng, normalize_name(n), pool), "person", "client")
            for n in rng.sample(persons, PER_CLASS // 2)
        ]
        for n in rng.sample(orgs, PER_CLASS - len(out)):
            norm = normalize_name(n)
            trade = name_keys(n, kind="organization")["trade"]
            start = norm.find(trade)
            if start < 0:
                norm, start = trade, 0
            typo = _typo(rng, trade, pool)
            out.append(
                QueryParty(
                    norm[:start] + typo + norm[start + len(trade) :], "organization", "client"
                )
            )
        return out
    if cls == "identifier":
        picked = rng.sample(corpus.id_pairs, PER_CLASS)
        return [
            QueryParty("某某", kind, "client", **{field_name: value})
            for kind, field_name, value in picked
        ]
    if cls == "pinyin":
        by_sound: dict[str, list[str]] = {}
        for c in sorted({c for n in persons for c in n}):
            if keys := pinyin_keys(c):
                by_sound.setdefault(keys[0], []).append(c)
        picked = rng.sample(persons, PER_CLASS)
        return [QueryParty(_homophone(rng, n, by_sound), "person", "client") for n in picked]
    if cls == "related":
        # Conclusive direct hits: an organisation's name, or a person's name with the ID.
        related_ids = sorted({s for s, _t in corpus.relations} | {t for _s, t in corpus.relations})
        rows = Party.objects.filter(pk__in=related_ids).values_list("name", "kind", "id_number")
        picked = rng.sample(
            [r for r in rows if r[1] != "person" or r[2]], min(PER_CLASS, len(rows))
        )
        return [QueryParty(name, kind, "client", id_number=idn) for name, kind, idn in picked]
    if cls == "staff_relative":
        return [QueryParty(n, "person", "opposing") for n in corpus.relative_names]
    raise AssertionError(cls)


ORACLES: dict[str, Callable[[Corpus, QueryParty], set[Owner]]] = {
    "exact": _exact,
    "normalised": _exact,
    "alias": _exact,
    "substring_1": _substring,
    "substring_2": _substring,
    "substring_3": _substring,
    "typo": _one_edit,
    "identifier": _identifier,
    "pinyin": _pinyin,
    "related": _related,
    "staff_relative": _exact,
}
# 100% for every class (issue 15: typos of short names and trade names included).
REQUIRED = dict.fromkeys(ORACLES, 1.0)


def _found(q: QueryParty) -> set[Owner]:
    """The owners the engine returns: listed, or counted in a group (listed in full by
    group_members). A group's count is exact unless marked approximate (an upper bound)."""
    candidates = find_candidates(q)
    got = {(c.party_id, c.relative_id) for c in candidates}
    for group in candidates.groups:
        members = set(group_members(group))
        counts = (group.total >= len(members), group.approximate or group.total == len(members))
        assert (counts, group.listed <= group.total) == ((True, True), True), group
        got |= members
    return got


def _recall(corpus: Corpus, cls: str) -> tuple[float, int, int, int]:
    """(recall, queries, oracle owners, owners found) for one class."""
    expected = found = queries = 0
    for q in _queries(corpus, cls):
        queries += 1
        oracle = ORACLES[cls](corpus, q)
        expected += len(oracle)
        found += len(oracle & _found(q))
    return (found / expected if expected else 1.0), queries, expected, found


@pytest.mark.parametrize("cls", list(ORACLES))
def test_recall_against_bruteforce_oracle(db, corpus, cls):
    recall, queries, expected, found = _recall(corpus, cls)
    print(f"T13 {cls}: {queries} queries, {found}/{expected} oracle owners, recall {recall:.3f}")
    assert (queries >= 1, expected >= 1, recall >= REQUIRED[cls]) == (True, True, True)


def test_short_substrings_never_silently_zero(db, corpus):
    # Every single character and bigram that occurs in some name finds at least one name.
    rng = random.Random(SEED)
    zero = []
    for name, _kind in rng.sample(corpus.names, 40):
        norm = normalize_name(name)
        for text in {norm[0], norm[:2]}:
            q = QueryParty(text, "person", "client")
            if not find_candidates(q) and not find_candidates(q).groups:
                zero.append(text)
    assert zero == []
