"""bench.matter_list times a view and its bare queries in alternating blocks
(`_measure_pair`), each timed call preceded by the call that preceded it in its own list's
sequence, so a drift of the shared machine's speed within a run reaches both samples."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from bench import matter_list

pytestmark = pytest.mark.django_db


def test_the_view_and_its_bare_queries_alternate_in_blocks(monkeypatch: Any) -> None:
    log: list[str] = []
    ticks = iter(range(10_000))
    monkeypatch.setattr(matter_list, "CLOCK", [lambda: float(next(ticks))])

    def call(name: str) -> Any:
        def run() -> int:
            log.append(name)
            return 1

        return run

    view = [call("v0"), call("v1"), call("v2")]
    bare = [call("b0"), call("b1"), call("b2")]
    first, second = matter_list._measure_pair(view, bare, runs=12, blocks=4)
    assert (first["n"], second["n"], first["interleaved_blocks"]) == (12, 12, 4)
    timed = log[2 * matter_list.WARMUPS :]
    # Four blocks each way, alternating; each opens with its list's previous call, untimed.
    blocks = [timed[i : i + 4] for i in range(0, len(timed), 4)]
    assert [b[0][0] for b in blocks] == ["v", "b"] * 4
    assert blocks[0] == ["v2", "v0", "v1", "v2"]
    assert blocks[1] == ["b2", "b0", "b1", "b2"]
    assert blocks[2] == ["v2", "v0", "v1", "v2"]
    # Every timed call follows the call before it in its own cycle.
    for block in blocks:
        for prev, cur in pairwise(block):
            assert int(cur[1]) == (int(prev[1]) + 1) % 3


def test_the_bare_queries_of_a_view_include_a_read_opening_with_a_with_clause() -> None:
    """A searched list page on PostgreSQL is one statement opening with `WITH "found" …`
    (matters.selectors._ListQuery.searched_page): replayed with the view's SELECTs, not
    left out of its bare queries; writes are not replayed."""
    from django.db import connection

    def view() -> int:
        with connection.cursor() as cur:
            cur.execute('WITH "found" ("pk") AS (SELECT 1) SELECT "pk" FROM "found"')
            cur.execute("SELECT 2")
            cur.execute("UPDATE django_session SET expire_date = expire_date WHERE 1 = 0")
        return 1

    replay, selects = matter_list._bare_replay(view)
    assert (selects, replay()) == (2, 2)
