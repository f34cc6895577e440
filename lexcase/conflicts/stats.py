"""Stored counts of the index keys that many parties hold (`HotKey`), kept exact without a
lock on the write path.

A group count (every two-character name with 王: ≈ 27,500 parties at 1,000,000) read that
many index entries. A hot key's count is now `HotKey.owners` plus the sum of its pending
`HotKeyDelta` rows, read in the same statement as the rest of the check (one snapshot):

- **Writers append, never update.** A trigger on PartyKey inserts one delta row (+n / −n)
  per hot key a statement adds or removes rows of, in the writer's transaction: whatever
  writes the index (`index_party`, `index_parties`, the importer, a cascade when a party is
  deleted, the identifier re-keying, SQL by hand). Nothing a trigger touches is a row another
  writer updates, so party writes neither queue behind each other nor deadlock here.
  PostgreSQL: statement triggers with transition tables; SQLite: row triggers.
- **One compactor** (`refresh`, run by `python -m lexcase conflicts stats` from cron; on
  PostgreSQL serialised by an advisory lock) folds the deltas into `owners` in one statement
  (PostgreSQL: a DELETE … RETURNING feeding the UPDATE; SQLite: two statements in one write
  transaction) and promotes new hot keys (`--discover`).
- **Promotion without a race.** A key becomes hot in two steps on PostgreSQL: the HotKey row
  is committed with `owners` NULL (from then on every writer's trigger appends deltas for
  it; writers run at READ COMMITTED, Django's default), the next transaction id is recorded
  (`armed_xid`), and once no transaction of this database with an older id is running
  (pg_locks), one statement sets `owners` = the key's rows − its pending deltas. A writer
  that started before the promotion and wrote no delta has committed (its rows are
  counted) or rolled back by then. Until `owners` is set the engine counts the key
  from the index. SQLite serialises writers: the row is counted and activated in one write
  transaction.
- A key stays hot (no demotion): a count that falls below the threshold is still exact.

A migration that rebuilds a SQLite table drops its triggers, so `migrate` lifts them first
and puts them back after, with every hot key recounted (`lift_for_migrate` /
`restore_after_migrate`). TRUNCATE is not covered (nothing in LexCase truncates the index;
`index_rebuild` deletes and then recounts).
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection as default_connection
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder

MIGRATION = ("conflicts", "0008_hot_keys")
# A key is promoted when this many parties hold it (discovery).
HOT_KEY_MIN = 1000
# Grams with this many holders get a GramStat row (substring search order only).
HOT_GRAM_MIN = 500
_ADVISORY_LOCK = 0x1E8CA5E  # "conflicts compactor", any constant unique to this job

_INDEX = "conflicts_partykey"
_HOT = "conflicts_hotkey"
_DELTA = "conflicts_hotkeydelta"
_GRAMS = "conflicts_namegram"
_GRAM_STAT = "conflicts_gramstat"
_FUNCTION = "lexcase_conflicts_hot_delta"

# Constant SQL only: table names, nothing from input.
_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO {_DELTA} (key_id, n)
            SELECT h.id, -COUNT(*) FROM old_rows o
            JOIN {_HOT} h ON h.key_type = o.key_type AND h.value = o.value
            WHERE o.party_id IS NOT NULL GROUP BY h.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {_DELTA} (key_id, n)
            SELECT h.id, COUNT(*) FROM new_rows o
            JOIN {_HOT} h ON h.key_type = o.key_type AND h.value = o.value
            WHERE o.party_id IS NOT NULL GROUP BY h.id;
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608 - constant table names

_PG_TRIGGERS = {
    "hot_key_insert": (
        f"AFTER INSERT ON {_INDEX} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()"
    ),
    "hot_key_delete": (
        f"AFTER DELETE ON {_INDEX} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()"
    ),
    "hot_key_update": (
        f"AFTER UPDATE ON {_INDEX} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()"
    ),
}


def _sqlite_delta(sign: str, row: str) -> str:
    return (
        f"INSERT INTO {_DELTA} (key_id, n) SELECT id, {sign}1 FROM {_HOT} "  # noqa: S608 - constant names
        f"WHERE key_type = {row}.key_type AND value = {row}.value"
    )


_SQLITE_TRIGGERS = {
    "hot_key_insert": (
        f"AFTER INSERT ON {_INDEX} WHEN NEW.party_id IS NOT NULL "
        f"BEGIN {_sqlite_delta('', 'NEW')}; END"
    ),
    "hot_key_delete": (
        f"AFTER DELETE ON {_INDEX} WHEN OLD.party_id IS NOT NULL "
        f"BEGIN {_sqlite_delta('-', 'OLD')}; END"
    ),
    "hot_key_update_old": (
        f"AFTER UPDATE ON {_INDEX} WHEN OLD.party_id IS NOT NULL "
        f"BEGIN {_sqlite_delta('-', 'OLD')}; END"
    ),
    "hot_key_update_new": (
        f"AFTER UPDATE ON {_INDEX} WHEN NEW.party_id IS NOT NULL "
        f"BEGIN {_sqlite_delta('', 'NEW')}; END"
    ),
}


def install(connection: Any = default_connection) -> None:
    remove(connection)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(_PG_FUNCTION)
            for name, spec in _PG_TRIGGERS.items():
                cur.execute(f"CREATE TRIGGER {name} {spec}")
        elif connection.vendor == "sqlite":
            for name, spec in _SQLITE_TRIGGERS.items():
                cur.execute(f"CREATE TRIGGER {name} {spec}")
        else:
            raise NotImplementedError(f"no hot key triggers for {connection.vendor}")


def remove(connection: Any = default_connection) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for name in _PG_TRIGGERS:
                cur.execute(f"DROP TRIGGER IF EXISTS {name} ON {_INDEX}")
            cur.execute(f"DROP FUNCTION IF EXISTS {_FUNCTION}()")
        else:
            for name in _SQLITE_TRIGGERS:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


def installed(connection: Any = default_connection) -> bool:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'hot_key_insert' "
                "AND NOT tgisinternal"
            )
        else:
            cur.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name = 'hot_key_insert'"
            )
        return cur.fetchone()[0] == 1


# --- the compactor ---------------------------------------------------------------------------

# The count a key would have now: its rows minus the deltas not yet folded, in one statement
# (one snapshot), so `owners` + SUM(deltas) equals the rows for every later snapshot.
_RECOUNT = (
    f"(SELECT COUNT(*) FROM {_INDEX} k WHERE k.key_type = {_HOT}.key_type "  # noqa: S608 - constant names
    f"AND k.value = {_HOT}.value AND k.party_id IS NOT NULL) - COALESCE((SELECT SUM(d.n) "
    f"FROM {_DELTA} d WHERE d.key_id = {_HOT}.id), 0)"
)


def _fold(cur: Any, vendor: str) -> int:
    """Pending deltas of active keys into `owners`; return how many were folded."""
    if vendor == "postgresql":
        # One statement: the deltas deleted are exactly those summed (one snapshot); deltas
        # committed meanwhile stay for the next run.
        cur.execute(
            f"WITH gone AS (DELETE FROM {_DELTA} d USING {_HOT} h WHERE d.key_id = h.id "  # noqa: S608 - constant names
            "AND h.owners IS NOT NULL RETURNING d.key_id, d.n), "
            "s AS (SELECT key_id, SUM(n) AS n, COUNT(*) AS rows FROM gone GROUP BY key_id), "
            f"u AS (UPDATE {_HOT} h SET owners = h.owners + s.n FROM s WHERE h.id = s.key_id "
            "RETURNING s.rows) SELECT COALESCE(SUM(rows), 0) FROM u"
        )
        return int(cur.fetchone()[0])
    # SQLite: one write transaction (writers are serialised) for both statements.
    active = f"key_id IN (SELECT id FROM {_HOT} WHERE owners IS NOT NULL)"  # noqa: S608 - constant names
    cur.execute(f"SELECT COUNT(*) FROM {_DELTA} WHERE {active}")  # noqa: S608 - constant names
    folded = int(cur.fetchone()[0])
    if folded:
        cur.execute(
            f"UPDATE {_HOT} SET owners = owners + (SELECT SUM(n) FROM {_DELTA} d "  # noqa: S608 - constant names
            f"WHERE d.key_id = {_HOT}.id) WHERE owners IS NOT NULL "
            f"AND id IN (SELECT key_id FROM {_DELTA})"
        )
        cur.execute(f"DELETE FROM {_DELTA} WHERE {active}")  # noqa: S608 - constant names
    return folded


def _running_xids(cur: Any) -> list[int]:
    """The (32-bit) ids of the transactions now running in this database that have
    written something (each holds the lock on its own id), prepared ones included. Other
    databases of the cluster are left out: they cannot write this index."""
    cur.execute(
        "SELECT l.transactionid::text FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted "
        "AND a.datname = current_database() UNION ALL SELECT transaction::text "
        "FROM pg_prepared_xacts WHERE database = current_database()"
    )
    return [int(row[0]) for row in cur.fetchall()]


def _precedes(xid: int, armed: int) -> bool:
    # xid is 32-bit (wraps around), armed the 64-bit id: compared modulo 2^32 as PostgreSQL
    # does (TransactionIdPrecedes).
    diff = (armed - xid) % 2**32
    return 0 < diff < 2**31


def _activate(cur: Any, vendor: str) -> int:
    """Set `owners` of the promoted keys whose writers from before the promotion are done."""
    if vendor != "postgresql":
        cur.execute(f"UPDATE {_HOT} SET owners = {_RECOUNT} WHERE owners IS NULL")  # noqa: S608 - constant names
        return cur.rowcount
    cur.execute(
        f"SELECT DISTINCT armed_xid FROM {_HOT} WHERE owners IS NULL AND armed_xid IS NOT NULL"  # noqa: S608 - constant names
    )
    armed = [row[0] for row in cur.fetchall()]
    if not armed:
        return 0
    # A transaction that got its id after the promotion was armed writes with a snapshot
    # that sees the HotKey row (READ COMMITTED, Django's default): its trigger appends deltas.
    running = _running_xids(cur)
    ready = [a for a in armed if not any(_precedes(x, a) for x in running)]
    if not ready:
        return 0
    cur.execute(
        f"UPDATE {_HOT} SET owners = {_RECOUNT} WHERE owners IS NULL "  # noqa: S608 - constant names
        f"AND armed_xid IN ({', '.join(['%s'] * len(ready))})",
        ready,
    )
    return cur.rowcount


def _discover(cur: Any, vendor: str, min_owners: int) -> int:
    """Promote the keys held by `min_owners` parties or more that are not hot yet."""
    cur.execute(
        f"INSERT INTO {_HOT} (key_type, value, owners, armed_xid) "  # noqa: S608 - constant names
        f"SELECT k.key_type, k.value, NULL, NULL FROM {_INDEX} k WHERE k.party_id IS NOT NULL "
        "GROUP BY k.key_type, k.value HAVING COUNT(*) >= %s AND NOT EXISTS "
        f"(SELECT 1 FROM {_HOT} h WHERE h.key_type = k.key_type AND h.value = k.value)",
        [min_owners],
    )
    return cur.rowcount


def _arm(cur: Any) -> None:
    # A statement of its own, after the promotion committed: its snapshot's xmax bounds
    # every transaction that may have written rows of the key without a delta.
    cur.execute(
        f"UPDATE {_HOT} SET armed_xid = pg_snapshot_xmax(pg_current_snapshot())::text::bigint "  # noqa: S608 - constant names
        "WHERE owners IS NULL AND armed_xid IS NULL"
    )


def _gram_stats(cur: Any, min_owners: int) -> int:
    cur.execute(f"DELETE FROM {_GRAM_STAT}")  # noqa: S608 - constant names
    cur.execute(
        f"INSERT INTO {_GRAM_STAT} (gram, owners) SELECT gram, COUNT(*) FROM {_GRAMS} "  # noqa: S608 - constant names
        "WHERE party_id IS NOT NULL GROUP BY gram HAVING COUNT(*) >= %s",
        [min_owners],
    )
    return cur.rowcount


def refresh(
    *,
    discover: bool = False,
    wait: float = 0.0,
    min_owners: int | None = None,
    using: str = "default",
) -> dict[str, Any]:
    """Run the compactor once: fold pending deltas, activate promoted keys, and with
    `discover` promote the keys held by `min_owners` (HOT_KEY_MIN) parties or more and
    recount the common grams. `wait` seconds at most for the writers that predate a
    promotion (PostgreSQL); keys still waiting are activated by a later run.

    Inside a transaction on PostgreSQL only the fold runs (a promotion must commit before it
    is armed). Returns what was done; {"busy": True} when another compactor holds the lock.
    """
    connection = connections[using]
    vendor = connection.vendor
    threshold = HOT_KEY_MIN if min_owners is None else min_owners
    out: dict[str, Any] = {"busy": False, "folded": 0, "promoted": 0, "activated": 0}
    with connection.cursor() as cur:
        if vendor == "postgresql":
            if connection.in_atomic_block:
                # A promotion must commit before it is armed: inside a caller's transaction
                # only the fold runs (the next run outside one promotes and activates).
                out["folded"] = _fold(cur, vendor)
                return {**out, "deferred": True}
            cur.execute("SELECT pg_try_advisory_lock(%s)", [_ADVISORY_LOCK])
            if not cur.fetchone()[0]:
                return {**out, "busy": True}
        try:
            with transaction.atomic(using=using):
                out["folded"] = _fold(cur, vendor)
                out["activated"] = _activate(cur, vendor)
            if discover:
                with transaction.atomic(using=using):
                    out["promoted"] = _discover(cur, vendor, threshold)
                    out["grams"] = _gram_stats(cur, HOT_GRAM_MIN)
                    if vendor != "postgresql":
                        out["activated"] += _activate(cur, vendor)
            if vendor == "postgresql":
                _arm(cur)
                deadline = time.monotonic() + wait
                while True:
                    with transaction.atomic(using=using):
                        out["activated"] += _activate(cur, vendor)
                    cur.execute(f"SELECT COUNT(*) FROM {_HOT} WHERE owners IS NULL")  # noqa: S608 - constant names
                    out["waiting"] = int(cur.fetchone()[0])
                    if not out["waiting"] or time.monotonic() >= deadline:
                        break
                    time.sleep(0.2)
        finally:
            if vendor == "postgresql":
                cur.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_LOCK])
    return out


def recount(using: str = "default") -> int:
    """Every active hot key's `owners` recomputed from the index (after a rebuild, or when
    the triggers were off). Safe at any time: rows and deltas are read in one statement."""
    connection = connections[using]
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {_HOT} SET owners = {_RECOUNT} WHERE owners IS NOT NULL")  # noqa: S608 - constant names
        return cur.rowcount


def lift_for_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """`pre_migrate` (SQLite only): no trigger may name a table a migration rebuilds."""
    connection = connections[using]
    if connection.vendor == "sqlite" and kwargs.get("plan") != []:
        remove(connection)


def restore_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """`post_migrate` (SQLite only): the triggers back once their migration is applied, and
    the hot keys recounted (a migration may have written index rows meanwhile)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if MIGRATION in MigrationRecorder(connection).applied_migrations() and not installed(
        connection
    ):
        with transaction.atomic(using=using):
            install(connection)
            recount(using)
