"""Database triggers that keep `Matter.last_outbound_at` (the newest outbound contact on the
communication log) true to the log, whoever writes it: `services.communication_create`, bulk
loads (the demo firm, benchmarks), tests that create rows directly, deletes, SQL by hand.

The dashboards judge the client-update cadence of every open matter from that column
(`selectors.update_state`), one comparison per matter row instead of a probe of the log per
matter (57k probes on the 100k-matter firm, bench/dashboard.py).

- A new outbound contact moves the column forward (only if it is newer: a back-dated contact
  leaves it). On PostgreSQL the conditional UPDATE re-checks its condition on the row it
  waited for, so two contacts logged at once leave the newer.
- A removed outbound contact, or one whose matter, direction or time changes, recomputes
  the matter's column from the log (the matter's row locked first on PostgreSQL).

On SQLite a migration that rebuilds `comms_communication` or `matters_matter` would drop or
trip over these triggers (as for the party-link triggers, lexcase/matters/party_links.py):
`migrate` lifts them before it runs any migration and puts them back, with `backfill()`,
after (`lift_for_migrate` / `restore_after_migrate`, connected in `CommsConfig.ready`). The
tests in lexcase/comms/tests/test_last_contact.py fail if the triggers are missing.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from lexcase.core.triggers import RowTriggers

MIGRATION = ("comms", "0004_last_outbound_triggers")

# Constant SQL only (table names written out): nothing here comes from input.
_ADVANCE = (
    "UPDATE matters_matter SET last_outbound_at = NEW.occurred_at WHERE id = NEW.matter_id "
    "AND (last_outbound_at IS NULL OR last_outbound_at < NEW.occurred_at)"
)
_RECOMPUTE = {
    "OLD": (
        "UPDATE matters_matter SET last_outbound_at = (SELECT MAX(c.occurred_at) "
        "FROM comms_communication c WHERE c.matter_id = OLD.matter_id "
        "AND c.direction = 'outbound') WHERE id = OLD.matter_id"
    ),
    "NEW": (
        "UPDATE matters_matter SET last_outbound_at = (SELECT MAX(c.occurred_at) "
        "FROM comms_communication c WHERE c.matter_id = NEW.matter_id "
        "AND c.direction = 'outbound') WHERE id = NEW.matter_id"
    ),
}
# Only the matters whose column differs from the log are written.
_BACKFILL = {
    "postgresql": (
        "UPDATE matters_matter SET last_outbound_at = (SELECT MAX(c.occurred_at) "
        "FROM comms_communication c WHERE c.matter_id = matters_matter.id "
        "AND c.direction = 'outbound') WHERE last_outbound_at IS DISTINCT FROM "
        "(SELECT MAX(c.occurred_at) FROM comms_communication c "
        "WHERE c.matter_id = matters_matter.id AND c.direction = 'outbound')"
    ),
    "sqlite": (
        "UPDATE matters_matter SET last_outbound_at = (SELECT MAX(c.occurred_at) "
        "FROM comms_communication c WHERE c.matter_id = matters_matter.id "
        "AND c.direction = 'outbound') WHERE last_outbound_at IS NOT "
        "(SELECT MAX(c.occurred_at) FROM comms_communication c "
        "WHERE c.matter_id = matters_matter.id AND c.direction = 'outbound')"
    ),
}

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION lexcase_last_outbound() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.direction = 'outbound' THEN
            {_ADVANCE};
        END IF;
        RETURN NULL;
    END IF;
    IF OLD.direction = 'outbound' THEN
        PERFORM 1 FROM matters_matter WHERE id = OLD.matter_id FOR NO KEY UPDATE;
        {_RECOMPUTE["OLD"]};
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.direction = 'outbound' THEN
        PERFORM 1 FROM matters_matter WHERE id = NEW.matter_id FOR NO KEY UPDATE;
        {_RECOMPUTE["NEW"]};
    END IF;
    RETURN NULL;
END
$$
"""

_SQLITE_TRIGGERS = {
    "last_outbound_insert": (
        f"AFTER INSERT ON comms_communication WHEN NEW.direction = 'outbound' BEGIN {_ADVANCE}; END"
    ),
    "last_outbound_delete": (
        "AFTER DELETE ON comms_communication WHEN OLD.direction = 'outbound' "
        f"BEGIN {_RECOMPUTE['OLD']}; END"
    ),
    "last_outbound_update": (
        "AFTER UPDATE OF matter_id, direction, occurred_at ON comms_communication "
        f"BEGIN {_RECOMPUTE['OLD']}; {_RECOMPUTE['NEW']}; END"
    ),
}


_TRIGGERS = RowTriggers(
    table="comms_communication",
    trigger="last_outbound",
    function="lexcase_last_outbound",
    function_sql=_PG_FUNCTION,
    events="INSERT OR DELETE OR UPDATE OF matter_id, direction, occurred_at",
    sqlite=_SQLITE_TRIGGERS,
)
install = _TRIGGERS.install
remove = _TRIGGERS.remove


def backfill(connection: Any) -> int:
    """Set every matter's column from the log as it is (when the triggers are installed, after
    a restore, or rows written while they were lifted); returns the number of matters
    changed."""
    with connection.cursor() as cur:
        cur.execute(_BACKFILL[connection.vendor])
        return cur.rowcount


def lift_for_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """`pre_migrate` (SQLite only): no trigger may name a table a migration rebuilds."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        remove(connection)


def restore_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """`post_migrate` (SQLite only): the triggers back once their migration is applied, and
    the column set from the log (a data migration may have written some meanwhile)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if MIGRATION in MigrationRecorder(connection).applied_migrations():
        install(connection)
        backfill(connection)
