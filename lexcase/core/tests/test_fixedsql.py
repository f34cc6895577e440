"""Fixed reads (core.fixedsql): compiled once, they return what the queryset returns, for
each call's own arguments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lexcase.calendar.models import Deadline, Hearing
from lexcase.core import fixedsql
from lexcase.core.fixedsql import fixed_first, fixed_rows
from lexcase.matters.models import Matter, MatterMember
from lexcase.matters.selectors import MatterFilters, matters_page
from lexcase.testing import Firm

pytestmark = pytest.mark.django_db


def _deadlines(m: Matter):
    return m.deadlines.select_related("responsible").order_by("due_date", "id")


def test_a_fixed_read_returns_each_matters_own_rows(firm: Firm) -> None:
    today = timezone.localdate()
    for matter, titles in ((firm.matter, ["甲", "乙"]), (firm.confidential, ["丙"])):
        for title in titles:
            Deadline.objects.create(
                matter=matter, title=title, due_date=today, status="open", responsible=firm.lead
            )
    got = {
        m.pk: [(d.pk, d.title, d.responsible.username) for d in fixed_rows("t.dl", _deadlines, m)]
        for m in (firm.matter, firm.confidential, firm.matter)
    }
    want = {
        m.pk: [(d.pk, d.title, d.responsible.username) for d in _deadlines(m)]
        for m in (firm.matter, firm.confidential)
    }
    assert got == want
    assert [len(v) for v in got.values()] == [2, 1]


def test_a_fixed_read_knows_its_matter_and_prefetches(firm: Firm) -> None:
    hearing = Hearing.objects.create(
        matter=firm.matter, court="北京市朝阳区人民法院", starts_at=timezone.now()
    )
    hearing.attendees.add(firm.lead, firm.partner)

    def build(m: Matter):
        return m.hearings.prefetch_related("attendees").order_by("starts_at")

    fixed_rows("t.hearings", build, firm.matter)  # compiled
    with CaptureQueriesContext(connection) as ctx:
        rows = fixed_rows("t.hearings", build, firm.matter)
        seen = [
            (h.matter is firm.matter, sorted(u.username for u in h.attendees.all())) for h in rows
        ]
    assert (seen, len(ctx.captured_queries)) == ([(True, ["lead", "partner"])], 2)


def test_fixed_values_first_and_nothing(firm: Firm) -> None:
    def counts(pk: int):
        return (
            MatterMember.objects.filter(matter_id=pk)
            .values("matter_id")
            .annotate(n=Count("pk"))
            .order_by()
        )

    assert fixed_rows("t.counts", counts, firm.matter.pk) == [
        {"matter_id": firm.matter.pk, "n": MatterMember.objects.filter(matter=firm.matter).count()}
    ]
    assert fixed_rows("t.counts", counts, -1) == []
    first = fixed_first("t.first", lambda m: m.members.order_by("-id"), firm.matter)
    assert first == firm.matter.members.order_by("-id").first()
    assert (
        fixed_rows("t.none", lambda m: Matter.objects.filter(pk=m.pk, id__in=[]), firm.matter) == []
    )


def test_a_build_that_ignores_its_argument_is_refused(firm: Firm) -> None:
    with pytest.raises(RuntimeError):
        fixed_rows("t.wrong", lambda m: Matter.objects.filter(pk=firm.matter.pk), firm.matter)


def test_a_key_missing_what_the_build_reads_fails_the_tests(firm: Firm) -> None:
    """The tests' check (settings.LEXCASE_CHECK_FIXED_SQL): a build that reads a matter's
    `confidential` flag under a key without it would give the second matter the first
    one's query; the check builds the second one's and refuses, naming the key."""

    def build(m: Matter):
        if m.confidential:
            return Matter.objects.filter(pk=m.pk, confidential=True)
        return Matter.objects.filter(pk=m.pk)

    assert [m.pk for m in fixed_rows("t.gap", build, firm.matter)] == [firm.matter.pk]
    with pytest.raises(AssertionError, match=r"'t\.gap'"):
        fixed_rows("t.gap", build, firm.confidential)


@pytest.mark.parametrize("key", [2**63, 2**64, -(2**63) - 1])
def test_a_key_past_64_bits_reads_nothing(firm: Firm, settings, key: int) -> None:
    """A URL's <int:pk> takes any digits: bound into the compiled SQL, SQLite's driver raised
    OverflowError (an HTTP 500 on the matter's pages); the ORM's query matches nothing."""
    settings.LEXCASE_CHECK_FIXED_SQL = False  # as served (the tests' check rebuilds anyway)
    fixed_rows("t.big", lambda pk: Matter.objects.filter(pk=pk), firm.matter.pk)  # compiled
    assert fixed_rows("t.big", lambda pk: Matter.objects.filter(pk=pk), key) == []
    assert fixed_first("t.big.first", lambda pk: Matter.objects.filter(pk=pk), key) is None


def _direct_entry(key: str):
    return next(e for (_c, k), e in fixedsql._CACHE.items() if k == key)


def test_simple_shapes_are_built_from_the_cursor_as_the_queryset_builds_them(firm: Firm) -> None:
    """values_list tuples and flat values, and instances of a model alone, are built from
    the cursor's rows (no queryset clone, iterable or chunked fetch): the same values, types
    (converted datetimes, dates, decimals, booleans) and instances as the queryset's, in a
    query each; anything more (select_related, an annotation) goes through the queryset."""
    m = firm.matter
    Matter.objects.filter(pk=m.pk).update(amount="1234.50", opened_on=timezone.localdate())
    builds = {
        "t.tuples": lambda x: Matter.objects.filter(pk=x.pk).values_list(
            "pk", "updated_at", "opened_on", "amount", "confidential", "title"
        ),
        "t.flat": lambda x: (
            MatterMember.objects.filter(matter=x)
            .order_by("id")
            .values_list("user__username", flat=True)
        ),
        "t.models": lambda x: Matter.objects.filter(pk=x.pk),
        "t.only": lambda x: Matter.objects.filter(pk=x.pk).only("number", "updated_at"),
        "t.related": lambda x: Matter.objects.filter(pk=x.pk).select_related("practice_area"),
        "t.annotated": lambda x: Matter.objects.filter(pk=x.pk).annotate(n=Count("members")),
    }
    for key, build in builds.items():
        fixed_rows(key, build, m)  # compiled
        with CaptureQueriesContext(connection) as ctx:
            got = fixed_rows(key, build, m)
        want = list(build(m))
        assert len(ctx.captured_queries) == 1, key
        if key in ("t.tuples", "t.flat"):
            assert (got, [type(v) for v in got[0]] if key == "t.tuples" else None) == (
                want,
                [type(v) for v in want[0]] if key == "t.tuples" else None,
            )
        else:
            assert [(type(o), o.pk, o.__dict__.keys()) for o in got] == [
                (type(o), o.pk, o.__dict__.keys()) for o in want
            ], key
            assert [{k: v for k, v in o.__dict__.items() if k != "_state"} for o in got] == [
                {k: v for k, v in o.__dict__.items() if k != "_state"} for o in want
            ], key
            assert [(o._state.adding, o._state.db) for o in got] == [(False, "default")] * len(got)
    direct = {key: _direct_entry(key).direct is not None for key in builds}
    assert direct == {
        "t.tuples": True,
        "t.flat": True,
        "t.models": True,
        "t.only": True,
        "t.related": False,
        "t.annotated": False,
    }


@pytest.mark.parametrize(
    "value",
    [
        None,
        datetime(2026, 12, 7, 19, 30, 5, 123456),
        datetime(999, 1, 2, 3, 4, 5),
        datetime(2026, 12, 7, 19, 30, tzinfo=UTC),
        "2026-12-07 19:30:05.123456",
        "2026-12-07T19:30:05+08:00",
    ],
)
def test_the_lean_time_stamp_converter_gives_djangos_value(value: object) -> None:
    """SQLite's time stamps converted with less work (fixedsql.lean_converters): the same
    value, of the same zone, as Django's converter for whatever the driver hands over."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's converter")
    django = connection.ops.convert_datetimefield_value
    expression = Matter._meta.get_field("updated_at").get_col(Matter._meta.db_table)
    [(_pos, (convs, _expr))] = fixedsql.lean_converters([(0, ([django], expression))], connection)
    assert convs != [django]
    got = convs[0](value, expression, connection)
    want = django(value, expression, connection)
    assert got == want
    assert getattr(got, "tzinfo", None) == getattr(want, "tzinfo", None)


def test_the_list_reads_time_stamps_as_the_orm_does(firm: Firm) -> None:
    """The list's rows (matters.selectors, through lean_converters) have the ORM's values."""
    page = matters_page(user=firm.admin, filters=MatterFilters(), related=False)
    orm = {m.pk: m for m in Matter.objects.filter(pk__in=[m.pk for m in page.items])}
    assert page.items
    for m in page.items:
        for name in ("created_at", "updated_at", "last_outbound_at", "opened_on"):
            assert getattr(m, name) == getattr(orm[m.pk], name)
            assert getattr(getattr(m, name), "tzinfo", None) == getattr(
                getattr(orm[m.pk], name), "tzinfo", None
            )
