"""Fixed-shape reads compiled by Django once per process and kept.

A page that runs the same few dozen queries on every request (the matter page: its
deadlines, documents, reviews ...) spent about half of its CPU in the ORM building and
compiling them (`QuerySet.filter`, `SQLCompiler.as_sql`: the SELECT list of every
`select_related` model, the ORDER BY resolved against it), against a few milliseconds for
the SQL itself (issue 15 item 3). `fixed_rows(key, build, *args)` builds the queryset once,
from stand-ins of its arguments whose primary key is a placeholder (a sentinel integer no
real key takes), compiles it, and afterwards only binds the arguments' real keys into the
compiled parameters and runs it through the ORM's own row handling (model instances,
select_related, annotations, `values()`, prefetch_related, the database's converters, the
argument set as the rows' known related object, as a related manager does), so the rows
are the ones `build(*args)` would have returned.

What is kept is SQL text and the compiler's description of its columns, never rows. Rules
for a build (the key's author checks them; the shape is compiled once per process):

- it uses its arguments only by primary key (a filter on them, a related manager of them);
  anything else of theirs that changes the query (a status, a role) goes into the key;
- nothing else in it varies between calls: no clock, no setting read per request, no
  query run while building (it would run with the placeholder);
- the queryset is evaluated whole (slice it for a first row), and only the rows come back,
  never the queryset, so nothing derived from it can run with a placeholder in it.

A placeholder that does not reach the compiled parameters is an error at the first call
(the build does not filter on that argument's key), never a silent mismatch.

Under the test suite (`settings.LEXCASE_CHECK_FIXED_SQL`, on in
lexcase/accounts/pytest_plugin.py) every call also builds and compiles `build(*args)` from
its real arguments and requires the cached SQL text to equal it and the cached parameters,
with this call's keys bound, to equal its parameters; a mismatch raises, naming the key.
Why: a key that misses something the build reads (a role, a status, a wall, a setting)
would hand one reader the query compiled for another, a leak across matters, and a test
process that meets one persona per key would never see it; with the check, any test whose
reader or matter differs from the first one's in what the key left out fails.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.query import (  # type: ignore[attr-defined]  # _get_from_db: see _direct
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    _get_from_db,
)
from django.utils.functional import LazyObject, empty

_SLOT_BASE = -2_100_000_000  # below every real key (matters.selectors' own slots are above)

Arg = Model | int


def _slot(i: int) -> int:
    return _SLOT_BASE - i


def _unwrap(arg: Arg) -> Arg:
    if isinstance(arg, LazyObject):  # request.user
        if arg._wrapped is empty:
            arg._setup()
        return arg._wrapped
    return arg


def _stand_in(arg: Arg, i: int) -> Arg:
    """`arg` with a placeholder for its primary key (its other fields kept, nothing cached;
    a deferred field read from it fails: it would be read with the placeholder)."""
    if isinstance(arg, int):
        return _slot(i)
    model = cast(Model, _unwrap(arg))
    ghost = model.__class__.__new__(model.__class__)
    ghost.__dict__ = {
        k: v for k, v in model.__dict__.items() if k not in ("_state", "_prefetched_objects_cache")
    }
    ghost._state = ModelState()
    ghost._state.db = model._state.db
    ghost._state.adding = False
    ghost.pk = _slot(i)
    return ghost


@dataclass
class _Entry:
    connection: Any
    queryset: QuerySet[Any] | None  # None: the query can match nothing (EmptyResultSet)
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (index in params, argument)
    converters: dict[int, Any]
    composite: bool = False  # the columns hold a composite key (the compiler asks per call)
    # The rows built here from the cursor's (`_direct`), or None: through the queryset.
    direct: Callable[[list[Any]], list[Any]] | None = None


_CACHE: dict[tuple[Any, ...], _Entry] = {}
_CACHE_MAX = 1024
_LOCK = threading.Lock()


def _compile(connection: Any, build: Callable[..., QuerySet[Any]], args: tuple[Arg, ...]) -> _Entry:
    qs = build(*[_stand_in(a, i) for i, a in enumerate(args)])
    compiler = qs.query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _Entry(connection, None, None, "", (), (), {})
    wanted = {_slot(i): i for i in range(len(args))}
    slots = tuple((n, wanted[p]) for n, p in enumerate(params) if type(p) is int and p in wanted)
    if {i for _n, i in slots} != set(wanted.values()):
        raise RuntimeError(f"fixed read {qs.model.__name__}: an argument's key is not a parameter")
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = compiler.get_converters(fields)
    composite = compiler.has_composite_fields(fields)
    # Each call runs a copy of the query that shares its parts (ModelIterable and the
    # compiled compiler only read them), not Query.clone()'s copy of every alias map.
    query = qs.query
    query.chain = lambda klass=None: _shallow(query)  # type: ignore[method-assign]
    direct = None if composite else _direct(qs, compiler, converters)
    return _Entry(
        connection, qs, compiler, sql, tuple(params), slots, converters, composite, direct
    )


def _direct(qs: Any, compiler: Any, converters: dict[int, Any]) -> Any:
    """The rows of the simple shapes built straight from the cursor's rows, as the
    queryset's iterable builds them, or None (the queryset's own path): tuples and flat
    values of `values_list()`, and instances of a model alone (no `select_related`, no
    annotation, no known related object, no prefetch, no peers tracked). Cloning the
    queryset and its compiler, the iterable and Django's chunked fetch cost more CPU than a
    page's small reads themselves (the session's user, the firm profile, the badge, the
    list's leads: docs/benchmarks.md, "Matter list and q=")."""
    if qs._prefetch_related_lookups or qs._known_related_objects or compiler.has_extra_select:
        return None
    convert = _converter(compiler, converters)
    iterable = qs._iterable_class
    if iterable is ValuesListIterable:
        return lambda rows: [tuple(r) for r in convert(rows)] if converters else rows
    if iterable is FlatValuesListIterable:
        return lambda rows: [r[0] for r in convert(rows)]
    if iterable is not ModelIterable or qs._fetch_mode.track_peers:
        return None
    info = compiler.klass_info
    if info.get("related_klass_infos") or compiler.annotation_col_map:
        return None
    fields = info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    if (start, end) != (0, compiler.col_count):
        return None
    init_list = [f[0].target.attname for f in compiler.select[start:end]]
    from_db = _get_from_db(info["model"], qs._fetch_mode)
    db = qs.db
    return lambda rows: [from_db(db, init_list, r) for r in convert(rows)]


def converted_rows(rows: list[Any], converters: list[Any], connection: Any) -> list[list[Any]]:
    """`rows` as fetched, each a list with `converters` applied ((position, (converters,
    expression)) pairs, as `compiler.get_converters()` gives them): what
    `compiler.apply_converters` does, without its generator per row."""
    out = []
    for fetched in rows:
        row = list(fetched)
        for pos, (convs, expression) in converters:
            value = row[pos]
            for convert in convs:
                value = convert(value, expression, connection)
            row[pos] = value
        out.append(row)
    return out


def lean_converters(converters: list[Any], connection: Any) -> list[Any]:
    """`converters` ((position, (converters, expression)) pairs) with SQLite's time stamp
    converter replaced by `_sqlite_datetime`, the same value with less work: a matter row
    has three time stamps, a list page 51 rows, and Django's converter (its settings read,
    `is_aware`, `make_aware` and `is_aware` again per value) was ≈ 0.3 ms of the list's
    CPU (docs/benchmarks.md, "Matter list and q="). Any other converter is kept."""
    if connection.vendor != "sqlite":
        return converters
    django_datetime = connection.ops.convert_datetimefield_value
    return [
        (pos, ([_sqlite_datetime if c == django_datetime else c for c in convs], expression))
        for pos, (convs, expression) in converters
    ]


def _sqlite_datetime(value: Any, expression: Any, connection: Any) -> Any:
    """Django's `convert_datetimefield_value` of SQLite for what the driver hands over for
    a `datetime` column (sqlite3 parses the declared type: a naive `datetime`, or None):
    made aware in the connection's zone as `make_aware` does (`replace(tzinfo=...)`);
    anything else through Django's own."""
    if value is None:
        return None
    if value.__class__ is datetime and value.tzinfo is None and settings.USE_TZ:
        return value.replace(tzinfo=connection.timezone)
    return connection.ops.convert_datetimefield_value(value, expression, connection)


def _converter(compiler: Any, converters: dict[int, Any]) -> Callable[[list[Any]], Any]:
    """`converted_rows` bound to one compiled read."""
    if not converters:
        return lambda rows: rows
    connection = compiler.connection
    items = lean_converters(list(converters.items()), connection)
    return lambda rows: converted_rows(rows, items, connection)


def _shallow(query: Any) -> Any:
    clone = query.__class__.__new__(query.__class__)
    clone.__dict__ = query.__dict__.copy()
    return clone


def fixed_rows[R](key: Hashable, build: Callable[..., QuerySet[Any, R]], *args: Arg) -> list[R]:
    """The rows of `build(*args)`, compiled once per `key` (see the module doc)."""
    args = tuple(_unwrap(a) for a in args)
    if any(isinstance(a, int) and not -(2**63) <= a < 2**63 for a in args):
        # A key no 64-bit column holds (a URL's <int:pk> takes any digits): the ORM's own
        # query knows it matches nothing; bound into the compiled SQL, SQLite's driver
        # raised OverflowError (an HTTP 500 on /matters/<2**64>/).
        return list(build(*args))
    connection = connections["default"]
    ck = (id(connection), key)
    entry = _CACHE.get(ck)
    if entry is None or entry.connection is not connection:
        entry = _compile(connection, build, args)
        with _LOCK:
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.clear()
            _CACHE[ck] = entry
    keys = [a if isinstance(a, int) else a.pk for a in args]
    params = list(entry.params)
    for n, i in entry.slots:
        params[n] = keys[i]
    if settings.LEXCASE_CHECK_FIXED_SQL:
        _check(key, connection, build, args, entry, tuple(params))
    if entry.queryset is None:
        return []
    if entry.direct is not None:
        with connection.cursor() as cursor:
            cursor.execute(entry.sql, params)
            return entry.direct(cursor.fetchall())
    compiler = copy.copy(entry.compiler)
    sql, bound, converters, composite = entry.sql, tuple(params), entry.converters, entry.composite
    compiler.as_sql = lambda *a, **k: (sql, bound)
    compiler.get_converters = lambda expressions: converters
    compiler.has_composite_fields = lambda expressions: composite
    qs = entry.queryset._chain()  # type: ignore[attr-defined]  # a clone, as QuerySet makes
    qs.query.get_compiler = lambda *a, **k: compiler
    if qs._known_related_objects:
        # A related manager's rows know their owner: the real argument, not its stand-in.
        real = {_slot(i): a for i, a in enumerate(args) if not isinstance(a, int)}
        qs._known_related_objects = {
            field: {real[k].pk if k in real else k: real.get(k, v) for k, v in objs.items()}
            for field, objs in qs._known_related_objects.items()
        }
    return list(qs)


def _check(
    key: Hashable,
    connection: Any,
    build: Callable[..., QuerySet[Any]],
    args: tuple[Arg, ...],
    entry: _Entry,
    bound: tuple[Any, ...],
) -> None:
    """The tests' check (module doc): `build(*args)` compiles to the cached SQL and the
    bound parameters."""
    compiler = build(*args).query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        sql, params = "", ()
    if (sql, tuple(params)) != (entry.sql, bound):
        raise AssertionError(
            f"fixed read {key!r}: the cached query is not the one its arguments build "
            f"(the key misses something the build reads)\ncached: {entry.sql} {bound}\n"
            f"built:  {sql} {tuple(params)}"
        )


def fixed_first[R](key: Hashable, build: Callable[..., QuerySet[Any, R]], *args: Arg) -> R | None:
    """`build(*args).first()`, compiled once per `key`."""

    def first(*stand_ins: Arg) -> QuerySet[Any, R]:
        qs = build(*stand_ins)
        return (qs if qs.ordered else qs.order_by("pk"))[:1]

    rows = fixed_rows(key, first, *args)
    return rows[0] if rows else None
