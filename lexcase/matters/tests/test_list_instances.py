"""The list's matters are built without `Model.__init__` (`selectors._plain_from_db`): they
must be the instances QuerySet iteration builds, select_related objects included, and
Django's own path must be taken whenever anything would run on construction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models.signals import post_init
from django.db.models.sql.compiler import SQLCompiler

from lexcase.accounts.models import PracticeArea
from lexcase.matters import selectors
from lexcase.matters.models import Matter
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
