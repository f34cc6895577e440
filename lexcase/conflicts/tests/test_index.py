"""The side index: rebuilds are idempotent, follow edits, and need no party-table scan."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexcase.conflicts.engine import (
    QueryParty,
    deletions,
    find_candidates,
    index_parties,
    index_party,
    index_rebuild,
    name_grams,
)
from lexcase.conflicts.models import NameGram, PartyKey
from lexcase.conflicts.tests.world import make_party
from lexcase.parties.models import Party
from lexcase.parties.names import normalize_name
from lexcase.parties.services import party_update

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
NAMES = st.text(alphabet=CJK, min_size=1, max_size=8)


def _rows(party: Party) -> tuple[list[tuple], list[str]]:
    keys = sorted(PartyKey.objects.filter(party=party).values_list("key_type", "value", "text"))
    grams = sorted(NameGram.objects.filter(party=party).values_list("gram", flat=True))
    return keys, grams


def test_index_party_twice_gives_same_rows(firm):
    party = make_party(firm.lead, "深圳市大疆创新科技有限公司", aliases=["大疆"])
    first = _rows(party)
    index_party(party)
    assert _rows(party) == first


def test_index_party_rows_cover_names_aliases_and_identifiers(firm):
    party = make_party(
        firm.lead, "杭州云栖数据有限公司", credit_code="91350200776049653A", aliases=["云栖"]
    )
    keys, grams = _rows(party)
    assert {k for k, _v, _t in keys} == {
        "credit_code",
        "name",
        "alias",
        "core",
        "trade",
        "pinyin",
        "del1",
        "trade_del1",
    }
    # The alias 云栖 (2 characters) and the trade name 云栖数据: their one-character deletions.
    assert {v for k, v, _t in keys if k == "del1"} == {"云", "栖"}
    assert {v for k, v, _t in keys if k == "trade_del1"} == {
        "云栖数",
        "云栖据",
        "云数据",
        "栖数据",
        "云",
        "栖",
    }
    assert ("alias", "云栖", "云栖") in keys
    assert {"云", "栖", "云栖", "公司"} <= set(grams)
    assert len(grams) == len(set(grams))


def test_reindex_after_rename_drops_old_name(firm):
    party = make_party(firm.lead, "旧名称有限公司")
    party = party_update(
        actor=firm.lead, party=party, version=party.version, name="全然不同有限公司"
    )
    # A rename keeps the former name as an alias (test_index_paths); removed, it is gone.
    party = party_update(actor=firm.lead, party=party, version=party.version, aliases=[])
    index_party(party)
    found = {
        c.party_id for c in find_candidates(QueryParty("旧名称有限公司", "organization", "client"))
    }
    assert party.pk not in found


def test_index_rebuild_counts_every_owner(firm):
    make_party(firm.lead, "某甲有限公司")
    NameGram.objects.all().delete()
    assert index_rebuild() == Party.objects.count()
    assert index_parties([firm.client_party.pk, firm.opposing_party.pk]) == 2


def test_check_never_scans_party_table(firm):
    make_party(firm.lead, "北京字节跳动科技有限公司")
    with CaptureQueriesContext(connection) as ctx:
        find_candidates(QueryParty("字节", "organization", "client"))
    party_reads = [q["sql"] for q in ctx.captured_queries if '"parties_party"' in q["sql"]]
    # Parties are read only by primary key (or joined to index rows by primary key), never
    # filtered by name.
    by_key = r'"parties_party"\."id" IN|"parties_party" p ON p\.id = k\.party_id'
    assert party_reads != []
    assert [sql for sql in party_reads if not re.search(by_key, sql)] == []


def test_deletions_are_the_one_character_deletions():
    assert (deletions("王伟"), deletions("王小明"), deletions("aab"), deletions("王")) == (
        ["伟", "王"],
        ["小明", "王小", "王明"],
        ["aa", "ab"],
        [],
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES)
def test_property_name_always_finds_itself(firm, name):
    party = make_party(firm.lead, name, "person")
    found = {
        c.party_id: c.matched_on for c in find_candidates(QueryParty(name, "person", "client"))
    }
    assert found.get(party.pk) == "name"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES, data=st.data())
def test_property_any_short_substring_finds_the_name(firm, name, data):
    party = make_party(firm.lead, name + "有限公司")
    norm = normalize_name(party.name)
    start = data.draw(st.integers(0, len(norm) - 1))
    size = data.draw(st.integers(1, 2))
    part = norm[start : start + size]
    found = {c.party_id for c in find_candidates(QueryParty(part, "person", "client"))}
    assert party.pk in found


@given(name=st.text(max_size=30))
def test_property_normalisation_and_grams_idempotent(name):
    norm = normalize_name(name)
    assert (normalize_name(norm), name_grams(norm) >= set(norm)) == (norm, True)
