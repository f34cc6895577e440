"""KeyStat and GramStat equal the index rows they count after every way the index is written
(lexcase/conflicts/stats.py: database triggers): the services (party create, rename, alias
and identifier changes), re-indexing one party, a batch, the whole index, deletes (also by
cascade from the party), staff relatives (never counted), updates of key rows by hand or by
the identifier re-keying, bulk inserts, and the counts a check shows come from them."""

from __future__ import annotations

from collections import Counter

from django.db import connection
from rapidfuzz.distance import OSA

from lexcase.conflicts import engine, stats
from lexcase.conflicts.engine import (
    QueryParty,
    find_candidates,
    group_members,
    index_parties,
    index_party,
    index_rebuild,
    staff_relative_add,
)
from lexcase.conflicts.models import GramStat, KeyStat, NameGram, PartyKey
from lexcase.conflicts.services import identifiers_reencrypt
from lexcase.conflicts.tests.world import make_party
from lexcase.parties.models import Party, PartyAlias
from lexcase.parties.services import party_update


def kept() -> tuple[dict, dict]:
    """The stats as stored (zero counts left by deletes are absent keys)."""
    keys = {(t, v): n for t, v, n in KeyStat.objects.values_list("key_type", "value", "owners")}
    grams = dict(GramStat.objects.values_list("gram", "owners"))
    return {k: n for k, n in keys.items() if n}, {g: n for g, n in grams.items() if n}


def counted() -> tuple[dict, dict]:
    """The stats counted from the index rows of parties."""
    keys = Counter(PartyKey.objects.filter(party__isnull=False).values_list("key_type", "value"))
    grams = Counter(NameGram.objects.filter(party__isnull=False).values_list("gram", flat=True))
    return dict(keys), dict(grams)


def owners(key_type: str, value: str) -> int:
    return kept()[0].get((key_type, value), 0)


def agrees() -> bool:
    return kept() == counted()


def test_every_write_path_of_the_index_keeps_the_stats(firm):
    assert agrees()
    before = kept()[0].get(("del1", "王"), 0), kept()[1].get("王", 0)
    a = make_party(firm.lead, "王磊", kind="person", id_number="11010519491231002X")
    b = make_party(firm.lead, "深圳市汇腾网络科技有限公司", aliases=["汇腾科技"])
    c = make_party(firm.lead, "王雷", kind="person")
    wang = owners("del1", "王")
    assert (wang, kept()[1]["王"], agrees()) == (
        before[0] + 2,
        before[1] + 2,
        True,
    )
    # Rename, new alias, identifier changed: index_party deletes and re-inserts the rows.
    party_update(actor=firm.lead, party=a, version=a.version, name="王蕾", aliases=["王小磊"])
    party_update(
        actor=firm.lead, party=b, version=b.version, name="深圳市汇腾数据有限公司", aliases=[]
    )
    assert (owners("name", "王磊"), agrees()) == (0, True)
    # Re-indexing one party, a batch, the whole index: the same counts.
    index_party(c)
    index_parties([a.pk, b.pk, c.pk])
    assert agrees()
    index_rebuild()
    assert (agrees(), stats.installed(connection)) == (True, True)
    # A staff relative's rows are not counted (relatives are listed, never grouped).
    staff_relative_add(user=firm.lead, name="王磊", relation="spouse")
    assert (owners("name", "王磊"), agrees()) == (0, True)
    # Deleting a party deletes its rows by cascade.
    Party.objects.filter(pk=c.pk).delete()
    assert (owners("name", "王雷"), agrees()) == (0, True)
    # Rows written or changed by hand, and the identifier re-keying (an UPDATE of values).
    PartyKey.objects.bulk_create(
        [
            PartyKey(party=a, key_type="name", value="手写", text="手写"),
            PartyKey(party=b, key_type="del1", value="王", text="x"),
        ]
    )
    NameGram.objects.bulk_create([NameGram(party=a, gram="手写")])
    PartyKey.objects.filter(party=a, key_type="name", value="手写").update(value="手改")
    NameGram.objects.filter(party=a, gram="手写").update(party=b)
    identifiers_reencrypt()
    assert agrees()
    PartyKey.objects.filter(party=b).delete()
    NameGram.objects.all().delete()
    assert agrees()


def test_a_group_count_is_the_number_of_its_members(firm, monkeypatch):
    # More one-edit neighbours of 王磊 than are listed: 王X names (shared deletion 王), and
    # X磊 (shared 磊); a name holding both (磊王) is counted once.
    given = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑"
    for ch in given:
        make_party(firm.lead, "王" + ch, kind="person")
    for ch in "赵钱孙李":
        make_party(firm.lead, ch + "磊", kind="person")
    make_party(firm.lead, "磊王", kind="person")
    make_party(firm.lead, "王磊", kind="person", aliases=["王一磊"])
    assert agrees()
    found = find_candidates(QueryParty("王磊", "person", "client"))
    typo = [g for g in found.groups if g.matched_on == "typo"]
    # Brute force: every party with a name or alias at most one edit (or one swap of
    # neighbours) from 王磊 (its namesake too; the firm's 王伟 as well).
    names = [(p.pk, p.name) for p in Party.objects.all()]
    names += list(PartyAlias.objects.values_list("party_id", "name"))
    oracle = {pk for pk, n in names if OSA.distance(n, "王磊") <= 1}
    assert len(oracle) >= len(given) + 4 + 2
    assert [(g.total, {p for p, _r in group_members(g)}) for g in typo] == [(len(oracle), oracle)]
    # A substring of one character with more holders than are fetched: every holder of the
    # gram, counted from GramStat.
    monkeypatch.setattr(engine, "SUBSTRING_LISTED", 10)
    monkeypatch.setattr(engine, "SUBSTRING_FETCH", 12)
    many = find_candidates(QueryParty("王", "person", "client"))
    sub = [g for g in many.groups if g.matched_on == "substring"]
    holders = len({pk for pk, n in names if "王" in n})
    assert [(g.total, g.listed, g.approximate, len(group_members(g))) for g in sub] == [
        (holders, 10, False, holders)
    ]


def test_large_groups_list_their_newest_holders_and_count_them_all(firm, monkeypatch):
    # Above RANK_ALL_MAX holders a branch ranks (shared region / industry) only the newest
    # holders of each key; the count and the full list are still every holder.
    trades = ["汇腾", "汇达", "汇通", "汇源", "腾达", "腾飞", "腾龙"]
    for i, trade in enumerate(trades):
        region = "深圳市" if i % 2 else "杭州市"
        make_party(firm.lead, f"{region}{trade}网络科技有限公司")
    monkeypatch.setattr(engine, "RANK_ALL_MAX", 1)
    monkeypatch.setattr(engine, "GROUP_LISTED", 3)
    found = find_candidates(QueryParty("深圳市汇腾网络科技有限公司", "organization", "client"))
    typo = [g for g in found.groups if g.matched_on == "typo"]
    listed = {c.party_id for c in found if c.matched_on == "typo"}
    members = {p for g in typo for p, _r in group_members(g)}
    # One edit from the trade name 汇腾: 汇X and X腾 (the stored 汇腾 itself is a namesake of
    # the trade name, matched as such).
    neighbours = set(
        Party.objects.filter(name_trade__in=["汇达", "汇通", "汇源"]).values_list("pk", flat=True)
    )
    exact = [g.total == len(set(group_members(g))) for g in typo]
    assert (len(typo) >= 1, exact) == (True, [True] * len(typo))
    assert (neighbours <= members, listed <= members, 0 < len(listed) <= 3) == (True, True, True)
