"""Stored counts of hot keys (lexcase/conflicts/stats.py, engine 2.2): exact group counts
while parties are created, renamed, given or stripped of aliases and deleted, with and without
compaction in between; the engine reads the stored count; a promotion racing a writer that
started before it (PostgreSQL) still ends exact.

Every key is made hot (min_owners=1), so every count of these groups goes through the stored
counts and the correction for parties holding several keys of a group.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.db.models import F

from lexcase.conflicts import engine, stats
from lexcase.conflicts.engine import (
    QueryParty,
    find_candidates,
    group_members,
    index_parties,
    index_rebuild,
)
from lexcase.conflicts.models import GramStat, HotKey, HotKeyDelta, PartyKey
from lexcase.conflicts.tests.world import make_party
from lexcase.parties.services import party_update

pytestmark = pytest.mark.django_db(transaction=True)

PERSON = "person"
QUERIES = [
    QueryParty("王晴", PERSON, "client"),
    QueryParty("李娜", PERSON, "client"),
    QueryParty("苏州市汇腾网络科技有限公司", "organization", "client"),
]


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(engine, "GROUP_LISTED", 1)
    monkeypatch.setattr(engine, "RANK_PREFIX", 1)
    monkeypatch.setattr(engine, "SUBSTRING_LISTED", 1)


def _totals(*, checked: bool = True) -> dict[tuple[str, str, str], int]:
    """Every exact group's total, asserted equal to its members (brute force)."""
    totals = {}
    for q in QUERIES:
        for group in find_candidates(q).groups:
            members = group_members(group)
            if group.approximate:
                assert group.total >= len(members), group
                continue
            assert group.total == len(members) or not checked, group
            totals[(q.name, group.matched_on, group.key)] = group.total
    return totals


def _all_hot() -> None:
    out = stats.refresh(discover=True, min_owners=1, wait=5)
    assert (out["busy"], HotKey.objects.filter(owners__isnull=True).count()) == (False, 0)


def test_counts_exact_through_writes_and_compaction(firm, small_limits):
    # 王晴's neighbours: 王X / X晴 (deletion keys 王, 晴), 晴王 (holds both), 王晴X (王晴),
    # parties holding keys through aliases; 汇腾's: 汇X, X腾, 腾汇 (holds both trade keys).
    for name in ["王一", "王二", "李晴", "晴王", "王晴甲", "李娜", "李娜"]:
        make_party(firm.lead, name, PERSON)
    make_party(firm.lead, "赵六", PERSON, aliases=["王四", "晴五"])
    make_party(firm.lead, "王晴", PERSON, aliases=["晴王"])
    for trade in ["汇腾", "汇达", "恒腾", "腾汇"]:
        make_party(firm.lead, f"苏州市{trade}网络科技有限公司")
    _all_hot()
    before = _totals()
    assert before[("王晴", "typo", "王晴")] >= 7
    assert before[("苏州市汇腾网络科技有限公司", "typo", "汇腾")] >= 3

    # Writes, each checked before and after compaction.
    extra = make_party(firm.lead, "王三", PERSON)
    assert HotKeyDelta.objects.exists()
    after_insert = _totals()
    assert after_insert[("王晴", "typo", "王晴")] == before[("王晴", "typo", "王晴")] + 1
    stats.refresh()
    assert (HotKeyDelta.objects.count(), _totals()) == (0, after_insert)

    renamed = make_party(firm.lead, "孙七", PERSON)
    renamed = party_update(
        actor=firm.lead, party=renamed, version=renamed.version, name="孙八", aliases=["王九"]
    )
    grown = _totals()
    renamed = party_update(actor=firm.lead, party=renamed, version=renamed.version, aliases=[])
    shrunk = _totals()
    assert shrunk[("王晴", "typo", "王晴")] == grown[("王晴", "typo", "王晴")] - 1
    extra.delete()  # cascades to its index rows
    assert _totals()[("王晴", "typo", "王晴")] == shrunk[("王晴", "typo", "王晴")] - 1
    index_parties([renamed.pk, extra.pk])
    stats.refresh()
    final = _totals()
    assert final[("王晴", "typo", "王晴")] == shrunk[("王晴", "typo", "王晴")] - 1

    # The stored count is what the engine reads: a wrong one shows, a recount repairs it.
    HotKey.objects.filter(key_type="del1", value="王").update(owners=F("owners") + 1000)
    wrong = _totals(checked=False)
    assert wrong[("王晴", "typo", "王晴")] == final[("王晴", "typo", "王晴")] + 1000
    stats.recount()
    assert _totals() == final

    # A rebuild writes every row again (millions of deltas at scale): recounted instead.
    index_rebuild()
    stats.refresh()
    assert (_totals(), HotKeyDelta.objects.count()) == (final, 0)


def test_new_hot_key_promoted_and_counted_exactly(firm, small_limits):
    for name in ["李晴", "张晴"]:
        make_party(firm.lead, name, PERSON)
    stats.refresh(discover=True, min_owners=3, wait=5)
    assert not HotKey.objects.filter(key_type="del1", value="晴").exists()
    make_party(firm.lead, "赵晴", PERSON)
    out = stats.refresh(discover=True, min_owners=3, wait=5)
    key = HotKey.objects.get(key_type="del1", value="晴")
    assert (out["promoted"] >= 1, key.owners) == (True, 3)
    promoted = _totals()[("王晴", "typo", "王晴")]
    make_party(firm.lead, "钱晴", PERSON)
    assert _totals()[("王晴", "typo", "王晴")] == promoted + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")
def test_promotion_waits_for_a_writer_that_predates_it(firm, small_limits):
    make_party(firm.lead, "王一", PERSON)
    make_party(firm.lead, "王二", PERSON)
    written, release = threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                # Rows of del1:王 written while the key is not hot: no delta.
                make_party(firm.lead, "王三", PERSON)
                written.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written.wait(30)
        stats.refresh(discover=True, min_owners=2, wait=0.5)
        key = HotKey.objects.get(key_type="del1", value="王")
        # Counting now would miss the writer's rows, committed after this count.
        assert key.owners is None
    finally:
        release.set()
        thread.join()
    stats.refresh(wait=5)
    key.refresh_from_db()
    rows = PartyKey.objects.filter(key_type="del1", value="王", party__isnull=False)
    assert (key.owners, rows.filter(party__name="王三").count()) == (rows.count(), 1)
    _totals()


def test_substring_search_reads_the_rarest_gram_first(firm):
    GramStat.objects.create(gram="ev", owners=9000)
    GramStat.objects.create(gram="ss", owners=600)
    engine._gram_stats["loaded"] = None
    try:
        grams = sorted(engine._substring_grams("kevin rossi"), key=engine._gram_rank)
        # Without counts "ev" came first (alphabetical among the uncommon grams).
        assert grams[0] != "ev" and "ev" not in grams
    finally:
        engine._gram_stats["loaded"] = None
