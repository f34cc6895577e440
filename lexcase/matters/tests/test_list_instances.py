"""The list's matters are built without `Model.__init__` (`selectors._plain_from_db`): they
must be the instances QuerySet iteration builds, select_related objects included, and
Django's own path must be taken whenever anything would run on construction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from lexcase.accounts.models import PracticeArea
from lexcase.matters import selectors
from lexcase.matters.models import CaseCause, Matter
from lexcase.matters.selectors import MatterFilters, matters_page

pytestmark = pytest.mark.django_db


def _fields(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(obj).items() if k != "_state"}


def test_page_instances_equal_the_querysets(firm):
    area = PracticeArea.objects.create(code="X1", name="争议解决")
    Matter.objects.filter(pk=firm.matter.pk).update(practice_area=area)
    items = matters_page(user=firm.partner, filters=MatterFilters()).items
    assert len(items) >= 2
    want = {
        m.pk: m
        for m in Matter.objects.filter(pk__in=[m.pk for m in items]).select_related(
            "practice_area", "cause"
        )
    }
    for got in items:
        ref = want[got.pk]
        assert type(got) is Matter
        assert _fields(got) == _fields(ref)
        assert (got._state.adding, got._state.db) == (False, ref._state.db)
        assert got._state.fields_cache.keys() == ref._state.fields_cache.keys()
        for name in ("practice_area", "cause"):
            mine, theirs = getattr(got, name), getattr(ref, name)
            assert (mine is None) == (theirs is None)
            if mine is not None:
                assert _fields(mine) == _fields(theirs)
                assert (mine._state.adding, mine._state.db) == (False, theirs._state.db)
    assert any(m.practice_area == area for m in items)
    # A changed foreign key drops the cached object, as on Django's instances.
    got = next(m for m in items if m.practice_area_id == area.pk)
    got.practice_area_id = None
    assert got.practice_area is None


def test_a_post_init_receiver_gets_djangos_path(firm):
    seen: list[int] = []

    def receiver(sender: Any, instance: Any, **kw: Any) -> None:
        seen.append(id(instance))

    post_init.connect(receiver, sender=Matter)
    try:
        items = matters_page(user=firm.partner, filters=MatterFilters()).items
        fields = [f.attname for f in Matter._meta.concrete_fields]
        assert selectors._plain_from_db(Matter, fields, None) is None
    finally:
        post_init.disconnect(receiver, sender=Matter)
    assert {id(m) for m in items} <= set(seen)
    fields = [f.attname for f in Matter._meta.concrete_fields]
    assert selectors._plain_from_db(Matter, fields, None) is not None
    assert selectors._plain_from_db(Matter, fields[:-1], None) is None


def test_the_columns_converters_are_asked_once_per_compiled_query(firm, monkeypatch):
    """The page's converters are the compiler's, asked once per compiled list query and
    applied to every row of every later page: the instances still carry converted values
    (aware datetimes, dates, booleans, decimals)."""
    asked: list[int] = []
    original = SQLCompiler.get_converters

    def counting(self: Any, expressions: Any) -> Any:
        asked.append(len(expressions))
        return original(self, expressions)

    monkeypatch.setattr(SQLCompiler, "get_converters", counting)
    Matter.objects.filter(pk=firm.matter.pk).update(amount="12.50")
    pages = [matters_page(user=firm.partner, filters=MatterFilters()).items for _ in range(3)]
    assert len(asked) <= 1
    want = {m.pk: _fields(m) for m in Matter.objects.filter(pk__in=[m.pk for m in pages[0]])}
    for items in pages:
        assert {m.pk: _fields(m) for m in items} == want
    got = next(m for m in pages[2] if m.pk == firm.matter.pk)
    assert (got.amount, got.updated_at.tzinfo is not None, type(got.confidential)) == (
        Decimal("12.50"),
        True,
        bool,
    )


def test_without_related_the_same_matters_and_no_join(firm):
    """`related=False` (the list and dashboard tables, which show neither): the same
    matters with the same values, in the same order, with the same count and cursor; the
    page's SQL joins nothing and no practice area or cause is built."""
    area = PracticeArea.objects.create(code="X2", name="刑事")
    Matter.objects.filter(pk=firm.matter.pk).update(practice_area=area)
    for filters in (MatterFilters(), MatterFilters(sort="number"), MatterFilters(q="王")):
        full = matters_page(user=firm.partner, filters=filters, size=1)
        with CaptureQueriesContext(connection) as ctx:
            lean = matters_page(user=firm.partner, filters=filters, size=1, related=False)
        assert [_fields(m) for m in lean.items] == [_fields(m) for m in full.items]
        assert (lean.total, lean.next_cursor) == (full.total, full.next_cursor)
        assert all(not m._state.fields_cache for m in lean.items)
        for query in ctx.captured_queries:
            for table in (PracticeArea._meta.db_table, CaseCause._meta.db_table):
                assert f'"{table}"' not in query["sql"], query["sql"]
        if full.next_cursor:
            after = matters_page(
                user=firm.partner, filters=filters, cursor=full.next_cursor, size=1, related=False
            )
            want = matters_page(user=firm.partner, filters=filters, cursor=full.next_cursor, size=1)
            assert [_fields(m) for m in after.items] == [_fields(m) for m in want.items]


def test_the_list_view_reads_its_matters_without_related(client, firm):
    client.force_login(firm.partner)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/matters/")
    assert response.status_code == 200
    listed = [q["sql"] for q in ctx.captured_queries if 'FROM "matters_matter"' in q["sql"]]
    page_sql = [sql for sql in listed if "LIMIT 51" in sql]
    assert len(page_sql) == 1, listed
    for table in (PracticeArea._meta.db_table, CaseCause._meta.db_table):
        assert f'"{table}"' not in page_sql[0], page_sql[0]
