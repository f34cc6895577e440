"""Stored holder counts (KeyCount and GramCount, engine 2.3): exact through every index
write, read by the group counts, corrected exactly for parties holding several keys of a
group; the substring search starts from the rarest grams.

KEY_COUNT_MIN is set to 0 or 1 here, so that the keys of a handful of parties have KeyCount
rows (at 1,000,000 parties only keys held by more than 50 have one).
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count, F

from lexcase.conflicts import engine
from lexcase.conflicts.engine import (
    COUNTED_TYPES,
    QueryParty,
    find_candidates,
    group_members,
    index_parties,
    index_party,
    index_rebuild,
    key_counts_rebuild,
    shared_flags_rebuild,
)
from lexcase.conflicts.models import GramCount, KeyCount, NameGram, PartyKey
from lexcase.conflicts.tests.world import make_party
from lexcase.parties.models import Party
from lexcase.parties.services import party_update

PERSON = "person"
ORG = "organization"
QUERIES = [
    QueryParty("王晴", PERSON, "client"),
    QueryParty("李娜", PERSON, "client"),
    QueryParty("苏州市汇腾网络科技有限公司", ORG, "client"),
    QueryParty("汇腾科技", ORG, "client"),
]


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(engine, "GROUP_LISTED", 1)
    monkeypatch.setattr(engine, "RANK_PREFIX", 1)
    monkeypatch.setattr(engine, "SUBSTRING_LISTED", 1)


@pytest.fixture(params=[0, 1])
def count_min(request, monkeypatch):
    """Every key counted (0), or only keys held by two parties or more (1): the keys
    without a row are counted from the index."""
    monkeypatch.setattr(engine, "KEY_COUNT_MIN", request.param)
    key_counts_rebuild()
    return request.param


def _stored() -> dict[tuple[str, ...], int]:
    keys = KeyCount.objects.values_list("key_type", "value", "holders")
    grams = GramCount.objects.values_list("gram", "holders")
    return {(t, v): n for t, v, n in keys} | {(g,): n for g, n in grams}


def _recounted(count_min: int) -> dict[tuple[str, ...], int]:
    keys = (
        PartyKey.objects.filter(party__isnull=False, key_type__in=COUNTED_TYPES)
        .values_list("key_type", "value")
        .annotate(n=Count("id"))
    )
    grams = NameGram.objects.filter(party__isnull=False).values_list("gram").annotate(n=Count("id"))
    return {(t, v): n for t, v, n in keys if n > count_min} | {
        (g,): n for g, n in grams if n > count_min
    }


def _totals() -> dict[tuple[str, str, str], int]:
    """Every exact group's total, asserted equal to its members (brute force)."""
    totals = {}
    for q in QUERIES:
        for group in find_candidates(q).groups:
            members = group_members(group)
            if group.approximate:
                assert group.total >= len(members), group
                continue
            assert (group.total, group.key) == (len(members), group.key), group
            totals[(q.name, group.matched_on, group.key)] = group.total
    return totals


def _populate(firm) -> None:
    # 王晴's neighbours: 王X / X晴 (deletion keys 王, 晴), 晴王 (holds both through one name),
    # 王晴X (王晴), parties holding keys through an alias (two names of up to 8 characters);
    # 汇腾's: 汇X, X腾, 腾汇 (holds both trade deletion keys), a former name with another
    # trade name of the group.
    for name in ["王一", "王二", "李晴", "晴王", "王晴甲", "李娜", "李娜", "王"]:
        make_party(firm.lead, name, PERSON)
    make_party(firm.lead, "赵六", PERSON, aliases=["王四", "晴五"])
    make_party(firm.lead, "王晴", PERSON, aliases=["晴王"])
    make_party(firm.lead, "李娜", PERSON, aliases=["王晴乙", "李娜"])
    for trade in ["汇腾", "汇达", "恒腾", "腾汇"]:
        make_party(firm.lead, f"苏州市{trade}网络科技有限公司")
    make_party(firm.lead, "上海汇通物流有限公司", aliases=["上海腾汇物流有限公司", "汇通"])
    make_party(firm.lead, "汇腾科技有限公司", aliases=["汇腾"])


def test_counts_exact_through_every_write(firm, small_limits, count_min):
    _populate(firm)
    assert _stored() == _recounted(count_min)
    before = _totals()
    assert before[("王晴", "typo", "王晴")] >= 8
    assert before[("苏州市汇腾网络科技有限公司", "typo", "汇腾")] >= 4

    extra = make_party(firm.lead, "王三", PERSON)
    assert _stored() == _recounted(count_min)
    assert _totals()[("王晴", "typo", "王晴")] == before[("王晴", "typo", "王晴")] + 1

    renamed = make_party(firm.lead, "孙七", PERSON)
    renamed = party_update(
        actor=firm.lead, party=renamed, version=renamed.version, name="孙八", aliases=["王九"]
    )
    assert _stored() == _recounted(count_min)
    grown = _totals()
    renamed = party_update(actor=firm.lead, party=renamed, version=renamed.version, aliases=[])
    assert _stored() == _recounted(count_min)
    assert _totals()[("王晴", "typo", "王晴")] == grown[("王晴", "typo", "王晴")] - 1

    extra.delete()  # its index rows go with it
    assert _stored() == _recounted(count_min)
    index_parties(Party.objects.values_list("pk", flat=True))
    assert _stored() == _recounted(count_min)
    final = _totals()
    assert final[("王晴", "typo", "王晴")] == before[("王晴", "typo", "王晴")]

    index_rebuild()
    assert (_stored(), _totals()) == (_recounted(count_min), final)


def test_saving_a_party_unchanged_writes_no_count(firm, count_min):
    party = make_party(firm.lead, "王晴", PERSON)
    # Counts the writer must not touch.
    KeyCount.objects.update(holders=F("holders") + 1000)
    GramCount.objects.update(holders=F("holders") + 1000)
    stored = _stored()
    index_party(party)
    assert _stored() == stored


def test_key_crossing_the_threshold_gets_and_loses_its_row(firm, monkeypatch):
    monkeypatch.setattr(engine, "KEY_COUNT_MIN", 2)
    parties = [make_party(firm.lead, name, PERSON) for name in ["甄一", "甄二"]]
    assert not KeyCount.objects.filter(key_type="del1", value="甄").exists()
    parties.append(make_party(firm.lead, "甄三", PERSON))
    assert _stored()[("del1", "甄")] == 3
    parties[0].delete()
    assert not KeyCount.objects.filter(key_type="del1", value="甄").exists()


def test_group_count_reads_the_stored_count(firm, small_limits, monkeypatch):
    monkeypatch.setattr(engine, "KEY_COUNT_MIN", 0)
    _populate(firm)
    key_counts_rebuild()
    final = _totals()
    # A wrong stored count shows in the group (the index entries of 王 are not read)...
    KeyCount.objects.filter(key_type="del1", value="王").update(holders=F("holders") + 1000)
    [typo] = [
        g for g in find_candidates(QUERIES[0]).groups if (g.matched_on, g.key) == ("typo", "王晴")
    ]
    assert typo.total == final[("王晴", "typo", "王晴")] + 1000
    # ...and a recount repairs it.
    key_counts_rebuild()
    assert _totals() == final


def test_shared_flags(firm):
    both_short = make_party(firm.lead, "王晴", PERSON, aliases=["晴王"])
    long_main = make_party(firm.lead, "上海汇通物流有限公司", aliases=["汇通"])
    former = make_party(firm.lead, "上海汇通物流有限公司", aliases=["上海腾汇物流有限公司"])

    def shared(party):
        rows = PartyKey.objects.filter(party=party, key_type__in=["name", "alias", "del1"])
        return {t for t, s in rows.values_list("key_type", "shared") if s}, Counter(
            t
            for t, s in PartyKey.objects.filter(party=party).values_list("key_type", "shared")
            if s
        )

    assert shared(both_short)[0] == {"name", "alias", "del1"}
    # One name of up to 8 characters (the alias): its deletion keys are not shared; two
    # names, one trade name: the name keys are, the trade keys are not.
    assert shared(long_main)[0] == {"name", "alias"}
    assert "trade" not in shared(long_main)[1]
    # Two trade names: the trade and trade-deletion keys are shared.
    assert {"trade", "trade_del1"} <= set(shared(former)[1])
    # The migration's SQL sets the same flags as the indexer.
    flags = sorted(PartyKey.objects.values_list("party_id", "key_type", "value", "shared"))
    PartyKey.objects.update(shared=False)
    shared_flags_rebuild()
    assert sorted(PartyKey.objects.values_list("party_id", "key_type", "value", "shared")) == flags


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
def test_concurrent_writers_keep_counts_exact(firm, monkeypatch):
    """Two transactions adding holders to the same keys at once (and the key crossing the
    threshold in both): the advisory lock makes the second count after the first commits."""
    monkeypatch.setattr(engine, "KEY_COUNT_MIN", 2)
    for name in ["甄一", "甄二"]:
        make_party(firm.lead, name, PERSON)
    started = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            with transaction.atomic():
                party = Party.objects.create(kind=PERSON, name=name)
                started.wait(timeout=10)
                index_party(party)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in ["甄三", "甄四"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert (errors, _stored()[("del1", "甄")]) == ([], 4)
    assert _stored() == _recounted(2)


def test_substring_search_starts_from_the_rarest_gram(firm, monkeypatch):
    """制造 (an industry word no list of the engine knows) is held by every manufacturer:
    the search for 康山制造 reads the postings of 康山 or 山制, never those of 制造."""
    monkeypatch.setattr(engine, "KEY_COUNT_MIN", 2)
    target = make_party(firm.lead, "康山制造有限公司")
    for trade in ["华北", "东方", "南洋", "西部"]:
        make_party(firm.lead, f"{trade}制造有限公司")
    read: list[str] = []
    real = engine._holders_sql

    def holders_sql(column, text):
        sql, params = real(column, text)
        with connection.cursor() as cur:
            first = sql.split("WHERE g.gram = ", 1)[1].split(" AND g.", 1)[0]
            cur.execute(f"SELECT {first}", params[: first.count("%s")])
            read.append(cur.fetchone()[0])
        return sql, params

    monkeypatch.setattr(engine, "_holders_sql", holders_sql)
    found = find_candidates(QueryParty("康山制造", ORG, "client"))
    assert (set(read), target.pk in {c.party_id for c in found}) == ({"山制"}, True)
