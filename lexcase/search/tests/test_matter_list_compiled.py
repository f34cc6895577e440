"""The matter list's queries compiled once per shape (`matters.selectors._ListQuery`): every
page equals the queryset the ORM builds for the same request (the code before), cursor by
cursor, for the personas, filters, sorts and q= terms; a second request of the same shape
compiles nothing (its values are bound into the kept SQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from lexcase.accounts.models import PracticeArea
from lexcase.matters import extensions, selectors
from lexcase.matters.models import Matter
from lexcase.matters.selectors import (
    COUNT_CAP,
    SORTS,
    MatterFilters,
    _decode_cursor,
    _encode_cursor,
    _keyset_after,
    _typed_cursor,
    matters_filter,
    matters_page,
)
from lexcase.search.tests.test_matter_list import listed  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db


def _orm_page(user, filters: MatterFilters, cursor: str, size: int):
    """`matters_page` as the ORM built it on every call (before the compiled queries)."""
    order = SORTS.get(filters.sort, SORTS["activity"])
    qs = matters_filter(user=user, filters=filters)
    if filters.q.strip():
        ids = list(qs.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
        total = len(ids)
        if total <= COUNT_CAP:
            qs = Matter.objects.filter(pk__in=ids)
    else:
        total = qs.values("pk")[: COUNT_CAP + 1].count()
    if cursor:
        values = _decode_cursor(cursor, len(order))
        typed = _typed_cursor(order, values) if values is not None else None
        if typed is not None:
            qs = qs.filter(_keyset_after(order, typed))
    ordering = [f"-{f}" if desc else f for f, desc in order]
    rows = list(qs.select_related("practice_area", "cause").order_by(*ordering)[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = _encode_cursor([getattr(rows[-1], f) for f, _desc in order])
    return [m.pk for m in rows], total, next_cursor


def _filters(firm) -> list[MatterFilters]:
    area = PracticeArea.objects.create(code="lit", name="诉讼")
    Matter.objects.filter(title__contains="王").update(practice_area=area, priority="P1")
    Matter.objects.filter(title__contains="华为").update(status="closed")
    out = [MatterFilters(sort=sort) for sort in SORTS]
    out += [
        MatterFilters(status="open"),
        MatterFilters(status="closed", sort="number"),
        MatterFilters(priority="P1", matter_type="civil"),
        MatterFilters(practice_area=area.pk, sort="priority"),
        MatterFilters(lawyer=firm.lead.pk, sort="created"),
        MatterFilters(status="open", lawyer=firm.outsider.pk),
    ]
    for q in ["王", "王伟", "有限公司", "（2024）", "0105", "-", "不存在的名字"]:
        out += [MatterFilters(q=q), MatterFilters(q=q, sort="number", status="open")]
    return out


def _walk_pages(user, filters: MatterFilters, size: int) -> list[list[str]]:
    """Every page of `filters`, each after the cursor of the one before and equal to the
    ORM's page; the SQL each page ran."""
    cursor, pages = "", []
    while True:
        with CaptureQueriesContext(connection) as ctx:
            page = matters_page(user=user, filters=filters, cursor=cursor, size=size)
        pages.append([q["sql"] for q in ctx.captured_queries])
        got = ([m.pk for m in page.items], page.total, page.next_cursor)
        assert got == _orm_page(user, filters, cursor, size), (filters, cursor)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize("persona", ["lead", "partner", "admin", "outsider", "walled"])
def test_every_page_equals_the_orms(listed, persona):  # noqa: F811
    user = getattr(listed, persona)
    for filters in _filters(listed):
        assert len(_walk_pages(user, filters, 2)) >= 1


def test_rows_come_with_their_practice_area_and_cause(listed):  # noqa: F811
    page = matters_page(user=listed.admin, filters=MatterFilters())
    assert page.items
    with CaptureQueriesContext(connection) as ctx:
        loaded = [(m.practice_area, m.cause) for m in page.items]
    assert (len(ctx.captured_queries), len(loaded)) == (0, len(page.items))
    first = Matter.objects.select_related("practice_area", "cause").get(pk=page.items[0].pk)
    assert [getattr(page.items[0], f.attname) for f in Matter._meta.concrete_fields] == [
        getattr(first, f.attname) for f in Matter._meta.concrete_fields
    ]


def test_a_shape_is_compiled_once(listed, monkeypatch, settings):  # noqa: F811
    settings.LEXCASE_CHECK_FIXED_SQL = False  # the tests' check compiles every call
    compiled: list[str] = []
    as_sql = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model.__name__)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    user = listed.partner
    pairs = [
        (MatterFilters(status="open"), MatterFilters(status="closed")),
        (MatterFilters(q="王伟"), MatterFilters(q="欧阳娜娜")),
        (MatterFilters(q="0105", sort="number"), MatterFilters(q="2024", sort="number")),
        (MatterFilters(lawyer=listed.lead.pk), MatterFilters(lawyer=listed.outsider.pk)),
    ]
    for first, second in pairs:
        cursor = matters_page(user=user, filters=first, size=1).next_cursor or ""
        matters_page(user=user, filters=first, cursor=cursor, size=1)
        compiled.clear()
        matters_page(user=user, filters=second, size=1)
        matters_page(user=user, filters=second, cursor=cursor, size=1)
        assert (second, compiled) == (second, [])


def test_the_index_is_asked_for_a_name_without_its_organisational_form(listed, monkeypatch):  # noqa: F811
    """有/限/公/司 are tokens of most entries: the index is asked for the term without its
    form suffix (a substring of it, so a superset), the conditions still match the whole
    term; a part the index cannot serve (one Latin run) or shorter than two characters falls
    back to the whole term."""
    asked: list[tuple[str, str]] = []
    index = extensions._TEXT_INDEX[0]

    def recording(raw: str, normalized: str):
        asked.append((raw, normalized))
        return index(raw, normalized)

    monkeypatch.setattr(extensions, "_TEXT_INDEX", [recording])
    cases = [
        ("深圳市华为技术有限公司", [("深圳市华为技术", "深圳市华为技术")]),
        ("華為技術（深圳）有限公司", [("華為技術（深圳）", "华为技术(深圳)")]),
        ("ACME有限公司", [("ACME", "acme"), ("ACME有限公司", "acme有限公司")]),
        ("有限公司", [("有限", "有限")]),  # 公司 off; 有限公司 alone is kept whole
        ("王伟", [("王伟", "王伟")]),
    ]
    for q, expected in cases:
        asked.clear()
        page = matters_page(user=listed.admin, filters=MatterFilters(q=q))
        with monkeypatch.context() as m:
            m.setattr(extensions, "_TEXT_INDEX", [])
            scan = matters_page(user=listed.admin, filters=MatterFilters(q=q))
        assert (q, asked) == (q, expected)
        assert [x.pk for x in page.items] == [x.pk for x in scan.items]
    titles = {
        m.title
        for m in matters_page(
            user=listed.admin, filters=MatterFilters(q="深圳市华为技术有限公司")
        ).items
    }
    assert titles == {"深圳市华为技术有限公司诉王伟明"}


@pytest.mark.skipif("connection.vendor == 'postgresql'")  # one statement there (below)
def test_a_searched_page_by_activity_reads_only_its_own_rows(listed):  # noqa: F811
    """Under COUNT_CAP the search's ids come with their sort keys: the page is ordered and
    cut in Python and its rows read by id (no ORDER BY over every match); by number (text,
    the database's collation) the database still orders."""
    user = listed.admin
    for sort, ordered_in_sql in (("activity", False), ("created", False), ("number", True)):
        with CaptureQueriesContext(connection) as ctx:
            page = matters_page(user=user, filters=MatterFilters(q="王", sort=sort), size=2)
        assert (sort, len(ctx.captured_queries)) == (sort, 2)
        second = ctx.captured_queries[1]["sql"]
        assert (sort, "ORDER BY" in second) == (sort, ordered_in_sql)
        assert [m.pk for m in page.items] == _orm_page(
            user, MatterFilters(q="王", sort=sort), "", 2
        )[0]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_searched_page_on_postgresql_is_one_statement(listed):  # noqa: F811
    """PostgreSQL: the count and the page of a text search in one statement: the matching
    ids and their sort keys kept (a MATERIALIZED CTE), the page ordered and cut from those
    rows alone (every sort, after a cursor too) and only its matters read. A page empty
    after its cursor still comes with the count."""
    user = listed.admin
    for sort in SORTS:
        pages = _walk_pages(user, MatterFilters(q="王", sort=sort), 1)
        assert len(pages) >= 3
        for statements in pages:
            assert len(statements) == 1
            sql = statements[0]
            assert sql.startswith('WITH "found" (') and "AS MATERIALIZED (" in sql
            assert ' FROM "found"' in sql and 'IN (SELECT "pk" FROM "page")' in sql
    filters = MatterFilters(q="王")
    total = matters_page(user=user, filters=filters).total
    past = _encode_cursor([datetime(2000, 1, 1, tzinfo=UTC), 1])
    with CaptureQueriesContext(connection) as ctx:
        page = matters_page(user=user, filters=filters, cursor=past)
    assert (page.items, page.total, page.next_cursor) == ([], total, None)
    assert len(ctx.captured_queries) == 1
    assert _orm_page(user, filters, past, 50) == ([], total, None)


def test_a_searched_page_reads_its_time_keys_as_sqlite_stores_them(listed):  # noqa: F811
    """On SQLite the search's ids come with their time keys as the stored text (no time
    parsed and made aware per match), which sorts as SQLite orders the rows; on
    PostgreSQL as times. Times a microsecond apart, one of them on the second (stored
    without a fraction), page alike either way."""
    user = listed.admin
    with CaptureQueriesContext(connection) as ctx:
        matters_page(user=user, filters=MatterFilters(q="王"), size=2)
    ids_query = ctx.captured_queries[0]["sql"]
    cast = 'CAST("matters_matter"."updated_at" AS text)'
    assert (connection.vendor, cast in ids_query) == (
        connection.vendor,
        connection.vendor == "sqlite",
    )
    found = [m.pk for m in matters_filter(user=user, filters=MatterFilters(q="王"))]
    assert len(found) >= 3
    on_second = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
    times = [on_second, on_second + timedelta(microseconds=1), on_second - timedelta(seconds=1)]
    older = on_second - timedelta(days=1)
    Matter.objects.filter(pk__in=found[3:]).update(updated_at=older, created_at=older)
    for pk, when in zip(found, times, strict=False):
        Matter.objects.filter(pk=pk).update(updated_at=when, created_at=when)
    for sort in ("activity", "created"):
        filters = MatterFilters(q="王", sort=sort)
        cursor, pages = "", []
        while True:
            page = matters_page(user=user, filters=filters, cursor=cursor, size=1)
            assert [m.pk for m in page.items] == _orm_page(user, filters, cursor, 1)[0]
            pages += [m.pk for m in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert pages[:3] == [found[1], found[0], found[2]]


def test_a_shape_key_missing_what_the_query_reads_fails_the_tests(listed, monkeypatch):  # noqa: F811
    """The tests' check (settings.LEXCASE_CHECK_FIXED_SQL): were the reader's breadth (a
    partner sees every open file, a lawyer their own) left out of the shape, the partner
    would get the lawyer's cached query; the check builds the partner's and refuses."""
    init = selectors._ListQuery.__init__

    def without_breadth(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.shape = tuple(x for i, x in enumerate(self.shape) if i != 2)  # `wide` left out

    monkeypatch.setattr(selectors._ListQuery, "__init__", without_breadth)
    matters_page(user=listed.lead, filters=MatterFilters(status="open"), size=1)
    with pytest.raises(AssertionError, match="compiled list query"):
        matters_page(user=listed.partner, filters=MatterFilters(status="open"), size=1)


def test_a_replaced_gate_is_compiled_again(listed, monkeypatch, settings):  # noqa: F811
    """The gate function is part of the shape (as in matter_get's key): a gate replaced
    after the list was compiled is run, not skipped by the kept SQL (the fail-closed tests
    replace it with one that raises)."""
    settings.LEXCASE_CHECK_FIXED_SQL = False  # the check would run the new gate by itself
    matters_page(user=listed.lead, filters=MatterFilters(), size=1)

    def broken(user):
        raise RuntimeError("gate exploded")

    monkeypatch.setattr(selectors, "matters_visible_to", broken)
    with pytest.raises(RuntimeError, match="gate exploded"):
        matters_page(user=listed.lead, filters=MatterFilters(), size=1)
