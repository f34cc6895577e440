"""Large groups (issue 15 item 1): exact counts, bounded ranking, one round trip per name.

The limits are shrunk so that a handful of parties makes the groups that hold thousands at
1,000,000 parties (every two-character name with 王, every two-character trade name with 汇).
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lexcase.conflicts import engine
from lexcase.conflicts.engine import QueryParty, find_candidates, group_members, staff_relative_add
from lexcase.conflicts.tests.world import make_matter, make_party

PERSON = "person"
TRADES = ["汇腾", "汇达", "汇通", "汇丰", "恒腾", "华腾"]
ORG = "organization"


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(engine, "GROUP_LISTED", 2)
    monkeypatch.setattr(engine, "RANK_PREFIX", 1)
    monkeypatch.setattr(engine, "SUBSTRING_LISTED", 2)


def _check_groups(candidates) -> dict[tuple[str, str], int]:
    """Every group's count equals its members (or bounds them, when approximate)."""
    totals = {}
    for group in candidates.groups:
        members = set(group_members(group))
        exact = group.total == len(members) or (group.approximate and group.total >= len(members))
        assert (exact, group.listed <= group.total) == (True, True), group
        totals[(group.matched_on, group.key)] = group.total
    return totals


def test_typo_group_count_is_exact_with_owners_holding_several_keys(firm, small_limits):
    # 王晴's one-edit neighbours: 王X and X晴 (deletion keys 王 and 晴), 晴王 (holds both),
    # 王晴X (deletion key 王晴), and the one-character names 王 and 晴 (NAME keys).
    names = ["王一", "王二", "王三", "李晴", "张晴", "晴王", "王晴甲", "王", "晴"]
    made = {make_party(firm.lead, n, PERSON).pk for n in names}
    alias_holder = make_party(firm.lead, "赵六", PERSON, aliases=["王四"])
    # Holds two keys of the group besides the largest (晴: 李晴; 王晴: the alias 王晴乙).
    make_party(firm.lead, "李晴", PERSON, aliases=["王晴乙"])
    candidates = find_candidates(QueryParty("王晴", PERSON, "client"))
    totals = _check_groups(candidates)
    typo = {p for g in candidates.groups if g.matched_on == "typo" for p, _r in group_members(g)}
    assert made | {alias_holder.pk} <= typo | {c.party_id for c in candidates}
    assert sum(t for (kind, _key), t in totals.items() if kind == "typo") >= len(names)


def test_typo_group_counts_once_an_owner_holding_the_largest_key_and_another(firm, small_limits):
    """Engine 2.5 on SQLite reads the shared rows only of the owners holding a key besides the
    largest (the deletion key 王 here): an owner holding 王 and 晴 (王五, alias 晴丙) is one
    owner of 王晴's one-edit group, as one holding 晴 and 王晴 (李晴, alias 王晴乙) is."""
    for name in ("王一", "王二", "王三", "李晴", "张晴"):
        make_party(firm.lead, name, PERSON)
    both = make_party(firm.lead, "王五", PERSON, aliases=["晴丙"])
    other = make_party(firm.lead, "李晴", PERSON, aliases=["王晴乙"])
    candidates = find_candidates(QueryParty("王晴", PERSON, "client"))
    _check_groups(candidates)
    typo = [g for g in candidates.groups if g.matched_on == "typo"]
    members = [p for g in typo for p, _r in group_members(g)]
    listed = [c.party_id for c in candidates if c.matched_on == "typo"]
    assert {both.pk, other.pk} <= set(members) | set(listed)


def test_trade_typo_group_ranked_in_a_bounded_prefix_and_counted(firm, small_limits):
    made = {t: make_party(firm.lead, f"苏州市{t}网络科技有限公司").pk for t in TRADES}
    candidates = find_candidates(QueryParty("苏州市汇鑫网络科技有限公司", ORG, "client"))
    _check_groups(candidates)
    [group] = [g for g in candidates.groups if g.matched_on == "typo"]
    listed = [c for c in candidates if c.matched_on == "typo"]
    # One edit from 汇鑫: the 汇X trade names; 恒腾 and 华腾 are two edits away. Only the
    # newest holder of each key was ranked (RANK_PREFIX 1): one listed, three counted.
    neighbours = {made[t] for t in TRADES if t.startswith("汇")}
    assert {p for p, _r in group_members(group)} == neighbours
    assert (group.total, group.listed, len(listed)) == (4, 1, 1)
    assert listed[0].party_id == max(neighbours)
    assert {"trade_typo", "region", "industry"} <= set(listed[0].features)


def test_live_adverse_namesake_listed_first_among_many(firm, small_limits):
    namesakes = [make_party(firm.lead, "李娜", PERSON) for _ in range(5)]
    client = make_party(firm.lead, "上海甲方实业有限公司")
    # The oldest namesake is the opponent on an open matter: listed although 4 are newer.
    make_matter(firm, [(client, "client"), (namesakes[0], "opposing")])
    candidates = find_candidates(QueryParty("李娜", PERSON, "client"))
    names = [c.party_id for c in candidates if c.matched_on == "name"]
    assert namesakes[0].pk in names
    [group] = [g for g in candidates.groups if g.matched_on == "name"]
    assert (group.total, group.listed) == (5, 2)


def test_one_statement_per_name(firm):
    for i in range(3):
        make_party(firm.lead, f"王伟{i}", PERSON)
    staff_relative_add(user=firm.lead, name="王伟", relation="spouse")
    with CaptureQueriesContext(connection) as ctx:
        candidates = find_candidates(QueryParty("王伟", PERSON, "client"))
    # PostgreSQL sets the plan cache mode for the check first (SET LOCAL, no read).
    reads = [q for q in ctx.captured_queries if not q["sql"].startswith("SET LOCAL")]
    assert (len(reads), any(c.relative_id for c in candidates)) == (1, True)


def _prepared_runs() -> dict[str, tuple[int, int]]:
    with connection.cursor() as cur:
        cur.execute("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements")
        return {name: (generic, custom) for name, generic, custom in cur.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_names_of_one_shape_share_one_prepared_generic_plan(firm):
    """The check's statement does not depend on how many keys a name yields (arrays, not
    lists of parameters): personal names of three characters, with different numbers of
    deletion keys, pinyin readings and namesakes, run one prepared statement, each time with
    its generic plan (planned once, not per name)."""
    for name in ("李小明", "欧阳明", "张伟伟", "张伟伟"):
        make_party(firm.lead, name, PERSON)
    before = _prepared_runs()
    for name in ("李小明", "欧阳明", "张伟伟", "王大锤"):
        find_candidates(QueryParty(name, PERSON, "client"))
    runs = {
        name: (generic - before.get(name, (0, 0))[0], custom - before.get(name, (0, 0))[1])
        for name, (generic, custom) in _prepared_runs().items()
        if (generic, custom) != before.get(name)
    }
    assert list(runs.values()) == [(4, 0)]


def _statements(monkeypatch, query: QueryParty) -> list[engine._Statement]:
    """The statements a check runs, kept for EXPLAIN."""
    run = engine._Statement.run
    seen: list[engine._Statement] = []

    def keep(self: engine._Statement) -> list[tuple]:
        seen.append(self)
        return run(self)

    monkeypatch.setattr(engine._Statement, "run", keep)
    find_candidates(query)
    return seen


def _part_plan(statement: engine._Statement, prefix: str) -> dict:
    """The executed plan (EXPLAIN ANALYZE) of the statement's part that starts with `prefix`."""
    with connection.cursor() as cur:
        cur.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + " UNION ALL ".join(statement.parts),
            statement.params,
        )
        [[plan]] = cur.fetchall()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    i = next(i for i, part in enumerate(statement.parts) if part.startswith(prefix))
    return plan[0]["Plan"]["Plans"][i]


def _reads(node: dict, table: str) -> tuple[int, int]:
    """(rows read from `table`, index scans of it) in a plan's subtree."""
    rows = scans = 0
    if node.get("Relation Name") == table:
        loops = node.get("Actual Loops", 0)
        rows, scans = node.get("Actual Rows", 0) * loops, loops
    for child in node.get("Plans", []):
        more = _reads(child, table)
        rows, scans = rows + more[0], scans + more[1]
    return rows, scans


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN ANALYZE: PostgreSQL")
def test_namesakes_ordered_from_the_index_read_only_when_listed(firm, small_limits, monkeypatch):
    """Engine 2.6: every namesake is ordered (live adverse first, a promise) from the lookup
    index alone; the party of a namesake is read only when it is listed (GROUP_LISTED and
    the one past it). 2.5 read every namesake's party to sort them (166 for 王慧 at 1M)."""
    for _ in range(6):
        make_party(firm.lead, "李娜", PERSON)
    [statement] = _statements(monkeypatch, QueryParty("李娜", PERSON, "client"))
    # The name branch is the first of a person without identifiers (_KEY_ROW 0, branch 0).
    plan = _part_plan(statement, f"SELECT * FROM (SELECT {engine._KEY_ROW} AS tag, 0 AS b")
    assert _reads(plan, "parties_party")[0] == engine.GROUP_LISTED + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN ANALYZE: PostgreSQL")
def test_substring_name_shown_looked_up_once_per_holder(firm, small_limits, monkeypatch):
    """Engine 2.6: the name shown for a substring holder is looked up once; PostgreSQL pulled
    2.5's subquery up and looked it up twice (for the filter and for the row)."""
    for i in range(6):
        make_party(firm.lead, f"欧阳娜{i}", PERSON)
    [statement] = _statements(monkeypatch, QueryParty("欧阳娜", PERSON, "client"))
    plan = _part_plan(statement, f"SELECT * FROM (SELECT {engine._SUB_ROW} AS tag")
    # The listing stops at SUBSTRING_LISTED + 1 holders whose name contains the text.
    assert _reads(plan, "conflicts_partykey")[1] == engine.SUBSTRING_LISTED + 1
