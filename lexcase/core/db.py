"""Raw bulk inserts, for the few writers that move thousands of rows at once (the importer,
the conflict index). Everything else writes through the ORM."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

BATCH = 2000


def _chunks[T](items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _column(f: models.Field[Any, Any]) -> str:
    if f.column is None:  # a field without a column is never concrete
        raise ValueError(f"{f} has no column")
    return f.column


def bulk_insert(
    model: type[models.Model],
    attnames: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    constants: dict[str, Any] | None = None,
    returning: bool = True,
) -> list[int]:
    """Insert `rows` (values for `attnames`) in batches; return the new primary keys (none
    when `returning` is off).

    bulk_create spends most of a big write compiling one value at a time; this writes the
    same statements (INSERT … VALUES (…), (…) [RETURNING id]; on PostgreSQL INSERT … SELECT
    FROM UNNEST(arrays) [RETURNING id]) with the values prepared by the model's own fields.
    Every other column gets its model default once (auto_now fields: now; columns with
    only a database default are left to the database). `model` may be a migration's
    historical model: only its metadata is read.
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    given = {**dict.fromkeys(attnames), **(constants or {})}
    now = timezone.now()
    fixed_fields, fixed_values = [], []
    for f in meta.concrete_fields:
        if f.primary_key and f.attname not in given:
            continue
        if f.attname in attnames:
            continue
        if f.attname in given:
            value = given[f.attname]
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif not f.has_default() and f.has_db_default():
            continue
        else:
            value = f.get_default()
        fixed_fields.append(f)
        fixed_values.append(f.get_db_prep_save(value, connection))
    varying = [by_attname[a] for a in attnames]
    # Text, numbers and keys go to the driver as they are; dates and the like are adapted
    # per value.
    plain = (
        models.CharField,
        models.TextField,
        models.ForeignKey,
        models.IntegerField,
        models.BooleanField,
    )
    adapt = [i for i, f in enumerate(varying) if not isinstance(f, plain)]
    fields = varying + fixed_fields
    quote = connection.ops.quote_name
    table, columns = quote(meta.db_table), ", ".join(quote(_column(f)) for f in fields)
    pk = meta.pk
    returning_sql = f" RETURNING {quote(_column(pk))}" if returning and pk is not None else ""
    ids: list[int] = []

    def prepared(chunk: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
        if not adapt:
            return chunk
        out: list[list[Any]] = []
        for row in chunk:
            values = list(row)
            for i in adapt:
                values[i] = varying[i].get_db_prep_save(values[i], connection)
            out.append(values)
        return out

    # Only quoted names from the model's metadata and placeholders go into the SQL text;
    # every value is a parameter.
    if connection.vendor == "postgresql":
        # One array per column through UNNEST (as Django's own bulk_create does on
        # PostgreSQL), bound on the server by a plain psycopg cursor on the same connection:
        # Django's client-side binding would parse and quote every value in Python.
        import psycopg  # only on PostgreSQL: SQLite installs need no driver

        casts = [f.cast_db_type(connection) for f in fields]
        select = ", ".join(
            [f"u.c{i}" for i in range(len(varying))]
            + [f"%s::{casts[len(varying) + i]}" for i in range(len(fixed_fields))]
        )
        arrays = ", ".join(f"%s::{cast}[]" for cast in casts[: len(varying)])
        names = ", ".join(f"c{i}" for i in range(len(varying)))
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {select} "  # noqa: S608
            f"FROM UNNEST({arrays}) AS u ({names}){returning_sql}"
        )
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as pg_cursor:
            for chunk in _chunks(rows, BATCH):
                arrays_params = [list(col) for col in zip(*prepared(chunk), strict=True)]
                pg_cursor.execute(sql, [*fixed_values, *arrays_params])
                if returning_sql:
                    ids.extend(returned[0] for returned in pg_cursor.fetchall())
        return ids
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = min(BATCH, connection.ops.bulk_batch_size(fields, list(rows)))
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, max(batch, 1)):
            params: list[Any] = []
            for row in prepared(chunk):
                params.extend(row)
                params.extend(fixed_values)
            values = ", ".join([placeholders] * len(chunk))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values}{returning_sql}"  # noqa: S608
            cursor.execute(sql, params)
            if returning_sql:
                ids.extend(returned[0] for returned in cursor.fetchall())
    return ids
