"""Database triggers that keep `KeyStat` and `GramStat` (how many parties hold each index key
and each name gram) equal to the index rows, whoever writes them: `index_party` after a
party is created, renamed, given an alias or re-keyed, cascades when a party is deleted,
the identifier re-keying after a key rotation, bulk loads, SQL by hand.

- PostgreSQL: statement-level triggers with transition tables, one grouped upsert per
  statement (a batch of 500 parties re-indexed is one statement, not 10,000 row updates).
  The stat rows are locked in key order before they are decremented, and upserted in key
  order, so two transactions re-indexing parties that share keys wait for each other
  instead of deadlocking within a statement.
- SQLite: row triggers (SQLite has no statement triggers; it serialises writers anyway).
  A migration that rebuilds the index tables would drop them, so `migrate` lifts them first
  and puts them back with a backfill after (`lift_for_migrate` / `restore_after_migrate`).

Not covered: TRUNCATE (nothing in LexCase truncates these tables; `index_rebuild` deletes,
then backfills). The stats count only rows with a party (staff relatives are never grouped);
an owner holds a key once (`engine._owner_keys` de-duplicates), so rows are owners.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

MIGRATION = ("conflicts", "0008_key_and_gram_stats")

# (index table, stat table, key columns): constant SQL only, nothing comes from input.
_TABLES = (
    ("conflicts_partykey", "conflicts_keystat", ("key_type", "value"), "key"),
    ("conflicts_namegram", "conflicts_gramstat", ("gram",), "gram"),
)


def _pg_function(index: str, stat: str, cols: tuple[str, ...], short: str) -> tuple[str, str]:
    name = f"lexcase_conflicts_{short}_stat"
    c = ", ".join(cols)
    s_cols = ", ".join(f"s.{x}" for x in cols)
    match = " AND ".join(f"s.{x} = d.{x}" for x in cols)
    body = f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM 1 FROM {stat} s WHERE ({s_cols}) IN
            (SELECT {c} FROM old_rows WHERE party_id IS NOT NULL)
            ORDER BY {s_cols} FOR UPDATE;
        UPDATE {stat} s SET owners = s.owners - d.n
            FROM (SELECT {c}, COUNT(*) AS n FROM old_rows WHERE party_id IS NOT NULL
                  GROUP BY {c}) d
            WHERE {match};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {stat} ({c}, owners)
            SELECT {c}, COUNT(*) FROM new_rows WHERE party_id IS NOT NULL
            GROUP BY {c} ORDER BY {c}
            ON CONFLICT ({c}) DO UPDATE SET owners = {stat}.owners + excluded.owners;
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608 - constant table and column names
    return name, body


def _pg_triggers(index: str, function: str, short: str) -> dict[str, str]:
    return {
        f"{short}_stat_insert": (
            f"AFTER INSERT ON {index} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        ),
        f"{short}_stat_delete": (
            f"AFTER DELETE ON {index} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        ),
        f"{short}_stat_update": (
            f"AFTER UPDATE ON {index} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        ),
    }


def _sqlite_triggers(index: str, stat: str, cols: tuple[str, ...], short: str) -> dict[str, str]:
    c = ", ".join(cols)
    new = ", ".join(f"NEW.{x}" for x in cols)
    add = (
        f"INSERT INTO {stat} ({c}, owners) VALUES ({new}, 1) "  # noqa: S608 - constant names
        f"ON CONFLICT ({c}) DO UPDATE SET owners = owners + 1"
    )
    old_match = " AND ".join(f"{x} = OLD.{x}" for x in cols)
    drop = f"UPDATE {stat} SET owners = owners - 1 WHERE {old_match}"  # noqa: S608 - constant names
    return {
        f"{short}_stat_insert": (
            f"AFTER INSERT ON {index} WHEN NEW.party_id IS NOT NULL BEGIN {add}; END"
        ),
        f"{short}_stat_delete": (
            f"AFTER DELETE ON {index} WHEN OLD.party_id IS NOT NULL BEGIN {drop}; END"
        ),
        f"{short}_stat_update_old": (
            f"AFTER UPDATE ON {index} WHEN OLD.party_id IS NOT NULL BEGIN {drop}; END"
        ),
        f"{short}_stat_update_new": (
            f"AFTER UPDATE ON {index} WHEN NEW.party_id IS NOT NULL BEGIN {add}; END"
        ),
    }


def install(connection: Any) -> None:
    remove(connection)
    with connection.cursor() as cur:
        for index, stat, cols, short in _TABLES:
            if connection.vendor == "postgresql":
                function, body = _pg_function(index, stat, cols, short)
                cur.execute(body)
                for name, spec in _pg_triggers(index, function, short).items():
                    cur.execute(f"CREATE TRIGGER {name} {spec}")
            elif connection.vendor == "sqlite":
                for name, spec in _sqlite_triggers(index, stat, cols, short).items():
                    cur.execute(f"CREATE TRIGGER {name} {spec}")
            else:
                raise NotImplementedError(f"no index stat triggers for {connection.vendor}")


def remove(connection: Any) -> None:
    with connection.cursor() as cur:
        for index, stat, cols, short in _TABLES:
            if connection.vendor == "postgresql":
                function, _body = _pg_function(index, stat, cols, short)
                for name in _pg_triggers(index, function, short):
                    cur.execute(f"DROP TRIGGER IF EXISTS {name} ON {index}")
                cur.execute(f"DROP FUNCTION IF EXISTS {function}()")
            else:
                for name in _sqlite_triggers(index, stat, cols, short):
                    cur.execute(f"DROP TRIGGER IF EXISTS {name}")


def backfill(connection: Any) -> None:
    """Every stat row recomputed from the index as it is: one grouped INSERT per table."""
    with connection.cursor() as cur:
        for index, stat, cols, _short in _TABLES:
            c = ", ".join(cols)
            cur.execute(f"DELETE FROM {stat}")  # noqa: S608 - constant table names
            cur.execute(
                f"INSERT INTO {stat} ({c}, owners) SELECT {c}, COUNT(*) FROM {index} "  # noqa: S608 - constant table names
                f"WHERE party_id IS NOT NULL GROUP BY {c}"
            )


def installed(connection: Any) -> bool:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT COUNT(*) FROM pg_trigger WHERE tgname IN ('key_stat_insert', "
                "'gram_stat_insert') AND NOT tgisinternal"
            )
        else:
            cur.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                "('key_stat_insert', 'gram_stat_insert')"
            )
        return cur.fetchone()[0] == len(_TABLES)


def lift_for_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """`pre_migrate` (SQLite only): no trigger may name a table a migration rebuilds."""
    connection = connections[using]
    if connection.vendor == "sqlite" and kwargs.get("plan") != []:
        remove(connection)


def restore_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """`post_migrate` (SQLite only): the triggers back once their migration is applied, the
    stats recomputed (a migration may have written index rows meanwhile)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if MIGRATION in MigrationRecorder(connection).applied_migrations() and not installed(
        connection
    ):
        install(connection)
        backfill(connection)
